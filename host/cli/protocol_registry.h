// The security models SQT knows, as data: the one place that says how many
// parties a model runs with, what it protects against, its ring, and
// whether it is built. `sqt protocols` prints it; `sqt train` validates
// --protocol and --export-party against it.
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
  std::string ring;     // "Z_2^64", "GR(2^64, 4)", "float32"
  bool built = false;   // false: planned (../shared/DESIGN.md section 5)
  std::string summary;  // one line for the table

  std::string parties_text() const;  // "3" or "3-10"
};

std::string_view to_string(Security s);
std::string_view to_string(Majority m);

// Every model, built ones first.
const std::vector<ProtocolInfo>& protocol_registry();

// The entry named `name`; ConfigError listing the known names otherwise,
// and naming the model as planned when it is not built yet.
const ProtocolInfo& find_built_protocol(std::string_view name);

// The registry as a fixed-width text table (one line per model).
std::string protocol_table();

}  // namespace sqt::cli
