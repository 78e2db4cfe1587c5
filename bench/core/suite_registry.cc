#include "bench/core/suite.h"
#include "host/core/error.h"

namespace sqt::bench {

void SuiteRegistry::add(Suite suite) {
  for (const Suite& s : suites_) {
    if (s.name == suite.name) throw ConfigError("benchmark suite '" + suite.name + "' is registered twice");
  }
  suites_.push_back(std::move(suite));
}

const Suite& SuiteRegistry::find(const std::string& name) const {
  for (const Suite& s : suites_) {
    if (s.name == name) return s;
  }
  std::string known;
  for (const Suite& s : suites_) known += (known.empty() ? "" : ", ") + s.name;
  throw ConfigError("unknown benchmark suite '" + name + "' (known: " + known + ")");
}

std::vector<std::string> SuiteRegistry::names() const {
  std::vector<std::string> out;
  for (const Suite& s : suites_) out.push_back(s.name);
  return out;
}

}  // namespace sqt::bench
