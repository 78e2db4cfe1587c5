#include "bench/core/timed_cases.h"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <map>

namespace sqt::bench {
namespace {

// Collects the seconds per iteration of every repetition, by benchmark name.
class CollectingReporter : public benchmark::BenchmarkReporter {
 public:
  bool ReportContext(const Context&) override { return true; }
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& run : runs) {
      if (run.run_type != Run::RT_Iteration || run.error_occurred || run.iterations == 0) continue;
      const double seconds = run.real_accumulated_time / static_cast<double>(run.iterations);
      seconds_[run.run_name.function_name].push_back(seconds);
    }
  }
  std::vector<double> seconds(const std::string& name) const {
    const auto it = seconds_.find(name);
    return it == seconds_.end() ? std::vector<double>{} : it->second;
  }

 private:
  std::map<std::string, std::vector<double>> seconds_;
};

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

}  // namespace

std::vector<Result> run_timed_cases(SuiteContext& context, const std::string& suite,
                                    const std::vector<TimedCase>& cases) {
  const int repeats = std::max(1, context.options.repeats);
  const double min_time = context.options.quick ? 0.02 : 0.2;
  benchmark::ClearRegisteredBenchmarks();
  // --only: the named cases, plus the baselines their ratios refer to.
  const auto& only = context.options.only;
  auto named = [&](const std::string& name) { return !only.empty() && selected_by(only, name); };
  auto prefix = [](const std::string& name) { return name.substr(0, name.rfind('/')); };
  auto selected = [&](std::size_t i) {
    if (only.empty() || named(cases[i].name)) return true;
    return cases[i].baseline && std::any_of(cases.begin(), cases.end(), [&](const TimedCase& c) {
             return named(c.name) && prefix(c.name) == prefix(cases[i].name);
           });
  };
  for (std::size_t i = 0; i < cases.size(); ++i) {
    if (!selected(i)) continue;
    const TimedCase* c = &cases[i];
    benchmark::RegisterBenchmark(("case" + std::to_string(i)).c_str(),
                                 [c](benchmark::State& state) {
                                   for (auto _ : state) c->body();
                                 })
        ->Repetitions(repeats)
        ->MinTime(min_time)
        ->UseRealTime()
        ->ReportAggregatesOnly(false);
  }
  CollectingReporter reporter;
  if (std::any_of(cases.begin(), cases.end(),
                  [&](const TimedCase& c) { return selected(&c - cases.data()); }))
    benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::ClearRegisteredBenchmarks();

  std::vector<Result> out;
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const auto seconds = reporter.seconds("case" + std::to_string(i));
    if (seconds.empty()) continue;
    const double s = median(seconds);
    Result r;
    r.suite = suite;
    r.name = cases[i].name;
    r.metric = cases[i].metric;
    r.value = s > 0 ? cases[i].work_per_iteration / s : 0;
    r.baseline = cases[i].baseline;
    r.params = cases[i].params;
    r.params["seconds_per_iteration"] = s;
    r.params["repeats"] = static_cast<int>(seconds.size());
    context.writer.write(r);
    out.push_back(r);
  }
  return out;
}

}  // namespace sqt::bench
