// `sqt plot METRICS.jsonl... --out FILE.png [--x time|epoch]`: test accuracy
// of one or more training runs (the JSON lines of `sqt train --metrics`)
// against elapsed training time or epoch, one line per run, drawn by gnuplot.
//
// No text from the metrics reaches the gnuplot script: each run's label is
// the column header of its own data file (`title columnheader(2)`), and the
// script, data and PNG live in a private temporary folder before the PNG is
// copied to --out. gnuplot is started the way `sqt bench report` starts it
// (bench/netns/command_runner.h).
#include <fmt/core.h>
#include <stdlib.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "bench/netns/command_runner.h"
#include "host/cli/commands.h"
#include "host/core/error.h"

namespace sqt::cli {
namespace {

namespace fs = std::filesystem;

struct PlotFlags {
  std::vector<std::string> files;
  std::string out;
  std::string x = "time";
  std::string gnuplot = "gnuplot";
};

struct Point {
  double x = 0;
  double accuracy = 0;  // percent
};

// One training run: consecutive epoch records of one file with the same
// model, protocol and seed and increasing epoch numbers.
struct Series {
  std::string file;
  std::string model, protocol;
  std::optional<std::uint64_t> seed;
  std::vector<Point> points;
  int last_epoch = 0;
  double last_elapsed = 0, time_offset = 0;
  std::string label;
};

std::string where(const std::string& file, long line) { return fmt::format("{}:{}", file, line); }

double number_field(const nlohmann::json& j, const char* key, const std::string& at) {
  const auto it = j.find(key);
  if (it == j.end() || !it->is_number())
    throw FileError(fmt::format("sqt plot: {}: field '{}' is missing or not a number", at, key));
  const double v = it->get<double>();
  if (!std::isfinite(v)) throw FileError(fmt::format("sqt plot: {}: field '{}' is not finite", at, key));
  return v;
}

std::string string_field(const nlohmann::json& j, const char* key, const std::string& at) {
  const auto it = j.find(key);
  if (it == j.end() || it->is_null()) return "";
  if (!it->is_string()) throw FileError(fmt::format("sqt plot: {}: field '{}' must be a string", at, key));
  return it->get<std::string>();
}

// Reads one metrics file. Lines without an "epoch" field are not epoch
// records and are skipped; blank lines too.
std::vector<Series> read_metrics(const std::string& file, bool by_time) {
  std::error_code ec;
  if (fs::is_directory(file, ec))
    throw FileError(fmt::format("sqt plot: {}: is a folder, not a metrics file", file));
  std::ifstream in(file);
  if (!in) throw FileError(fmt::format("sqt plot: {}: cannot open ({})", file, std::strerror(errno)));
  std::vector<Series> runs;
  std::string text;
  long line = 0;
  while (std::getline(in, text)) {
    ++line;
    if (text.find_first_not_of(" \t\r") == std::string::npos) continue;
    const std::string at = where(file, line);
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(text);
    } catch (const nlohmann::json::parse_error& e) {
      throw FileError(fmt::format("sqt plot: {}: not valid JSON ({})", at, e.what()));
    }
    if (!j.is_object())
      throw FileError(fmt::format("sqt plot: {}: expected a JSON object (one epoch record per line)", at));
    if (!j.contains("epoch")) continue;
    if (!j["epoch"].is_number_integer() || j["epoch"].get<long long>() < 1)
      throw FileError(fmt::format("sqt plot: {}: field 'epoch' must be a positive integer", at));
    const int epoch = static_cast<int>(j["epoch"].get<long long>());
    const double accuracy = number_field(j, "test_accuracy", at);
    if (accuracy < 0 || accuracy > 1)
      throw FileError(fmt::format("sqt plot: {}: field 'test_accuracy' is {}, expected 0..1", at, accuracy));
    double elapsed = 0;
    if (by_time) {
      elapsed = number_field(j, "elapsed_s", at);
      if (elapsed < 0) throw FileError(fmt::format("sqt plot: {}: field 'elapsed_s' is negative", at));
    }
    const std::string model = string_field(j, "model", at), protocol = string_field(j, "protocol", at);
    std::optional<std::uint64_t> seed;
    if (j.contains("seed") && j["seed"].is_number_unsigned()) seed = j["seed"].get<std::uint64_t>();

    // `--metrics` appends: a new run starts when the epochs start over or the
    // run's identity changes. A resumed run continues the line; its elapsed_s
    // restarts, so the time of the run it continues is added.
    Series* s = runs.empty() ? nullptr : &runs.back();
    if (s == nullptr || epoch <= s->last_epoch || s->model != model || s->protocol != protocol ||
        s->seed != seed) {
      runs.push_back({file, model, protocol, seed, {}, 0, 0, 0, ""});
      s = &runs.back();
    } else if (elapsed < s->last_elapsed) {
      s->time_offset = s->points.back().x;
    }
    s->points.push_back({by_time ? elapsed + s->time_offset : static_cast<double>(epoch), 100 * accuracy});
    s->last_epoch = epoch;
    s->last_elapsed = elapsed;
  }
  if (in.bad()) throw FileError(fmt::format("sqt plot: {}: read error after line {}", file, line));
  if (runs.empty()) {
    throw FileError(
        fmt::format("sqt plot: {}: no epoch records ({} lines; expected JSON lines with \"epoch\" and "
                    "\"test_accuracy\" as written by `sqt train --metrics`)",
                    file, line));
  }
  return runs;
}

// "A rep3"; runs that would share a label get their seed, then a number.
void assign_labels(std::vector<Series>& runs) {
  for (auto& s : runs) {
    s.label = s.model;
    if (!s.protocol.empty()) s.label += (s.label.empty() ? "" : " ") + s.protocol;
    if (s.label.empty()) s.label = fs::path(s.file).filename().string();
  }
  // Counted over the labels before each pass, so renaming one run does not
  // hide that its twin needs a new name too.
  auto count = [](const std::vector<std::string>& labels, const std::string& label) {
    return static_cast<std::size_t>(std::count(labels.begin(), labels.end(), label));
  };
  auto labels = [&] {
    std::vector<std::string> l;
    for (const auto& s : runs) l.push_back(s.label);
    return l;
  };
  std::vector<std::string> base = labels();
  for (std::size_t i = 0; i < runs.size(); ++i)
    if (count(base, base[i]) > 1 && runs[i].seed)
      runs[i].label = fmt::format("{} seed {}", base[i], *runs[i].seed);
  base = labels();
  std::map<std::string, int> seen;
  for (std::size_t i = 0; i < runs.size(); ++i)
    if (count(base, base[i]) > 1) runs[i].label = fmt::format("{} #{}", base[i], ++seen[base[i]]);
  // Tabs and line breaks would split the data file's header line.
  for (auto& s : runs)
    for (char& c : s.label)
      if (c == '\t' || c == '\n' || c == '\r') c = ' ';
}

// A private folder for the script, the data and the PNG; removed on exit.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "sqt-plot-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr)
      throw FileError(fmt::format("sqt plot: cannot create a temporary folder in {} ({})",
                                  fs::temp_directory_path().string(), std::strerror(errno)));
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

void write_plot(const std::vector<Series>& runs, const PlotFlags& f, const std::string& dir) {
  const bool by_time = f.x == "time";
  int max_epoch = 1;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const std::string path = fmt::format("{}/run-{}.dat", dir, i);
    std::ofstream data(path);
    if (!data) throw FileError("sqt plot: cannot write " + path);
    data << (by_time ? "elapsed_s" : "epoch") << '\t' << runs[i].label << '\n';
    for (const auto& p : runs[i].points) {
      data << fmt::format("{}\t{}\n", p.x, p.accuracy);
      if (!by_time) max_epoch = std::max(max_epoch, static_cast<int>(p.x));
    }
  }
  std::ofstream script(dir + "/plot.gp");
  if (!script) throw FileError("sqt plot: cannot write " + dir + "/plot.gp");
  script << "set terminal pngcairo size 900,560 font 'sans,10' noenhanced\n"
         << "set output 'plot.png'\n"
         << "set datafile separator '\\t'\n"
         << "set title 'Test accuracy during training'\n"
         << "set xlabel '" << (by_time ? "elapsed training time (s)" : "epoch") << "'\n"
         << "set ylabel 'test accuracy (%)'\n"
         << "set key noenhanced below\nset grid\nset format y '%g'\n"
         << (by_time ? "set xrange [0:*]\n" : "")
         << (!by_time && max_epoch <= 30
                 ? "set xtics 1\nset xrange [0.5:" + std::to_string(max_epoch) + ".5]\n"
                 : "")
         << "plot ";
  for (std::size_t i = 0; i < runs.size(); ++i) {
    script << (i ? ", \\\n     " : "") << "'run-" << i
           << ".dat' using 1:2 with linespoints linewidth 2 pointtype 7 title columnheader(2)";
  }
  script << '\n';
}

void run_plot(const PlotFlags& f) {
  const bool by_time = f.x == "time";
  std::vector<Series> runs;
  for (const auto& file : f.files) {
    auto r = read_metrics(file, by_time);
    runs.insert(runs.end(), r.begin(), r.end());
  }
  assign_labels(runs);

  const fs::path out = fs::absolute(f.out);
  if (!fs::is_directory(out.parent_path()))
    throw FileError(
        fmt::format("sqt plot: --out {}: folder {} does not exist", f.out, out.parent_path().string()));
  if (fs::is_directory(out)) throw FileError(fmt::format("sqt plot: --out {} is a folder", f.out));

  const std::string gnuplot = bench::netns::resolve_program(f.gnuplot);
  const auto version = bench::netns::run_command({gnuplot, "--version"});
  if (version.exit_code != 0) {
    throw Error(fmt::format(
        "sqt plot: gnuplot ('{}') cannot be started: {}; install it (apt-get install gnuplot-nox) or "
        "name it with --gnuplot",
        f.gnuplot, version.output));
  }

  TempDir dir;
  write_plot(runs, f, dir.path());
  const auto result =
      bench::netns::run_command({"sh", "-c", "cd \"$0\" && \"$1\" plot.gp", dir.path(), gnuplot});
  if (result.exit_code != 0 || !fs::is_regular_file(dir.path() + "/plot.png")) {
    throw Error(fmt::format("sqt plot: gnuplot failed (exit code {}): {}", result.exit_code, result.output));
  }
  std::error_code ec;
  fs::copy_file(dir.path() + "/plot.png", out, fs::copy_options::overwrite_existing, ec);
  if (ec) throw FileError(fmt::format("sqt plot: --out {}: cannot write ({})", f.out, ec.message()));
  std::size_t points = 0;
  for (const auto& s : runs) points += s.points.size();
  fmt::print("wrote {} ({} run{}, {} epoch record{})\n", f.out, runs.size(), runs.size() == 1 ? "" : "s",
             points, points == 1 ? "" : "s");
}

}  // namespace

void add_plot_command(CLI::App& app) {
  auto f = std::make_shared<PlotFlags>();
  CLI::App* cmd = app.add_subcommand(
      "plot", "Draw test accuracy against training time or epoch from `sqt train --metrics` files (PNG)");
  cmd->add_option("files", f->files, "metrics files (JSON lines of sqt train --metrics), one line per run")
      ->required()
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  cmd->add_option("--out", f->out, "PNG file to write")->required();
  cmd->add_option("--x", f->x, "x axis: time (elapsed_s) or epoch")
      ->check(CLI::IsMember({"time", "epoch"}))
      ->capture_default_str();
  cmd->add_option("--gnuplot", f->gnuplot, "gnuplot program")->capture_default_str();
  cmd->callback([f] { run_plot(*f); });
}

}  // namespace sqt::cli
