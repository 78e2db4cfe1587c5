#include "host/cli/protocol_registry.h"

#include <fmt/core.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "host/core/error.h"

namespace sqt::cli {

std::string ProtocolInfo::parties_text() const {
  return min_parties == max_parties ? std::to_string(min_parties)
                                    : fmt::format("{}-{}", min_parties, max_parties);
}

std::string ProtocolInfo::ring_name(int bits) const {
  return has_ring() ? fmt::format(fmt::runtime(algebra), bits) : algebra;
}

std::string ProtocolInfo::ring_text() const {
  if (!has_ring()) return algebra;
  std::vector<std::string> names;
  for (int bits : ring_bits) names.push_back(ring_name(bits));
  return fmt::format("{}", fmt::join(names, " "));
}

std::string_view to_string(Security s) {
  switch (s) {
    case Security::kSemiHonest:
      return "semi-honest";
    case Security::kMalicious:
      return "malicious";
    case Security::kNone:
      break;
  }
  return "none";
}

std::string_view to_string(Majority m) {
  switch (m) {
    case Majority::kHonest:
      return "honest";
    case Majority::kDishonest:
      return "dishonest";
    case Majority::kNotApplicable:
      break;
  }
  return "-";
}

const std::vector<ProtocolInfo>& protocol_registry() {
  // clang-format off
  static const std::vector<ProtocolInfo> registry = {
      // name, parties min/max, security, majority, algebra, ring bits, built, scheme
      {"rep3", 3, 3, Security::kSemiHonest, Majority::kHonest, "Z_2^{}", {64, 128}, true,
       "replicated secret sharing, one corrupted party"},
      {"clear", 1, 1, Security::kNone, Majority::kNotApplicable, "Z_2^{}", {64, 128}, true,
       "emulation: rep3's fixed-point algorithms on cleartext ring values (one process)"},
      {"plain", 1, 1, Security::kNone, Majority::kNotApplicable, "float32", {}, true,
       "float reference trainer (oneDNN), not MPC"},
      {"rep4", 4, 4, Security::kMalicious, Majority::kHonest, "Z_2^{}", {64}, true,
       "four-party replicated sharing with abort"},
      {"mal-rep3", 3, 3, Security::kMalicious, Majority::kHonest, "Z_2^({}+64)", {64}, true,
       "three-party replicated sharing with MACs (SPDZ-wise), verified in batches, with abort"},
      {"shamir", 3, 10, Security::kSemiHonest, Majority::kHonest, "GR(2^{}, 4)", {64}, true,
       "Shamir sharing over a Galois ring, t = floor((n-1)/2)"},
      {"mal-shamir", 3, 10, Security::kMalicious, Majority::kHonest, "GR(2^{}, 4)", {64}, false,
       "Shamir with verified multiplications"},
      {"semi2k", 2, 10, Security::kSemiHonest, Majority::kDishonest, "Z_2^{}", {64}, false,
       "additive sharing, OT- or HE-based triples"},
      {"spdz2k", 2, 10, Security::kMalicious, Majority::kDishonest, "Z_2^({}+s)", {64}, false,
       "SPDZ2k MACs, authenticated triples"},
  };
  // clang-format on
  return registry;
}

const ProtocolInfo& find_built_protocol(std::string_view name) {
  std::vector<std::string> built;
  for (const auto& p : protocol_registry()) {
    if (p.name == name) {
      if (!p.built) {
        throw ConfigError(
            fmt::format("--protocol {}: this security model is planned but not built yet "
                        "(`sqt protocols` lists what runs)",
                        name));
      }
      return p;
    }
    if (p.built) built.push_back(p.name);
  }
  throw ConfigError(fmt::format("--protocol {}: unknown protocol (built: {}; `sqt protocols` lists all)",
                                name, fmt::join(built, ", ")));
}

void check_ring(const ProtocolInfo& p, int bits, bool given) {
  if (!p.has_ring()) {
    if (given)
      throw ConfigError(fmt::format("--ring {}: {} computes in {}, not in a ring", bits, p.name, p.algebra));
    return;
  }
  if (std::find(p.ring_bits.begin(), p.ring_bits.end(), bits) != p.ring_bits.end()) return;
  throw ConfigError(
      fmt::format("--ring {}: {} is not built over Z_2^{} (its rings: {}; `sqt protocols` lists all)", bits,
                  p.name, bits, fmt::join(p.ring_bits, ", ")));
}

int checked_parties(const ProtocolInfo& p, int requested, std::string_view source) {
  if (requested == 0) return p.min_parties;
  if (requested < p.min_parties || requested > p.max_parties) {
    const std::string range = p.min_parties == p.max_parties
                                  ? p.parties_text()
                                  : fmt::format("{} to {}", p.min_parties, p.max_parties);
    throw ConfigError(
        fmt::format("{}: {} runs with {} part{}",
                    source.empty() ? fmt::format("--parties {}", requested) : std::string(source), p.name,
                    range, p.max_parties == 1 ? "y" : "ies"));
  }
  return requested;
}

void check_party_id(const ProtocolInfo& p, int parties, std::string_view flag, int id) {
  if (id >= 0 && id < parties) return;
  throw ConfigError(fmt::format("{} {}: {} runs with {} part{} (ids 0 to {})", flag, id, p.name, parties,
                                parties == 1 ? "y" : "ies", parties - 1));
}

std::string protocol_table() {
  std::string out = fmt::format("{:<11} {:<8} {:<12} {:<10} {:<14} {:<8} {}\n", "name", "parties", "security",
                                "majority", "ring", "status", "scheme");
  for (const auto& p : protocol_registry()) {
    out += fmt::format("{:<11} {:<8} {:<12} {:<10} {:<14} {:<8} {}\n", p.name, p.parties_text(),
                       to_string(p.security), to_string(p.majority), p.ring_text(),
                       p.built ? "built" : "planned", p.summary);
  }
  return out;
}

}  // namespace sqt::cli
