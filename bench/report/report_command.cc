#include "bench/report/report_command.h"

#include <fmt/core.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "bench/report/report.h"
#include "bench/report/training_docs.h"
#include "host/core/error.h"

namespace sqt::bench::report {

CLI::App* add_report_subcommand(CLI::App& bench) {
  struct Options {
    std::vector<std::string> files;
    std::string out = "bench-report";
    std::string manifest, readme;
  };
  auto options = std::make_shared<Options>();
  CLI::App* sub = bench.add_subcommand(
      "report",
      "Markdown table and PNG plots (gnuplot) from results files; with --manifest, RESULTS.md and "
      "PERFORMANCE.md from training runs");
  sub->add_option("files", options->files, "JSON-lines results written by `sqt bench --json`")
      ->check(CLI::ExistingFile);
  sub->add_option("--out", options->out,
                  "Folder for report.md and the plots (with --manifest: the documents)")
      ->capture_default_str();
  sub->add_option("--manifest", options->manifest,
                  "Training runs (docs/results/manifest.jsonl: metrics file, command, commit, machine, date "
                  "per run): write RESULTS.md, PERFORMANCE.md and img/ plots into --out")
      ->check(CLI::ExistingFile);
  sub->add_option("--readme", options->readme,
                  "With --manifest: also replace the generated section of this file (the float-versus-secure "
                  "table)")
      ->check(CLI::ExistingFile);
  sub->callback([options] {
    if (!options->manifest.empty()) {
      if (!options->files.empty())
        throw ConfigError("sqt bench report: give either benchmark results files or --manifest, not both");
      std::error_code ec;
      const std::string self = std::filesystem::read_symlink("/proc/self/exe", ec).string();
      const TrainingDocsSummary summary =
          write_training_docs({options->manifest, options->out, options->readme, self});
      for (const auto& file : summary.written) fmt::print("wrote {}\n", file);
      fmt::print("{} runs\n", summary.runs);
      if (!summary.plots_skipped.empty()) fmt::print("{}\n", summary.plots_skipped);
      return;
    }
    if (!options->readme.empty()) throw ConfigError("sqt bench report: --readme needs --manifest");
    if (options->files.empty())
      throw ConfigError("sqt bench report: name benchmark results files, or --manifest for training runs");
    const ReportSummary summary = write_report(options->files, options->out);
    fmt::print("wrote {} ({} results)\n", summary.markdown_path, summary.results);
    for (const auto& plot : summary.plots) fmt::print("wrote {}\n", plot);
    if (!summary.plots_skipped.empty()) fmt::print("{}\n", summary.plots_skipped);
  });
  return sub;
}

}  // namespace sqt::bench::report
