#include "host/cli/protocol_registry.h"

#include <fmt/core.h>
#include <fmt/ranges.h>

#include "host/core/error.h"

namespace sqt::cli {

std::string ProtocolInfo::parties_text() const {
  return min_parties == max_parties ? std::to_string(min_parties)
                                    : fmt::format("{}-{}", min_parties, max_parties);
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
  static const std::vector<ProtocolInfo> registry = {
      {"rep3", 3, 3, Security::kSemiHonest, Majority::kHonest, "Z_2^64", true,
       "replicated secret sharing, one corrupted party"},
      {"clear", 1, 1, Security::kNone, Majority::kNotApplicable, "Z_2^64", true,
       "emulation: rep3's fixed-point algorithms on cleartext ring values (one process)"},
      {"plain", 1, 1, Security::kNone, Majority::kNotApplicable, "float32", true,
       "float reference trainer (oneDNN), not MPC"},
      {"rep4", 4, 4, Security::kMalicious, Majority::kHonest, "Z_2^64", false,
       "four-party replicated sharing with abort"},
      {"mal-rep3", 3, 3, Security::kMalicious, Majority::kHonest, "Z_2^64", false,
       "three-party replicated sharing, verified in batches, with abort"},
      {"shamir", 3, 10, Security::kSemiHonest, Majority::kHonest, "GR(2^64, 4)", false,
       "Shamir sharing over a Galois ring, t = floor((n-1)/2)"},
      {"mal-shamir", 3, 10, Security::kMalicious, Majority::kHonest, "GR(2^64, 4)", false,
       "Shamir with verified multiplications"},
      {"semi2k", 2, 10, Security::kSemiHonest, Majority::kDishonest, "Z_2^64", false,
       "additive sharing, OT- or HE-based triples"},
      {"spdz2k", 2, 10, Security::kMalicious, Majority::kDishonest, "Z_2^(64+s)", false,
       "SPDZ2k MACs, authenticated triples"},
  };
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

std::string protocol_table() {
  std::string out = fmt::format("{:<11} {:<8} {:<12} {:<10} {:<12} {:<8} {}\n", "name", "parties", "security",
                                "majority", "ring", "status", "scheme");
  for (const auto& p : protocol_registry()) {
    out += fmt::format("{:<11} {:<8} {:<12} {:<10} {:<12} {:<8} {}\n", p.name, p.parties_text(),
                       to_string(p.security), to_string(p.majority), p.ring, p.built ? "built" : "planned",
                       p.summary);
  }
  return out;
}

}  // namespace sqt::cli
