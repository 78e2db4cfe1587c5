// Benchmark results: one JSON object per line (the format docs/CLI.md and
// `sqt bench report` read) plus a human-readable table on stdout.
//
// Every line carries suite, name, metric, value, the case's parameters, the
// machine (cpu_model, cores, simd_target), the git commit and the run options;
// baseline rows add "baseline": true and share the name prefix (up to the
// last '/') of the rows they are the baseline for.
#pragma once

#include <fstream>
#include <iosfwd>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace sqt::bench {

struct MachineInfo {
  std::string cpu_model;    // "model name" from /proc/cpuinfo
  unsigned cores = 0;       // hardware threads
  std::string simd_target;  // Highway target chosen by runtime dispatch
  std::string git_commit;   // `git rev-parse --short HEAD` at build time (+"-dirty"), or "unknown"
};

MachineInfo detect_machine();

struct Result {
  std::string suite;
  std::string name;
  std::string metric;  // mac_per_s, bytes_per_s, elements_per_s, seconds, bytes, ...
  double value = 0;
  bool baseline = false;
  nlohmann::json params = nlohmann::json::object();
};

class ResultWriter {
 public:
  // An empty path writes no file (table only). `run_fields` (e.g. quick,
  // repeats, backend) are added to every line. `append` keeps existing lines
  // (a run split over several processes). Throws sqt::FileError when the
  // file cannot be opened.
  ResultWriter(const std::string& path, MachineInfo machine, nlohmann::json run_fields, bool append = false);

  // Writes the line at once (flushed), keeps the row for the table.
  void write(const Result& result);

  // Closes the file (another process appends to it) and reopens it for
  // appending; no-ops without a file.
  void close();
  void reopen_for_append();

  // The JSON object written for a result (exposed for tests).
  nlohmann::json to_json(const Result& result) const;

  // Rows so far, with the ratio to their baseline where one exists.
  void print_table(std::ostream& out) const;

  const std::vector<Result>& results() const { return results_; }

 private:
  std::string path_;
  std::ofstream file_;
  MachineInfo machine_;
  nlohmann::json run_fields_;
  std::vector<Result> results_;
};

// Name prefix shared by a row and its baseline: everything before the last '/'.
std::string baseline_group(const std::string& name);

}  // namespace sqt::bench
