// The security models SQT knows, as data: the one place that says how many
// parties a model runs with, what it protects against, the rings it runs in,
// and whether it is built. `sqt protocols` prints it; `sqt train`, `sqt
// bench` and `sqt node` validate --protocol, --ring, --parties,
// --data-owner and --export-party against it. protocol_dispatch.h turns an
// entry and a ring into the protocol type.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sqt::cli {

enum class Security { kNone, kSemiHonest, kMalicious };
enum class Majority { kNotApplicable, kHonest, kDishonest };

struct ProtocolInfo {
  std::string name;
  int min_parties = 0, max_parties = 0;
  Security security = Security::kNone;
  Majority majority = Majority::kNotApplicable;
  // The algebra, "{}" standing for the ring's bits: "Z_2^{}", "GR(2^{}, 4)";
  // without "{}" ("float32") the model has no ring.
  std::string algebra;
  // The rings (bits) it runs in when built, or is designed for when planned;
  // empty when it has no ring. Each built (name, bits) has its case in
  // dispatch_protocol.
  std::vector<int> ring_bits;
  bool built = false;   // false: planned (../shared/DESIGN.md section 5)
  std::string summary;  // one line for the table

  std::string parties_text() const;       // "3" or "3-10"
  std::string ring_name(int bits) const;  // "Z_2^64"
  std::string ring_text() const;          // every ring: "Z_2^64" or "Z_2^64 Z_2^128"; "float32"
  bool has_ring() const { return !ring_bits.empty(); }
  // Runs as one process per party over a mesh (more than one party).
  bool networked() const { return max_parties > 1; }
};

std::string_view to_string(Security s);
std::string_view to_string(Majority m);

// Every model, built ones first.
const std::vector<ProtocolInfo>& protocol_registry();

// The entry named `name`; ConfigError listing the known names otherwise,
// and naming the model as planned when it is not built yet.
const ProtocolInfo& find_built_protocol(std::string_view name);

// ConfigError naming the model and the ring when `bits` is not one of its
// rings (`given`: the operator asked with --ring; a model without a ring
// refuses an explicit --ring and ignores the default).
void check_ring(const ProtocolInfo& p, int bits, bool given = true);

// The party count of a run: `requested` (0: not given, then the model's
// minimum), ConfigError naming the model and its range when outside it,
// after `source` (what asked for the count; default "--parties N").
int checked_parties(const ProtocolInfo& p, int requested, std::string_view source = {});

// ConfigError when party id `id` (of `flag`, e.g. "--data-owner") is not one
// of the run's `parties` parties, naming the model and the ids.
void check_party_id(const ProtocolInfo& p, int parties, std::string_view flag, int id);

// The registry as a fixed-width text table (one line per model).
std::string protocol_table();

}  // namespace sqt::cli
