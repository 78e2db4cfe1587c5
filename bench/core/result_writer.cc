#include "bench/core/result_writer.h"

#include <fmt/core.h>

#include <fstream>
#include <map>
#include <ostream>
#include <thread>

#include "host/core/error.h"
#include "simd/targets.h"
#include "sqt_git_commit.h"  // generated at build time: SQT_GIT_COMMIT

namespace sqt::bench {

MachineInfo detect_machine() {
  MachineInfo info;
  std::ifstream cpuinfo("/proc/cpuinfo");
  for (std::string line; std::getline(cpuinfo, line);) {
    if (line.rfind("model name", 0) == 0) {
      const auto colon = line.find(':');
      if (colon != std::string::npos) info.cpu_model = line.substr(line.find_first_not_of(" \t", colon + 1));
      break;
    }
  }
  if (info.cpu_model.empty()) info.cpu_model = "unknown";
  info.cores = std::thread::hardware_concurrency();
  info.simd_target = simd::dispatched_target_name();
  info.git_commit = SQT_GIT_COMMIT;
  return info;
}

std::string baseline_group(const std::string& name) {
  const auto slash = name.rfind('/');
  return slash == std::string::npos ? name : name.substr(0, slash);
}

ResultWriter::ResultWriter(const std::string& path, MachineInfo machine, nlohmann::json run_fields,
                           bool append)
    : path_(path), machine_(std::move(machine)), run_fields_(std::move(run_fields)) {
  if (!path_.empty()) {
    file_.open(path_, std::ios::out | (append ? std::ios::app : std::ios::trunc));
    if (!file_) throw FileError("cannot open benchmark output file '" + path_ + "' for writing");
  }
}

nlohmann::json ResultWriter::to_json(const Result& r) const {
  nlohmann::json line = nlohmann::json::object();
  line["suite"] = r.suite;
  line["name"] = r.name;
  line["metric"] = r.metric;
  line["value"] = r.value;
  if (r.baseline) line["baseline"] = true;
  for (const auto& [key, value] : r.params.items()) line[key] = value;
  for (const auto& [key, value] : run_fields_.items()) line[key] = value;
  line["cpu_model"] = machine_.cpu_model;
  line["cores"] = machine_.cores;
  line["simd_target"] = machine_.simd_target;
  line["git_commit"] = machine_.git_commit;
  return line;
}

void ResultWriter::write(const Result& result) {
  results_.push_back(result);
  if (file_.is_open()) {
    file_ << to_json(result).dump() << '\n';
    file_.flush();
    if (!file_) throw FileError("writing benchmark output file '" + path_ + "' failed");
  }
}

void ResultWriter::close() {
  if (file_.is_open()) file_.close();
}

void ResultWriter::reopen_for_append() {
  if (path_.empty() || file_.is_open()) return;
  file_.open(path_, std::ios::out | std::ios::app);
  if (!file_) throw FileError("cannot reopen benchmark output file '" + path_ + "' for appending");
}

void ResultWriter::print_table(std::ostream& out) const {
  std::map<std::pair<std::string, std::string>, double> baselines;  // (group, metric) -> value
  for (const Result& r : results_) {
    if (r.baseline) baselines[{baseline_group(r.name), r.metric}] = r.value;
  }
  std::size_t width = 4;
  for (const Result& r : results_) width = std::max(width, r.suite.size() + 1 + r.name.size());
  out << fmt::format("{:<{}}  {:>14}  {:<14}  {:>10}\n", "case", width, "value", "metric", "x baseline");
  for (const Result& r : results_) {
    std::string ratio = r.baseline ? "baseline" : "";
    const auto it = baselines.find({baseline_group(r.name), r.metric});
    if (!r.baseline && it != baselines.end() && it->second > 0)
      ratio = fmt::format("{:.2f}", r.value / it->second);
    out << fmt::format("{:<{}}  {:>14.4g}  {:<14}  {:>10}\n", r.suite + ":" + r.name, width, r.value,
                       r.metric, ratio);
  }
}

}  // namespace sqt::bench
