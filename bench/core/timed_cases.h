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

// Cases of one family: the same metric, work per iteration and parameters;
// each add() appends one with its own name, baseline flag and body.
struct TimedCaseFamily {
  std::vector<TimedCase>& cases;
  std::string metric;
  double work_per_iteration = 0;
  nlohmann::json params = nlohmann::json::object();
  void add(std::string name, bool baseline, std::function<void()> body) const {
    cases.push_back({std::move(name), metric, work_per_iteration, std::move(body), params, baseline});
  }
};

// Runs every case (options.repeats repetitions, shorter in quick mode),
// writes the results under `suite` and returns them in case order.
std::vector<Result> run_timed_cases(SuiteContext& context, const std::string& suite,
                                    const std::vector<TimedCase>& cases);

}  // namespace sqt::bench
