// What the report derives from raw results: baseline ratios and the same
// measurement on several network profiles side by side.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "bench/report/results.h"

namespace sqt::bench::report {

// The baseline of the same run for `r`: same suite, metric and network, and
// the same name up to the last '/' (the runner's convention: "gemm/256/hwy"
// <- "gemm/256/naive"); failing that, the same first segment. nullptr when
// there is none or `r` is a baseline itself.
const Result* find_baseline(const Result& r, const std::vector<Result>& all);

// A measurement identified by everything except the network profile.
struct Comparison {
  std::string suite;
  std::string name;
  std::string metric;
  std::string parameters;                // the other varying fields, "k=v ..."
  std::map<std::string, double> by_net;  // "lan" -> value, "wan" -> value
};

// Measurements present on at least two networks, in first-seen order.
std::vector<Comparison> compare_networks(const std::vector<Result>& all);

// The varying fields of r (not common to the whole run, not "net"), "k=v k=v".
std::string parameters_of(const Result& r, const std::map<std::string, std::string>& common);

// Machine and run-option keys (cpu_model, git_commit, net_* link facts ...):
// never parameters of a measurement, even when they differ between files.
bool is_run_metadata(const std::string& key);

// "gemm/256/hwy" -> "gemm/256".
std::string baseline_prefix(const std::string& name);

// "gemm/256" -> "gemm".
std::string first_segment(const std::string& name);

}  // namespace sqt::bench::report
