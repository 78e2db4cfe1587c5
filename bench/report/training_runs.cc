#include "bench/report/training_runs.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "host/core/error.h"

namespace sqt::bench::report {
namespace {

namespace fs = std::filesystem;

// Flags that change where or how fast a run goes, or only what it prints,
// not what it trains; --protocol, --init and --trunc tell twins apart, and
// --parties goes with --protocol (the clear twin of a 10-party run is clear's).
const std::set<std::string> kNotRecipe = {
    "--model",      "--protocol", "--init",         "--trunc",      "--quiet",  "--data",
    "--metrics",    "--loss",     "--threads",      "--backend",    "--config", "--resume",
    "--checkpoint", "--export",   "--export-party", "--eval-batch", "--conv",   "--parties"};

// Flags that take no value.
const std::set<std::string> kSwitches = {"--standardize", "--quiet", "--loss", "--resume"};

std::vector<std::pair<std::string, std::string>> parse_flags(const std::string& command) {
  std::istringstream in(command);
  std::vector<std::string> words;
  for (std::string w; in >> w;) words.push_back(w);
  std::vector<std::pair<std::string, std::string>> flags;
  for (std::size_t i = 0; i < words.size(); ++i) {
    if (words[i].rfind("--", 0) != 0) continue;
    const auto eq = words[i].find('=');
    if (eq != std::string::npos) {
      flags.emplace_back(words[i].substr(0, eq), words[i].substr(eq + 1));
    } else if (!kSwitches.count(words[i]) && i + 1 < words.size() && words[i + 1].rfind("--", 0) != 0) {
      flags.emplace_back(words[i], words[i + 1]);
      ++i;
    } else {
      flags.emplace_back(words[i], "");
    }
  }
  return flags;
}

double number(const nlohmann::json& j, const char* key, const std::string& at) {
  const auto it = j.find(key);
  if (it == j.end() || !it->is_number())
    throw FileError(at + ": field '" + key + "' is missing or not a number");
  const double v = it->get<double>();
  if (!std::isfinite(v) || v < 0) throw FileError(at + ": field '" + key + "' must be finite and >= 0");
  return v;
}

std::optional<double> optional_number(const nlohmann::json& j, const char* key, const std::string& at) {
  if (!j.contains(key) || j[key].is_null()) return std::nullopt;
  return number(j, key, at);
}

std::string text(const nlohmann::json& j, const char* key, const std::string& at) {
  const auto it = j.find(key);
  if (it == j.end() || it->is_null()) return "";
  if (!it->is_string()) throw FileError(at + ": field '" + key + "' must be a string");
  return it->get<std::string>();
}

nlohmann::json parse_object(const std::string& line, const std::string& at) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(line);
  } catch (const nlohmann::json::parse_error& e) {
    throw FileError(at + ": not valid JSON (" + e.what() + ")");
  }
  if (!j.is_object()) throw FileError(at + ": expected one JSON object per line");
  return j;
}

struct ManifestEntry {
  std::string metrics;
  int run = 1;
  std::string command, commit, machine, date, note;
  std::vector<double> milestones;
  std::string source;
};

ManifestEntry parse_entry(const nlohmann::json& j, const std::string& at) {
  ManifestEntry e;
  e.source = at;
  for (const char* key : {"metrics", "command", "commit", "machine", "date"}) {
    if (text(j, key, at).empty()) throw FileError(at + ": field '" + key + "' is missing or empty");
  }
  e.metrics = text(j, "metrics", at);
  if (e.metrics.find('/') != std::string::npos)
    throw FileError(at + ": 'metrics' must be a file name beside the manifest, not a path");
  e.command = text(j, "command", at);
  e.commit = text(j, "commit", at);
  e.machine = text(j, "machine", at);
  e.date = text(j, "date", at);
  e.note = text(j, "note", at);
  if (j.contains("run")) {
    if (!j["run"].is_number_integer() || j["run"].get<long long>() < 1)
      throw FileError(at + ": field 'run' must be a positive integer");
    e.run = static_cast<int>(j["run"].get<long long>());
  }
  if (j.contains("milestones")) {
    if (!j["milestones"].is_array())
      throw FileError(at + ": field 'milestones' must be a list of percentages");
    for (const auto& m : j["milestones"]) {
      if (!m.is_number() || m.get<double>() <= 0 || m.get<double>() > 100)
        throw FileError(at + ": 'milestones' holds " + m.dump() + ", expected percentages in (0, 100]");
      e.milestones.push_back(m.get<double>());
    }
  }
  return e;
}

std::string protocol_in(const std::string& command) {
  const std::string p = flag_value(command, "--protocol");
  return p.empty() ? "rep3" : p;  // sqt train's default
}

}  // namespace

const EpochRecord& TrainingRun::peak() const {
  return *std::max_element(epochs.begin(), epochs.end(), [](const EpochRecord& a, const EpochRecord& b) {
    return a.accuracy < b.accuracy;
  });
}

std::string flag_value(const std::string& command, const std::string& flag) {
  for (const auto& [name, value] : parse_flags(command))
    if (name == flag) return value.empty() ? "yes" : value;
  return "";
}

std::string recipe_of(const std::string& command) {
  std::vector<std::string> parts;
  for (const auto& [name, value] : parse_flags(command)) {
    if (kNotRecipe.count(name)) continue;
    parts.push_back(value.empty() ? name : name + " " + value);
  }
  std::sort(parts.begin(), parts.end());
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : " ") + p;
  return out;
}

std::vector<TrainingRun> read_metrics_runs(const std::string& path, const std::string& name) {
  std::ifstream in(path);
  if (!in) throw FileError(path + ": cannot open metrics file");
  std::vector<TrainingRun> runs;
  std::optional<unsigned long long> seed;
  double time_offset = 0, bytes_offset = 0, rounds_offset = 0;
  std::string line;
  long number_of_line = 0;
  while (std::getline(in, line)) {
    ++number_of_line;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const std::string at = path + ":" + std::to_string(number_of_line);
    const nlohmann::json j = parse_object(line, at);
    if (!j.contains("epoch") || !j["epoch"].is_number_integer() || j["epoch"].get<long long>() < 1)
      throw FileError(at + ": field 'epoch' is missing or not a positive integer");
    EpochRecord r;
    r.source = at;
    r.epoch = static_cast<int>(j["epoch"].get<long long>());
    r.accuracy = number(j, "test_accuracy", at);
    if (r.accuracy > 1) throw FileError(at + ": field 'test_accuracy' is above 1 (expected a fraction)");
    r.elapsed_s = number(j, "elapsed_s", at);
    r.train_s = optional_number(j, "train_s", at);
    r.test_s = optional_number(j, "test_s", at);
    r.bytes_sent = optional_number(j, "bytes_sent", at).value_or(0);
    r.rounds = optional_number(j, "rounds", at).value_or(0);
    r.batches = static_cast<long>(number(j, "batches", at));
    const std::string model = text(j, "model", at), protocol = text(j, "protocol", at);
    if (model.empty() || protocol.empty())
      throw FileError(at + ": fields 'model' and 'protocol' are required");
    std::optional<unsigned long long> this_seed;
    if (j.contains("seed") && j["seed"].is_number_unsigned()) this_seed = j["seed"].get<unsigned long long>();

    TrainingRun* run = runs.empty() ? nullptr : &runs.back();
    if (run == nullptr || r.epoch <= run->last().epoch || run->model != model || run->protocol != protocol ||
        seed != this_seed) {
      runs.emplace_back();
      run = &runs.back();
      run->metrics = name;
      run->index = static_cast<int>(runs.size());
      run->model = model;
      run->protocol = protocol;
      run->init = text(j, "init", at);
      run->seed = this_seed;
      seed = this_seed;
      time_offset = bytes_offset = rounds_offset = 0;
    } else if (r.elapsed_s + time_offset < run->last().elapsed_s) {
      // A resumed run: its clock and counters start again from zero.
      time_offset = run->last().elapsed_s;
      bytes_offset = run->last().bytes_sent;
      rounds_offset = run->last().rounds;
    }
    r.elapsed_s += time_offset;
    r.bytes_sent += bytes_offset;
    r.rounds += rounds_offset;
    run->epochs.push_back(r);
  }
  if (in.bad()) throw FileError(path + ": read error after line " + std::to_string(number_of_line));
  if (runs.empty()) throw FileError(path + ": no epoch records (expected `sqt train --metrics` lines)");
  return runs;
}

std::vector<TrainingRun> load_training_runs(const std::string& manifest_path) {
  std::ifstream in(manifest_path);
  if (!in) throw FileError(manifest_path + ": cannot open manifest");
  const fs::path dir = fs::path(manifest_path).parent_path();
  std::vector<ManifestEntry> entries;
  std::string line;
  long n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const std::string at = manifest_path + ":" + std::to_string(n);
    entries.push_back(parse_entry(parse_object(line, at), at));
  }
  if (entries.empty()) throw FileError(manifest_path + ": lists no runs");

  // Each listed file once, in first-listed order.
  std::vector<std::string> files;
  for (const auto& e : entries)
    if (std::find(files.begin(), files.end(), e.metrics) == files.end()) files.push_back(e.metrics);

  std::vector<TrainingRun> out;
  for (const auto& file : files) {
    auto runs = read_metrics_runs((dir / file).string(), file);
    std::vector<const ManifestEntry*> by_run(runs.size() + 1, nullptr);
    for (const auto& e : entries) {
      if (e.metrics != file) continue;
      if (e.run > static_cast<int>(runs.size()))
        throw FileError(e.source + ": run " + std::to_string(e.run) + " of " + file + ", which holds " +
                        std::to_string(runs.size()) + " run(s)");
      if (by_run[e.run])
        throw FileError(e.source + ": run " + std::to_string(e.run) + " of " + file +
                        " is already listed at " + by_run[e.run]->source);
      by_run[e.run] = &e;
    }
    for (auto& run : runs) {
      const ManifestEntry* e = by_run[run.index];
      if (!e)
        throw FileError(manifest_path + ": run " + std::to_string(run.index) + " of " + file + " (from " +
                        run.epochs.front().source + ") has no entry; add one with its command");
      const std::string model = flag_value(e->command, "--model");
      if (model != run.model || protocol_in(e->command) != run.protocol)
        throw FileError(e->source + ": the command trains " + (model.empty() ? "?" : model) + " under " +
                        protocol_in(e->command) + ", but run " + std::to_string(run.index) + " of " + file +
                        " is " + run.model + " under " + run.protocol);
      const std::string seed = flag_value(e->command, "--seed");
      if (run.seed && std::to_string(*run.seed) != (seed.empty() ? "1" : seed))
        throw FileError(e->source + ": the command's seed is " + (seed.empty() ? "1 (default)" : seed) +
                        ", but run " + std::to_string(run.index) + " of " + file + " has seed " +
                        std::to_string(*run.seed));
      run.command = e->command;
      run.commit = e->commit;
      run.machine = e->machine;
      run.date = e->date;
      run.note = e->note;
      run.milestones = e->milestones;
      run.source = e->source;
      run.recipe = recipe_of(e->command);
      out.push_back(std::move(run));
    }
  }

  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir.empty() ? fs::path(".") : dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (entry.path().extension() != ".jsonl" || entry.path() == fs::path(manifest_path)) continue;
    if (name == fs::path(manifest_path).filename().string()) continue;
    if (std::find(files.begin(), files.end(), name) == files.end())
      throw FileError((dir / name).string() + ": metrics file not listed in " + manifest_path +
                      " (add an entry with its command)");
  }
  if (ec) throw FileError(dir.string() + ": cannot list (" + ec.message() + ")");
  return out;
}

}  // namespace sqt::bench::report
