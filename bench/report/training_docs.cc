#include "bench/report/training_docs.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "bench/netns/command_runner.h"
#include "bench/report/training_runs.h"
#include "bench/report/training_tables.h"
#include "host/core/error.h"

namespace sqt::bench::report {
namespace {

namespace fs = std::filesystem;

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw FileError(path + ": cannot read");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void write_text(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  if (!out) throw FileError(path + ": cannot write");
  out << text;
  if (!out) throw FileError(path + ": write failed");
}

// Replaces the generated section of `path`, or creates the document.
void update_document(const std::string& path, const std::string& title, const std::string& section) {
  if (!fs::exists(path)) {
    write_text(path, "# " + title + "\n\n" + section);
    return;
  }
  write_text(path, replace_generated(read_text(path), section, path));
}

// Per network, the metrics files holding a run of two or more epochs, drawn
// against wall clock and against epoch by `sqt plot`.
std::vector<PlotRef> draw_plots(const std::vector<TrainingRun>& runs, const TrainingDocsOptions& o,
                                std::vector<std::string>& written) {
  std::map<std::string, std::vector<std::string>> files;
  for (const auto& r : runs) {
    if (r.epochs.size() < 2) continue;
    auto& list = files[r.model];
    if (std::find(list.begin(), list.end(), r.metrics) == list.end()) list.push_back(r.metrics);
  }
  std::vector<PlotRef> plots;
  if (files.empty()) return plots;
  const fs::path data_dir = fs::path(o.manifest).parent_path();
  fs::create_directories(fs::path(o.out_dir) / "img");
  for (const auto& [model, list] : files) {
    for (const char* x : {"time", "epoch"}) {
      const std::string name = "img/results_" + model + "_" + x + ".png";
      const std::string out = (fs::path(o.out_dir) / name).string();
      std::vector<std::string> argv = {o.sqt, "plot"};
      std::string command = "sqt plot";
      for (const auto& f : list) {
        argv.push_back((data_dir / f).string());
        command += " " + (data_dir / f).string();
      }
      argv.insert(argv.end(), {"--x", x, "--out", out});
      command += std::string(" --x ") + x + " --out " + out;
      const auto result = netns::run_command(argv);
      if (result.exit_code != 0) throw Error(command + " failed: " + result.output);
      plots.push_back({model, name, command});
      written.push_back(out);
    }
  }
  return plots;
}

}  // namespace

TrainingDocsSummary write_training_docs(const TrainingDocsOptions& o) {
  const auto runs = load_training_runs(o.manifest);
  std::error_code ec;
  fs::create_directories(o.out_dir, ec);
  if (ec) throw FileError(o.out_dir + ": cannot create (" + ec.message() + ")");

  TrainingDocsSummary summary;
  summary.runs = runs.size();
  std::vector<PlotRef> plots;
  if (o.sqt.empty()) {
    summary.plots_skipped = "no sqt program to draw the plots with: no plots";
  } else if (netns::run_command({"gnuplot", "--version"}).exit_code != 0) {
    summary.plots_skipped = "gnuplot is not installed (apt-get install gnuplot-nox): no plots";
  } else {
    plots = draw_plots(runs, o, summary.written);
  }

  std::string how = "sqt bench report --manifest " + o.manifest + " --out " + o.out_dir;
  if (!o.readme.empty()) how += " --readme " + o.readme;
  const std::string results = (fs::path(o.out_dir) / "RESULTS.md").string();
  const std::string performance = (fs::path(o.out_dir) / "PERFORMANCE.md").string();
  update_document(results, "Accuracy runs", results_section(runs, plots, how));
  update_document(performance, "Performance", performance_section(runs, how));
  summary.written.insert(summary.written.begin(), {results, performance});
  if (!o.readme.empty()) {
    write_text(o.readme, replace_generated(read_text(o.readme), headline_section(runs, how), o.readme));
    summary.written.push_back(o.readme);
  }
  return summary;
}

}  // namespace sqt::bench::report
