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
// a name that shares its first path segment ("gemm/256" <- "gemm/naive") or
// is a prefix of it. nullptr when there is none or `r` is a baseline itself.
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

// "gemm/256" -> "gemm".
std::string first_segment(const std::string& name);

}  // namespace sqt::bench::report
