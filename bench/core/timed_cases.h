// Runs timed cases on Google Benchmark (programmatically, no command line)
// and writes one result per case: the median over the repetitions of
// work_per_iteration / seconds per iteration.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bench/core/suite.h"

namespace sqt::bench {

struct TimedCase {
  std::string name;               // result name; baselines share the prefix up to the last '/'
  std::string metric;             // rate metric, e.g. "mac_per_s", "bytes_per_s", "elements_per_s"
  double work_per_iteration = 0;  // units of the metric's numerator done by one call of body
  std::function<void()> body;     // one iteration
  nlohmann::json params = nlohmann::json::object();
  bool baseline = false;
};

// Runs every case (options.repeats repetitions, shorter in quick mode),
// writes the results under `suite` and returns them in case order.
std::vector<Result> run_timed_cases(SuiteContext& context, const std::string& suite,
                                    const std::vector<TimedCase>& cases);

}  // namespace sqt::bench
