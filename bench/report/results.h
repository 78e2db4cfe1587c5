// Benchmark results as `sqt bench` writes them: one JSON object per line with
// at least suite, name, metric and value; "baseline": true marks a baseline
// measured in the same run. Everything else is a parameter or run metadata.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace sqt::bench::report {

struct Result {
  std::string suite;
  std::string name;
  std::string metric;
  double value = 0;
  bool baseline = false;
  std::map<std::string, std::string> fields;  // every other key, as text
  std::string source;                         // "file:line", for messages
};

// Reads every non-empty line of every file. Throws sqt::FileError naming the
// file and line of anything that is not a result object.
std::vector<Result> load_results(const std::vector<std::string>& paths);

// Parses one line (exposed for tests).
Result parse_result(const std::string& line, const std::string& source);

// Keys whose value is the same on every result (machine, commit, ...): run
// metadata, shown once. The others are parameters, shown per row.
std::map<std::string, std::string> common_fields(const std::vector<Result>& results);

// The value of `key` in r.fields, or `fallback`.
std::string field_or(const Result& r, const std::string& key, const std::string& fallback = "");

// The network profile a result was measured on ("loopback" when unset).
std::string net_of(const Result& r);

}  // namespace sqt::bench::report
