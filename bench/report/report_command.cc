#include "bench/report/report_command.h"

#include <fmt/core.h>

#include <memory>
#include <string>
#include <vector>

#include "bench/report/report.h"

namespace sqt::bench::report {

CLI::App* add_report_subcommand(CLI::App& bench) {
  struct Options {
    std::vector<std::string> files;
    std::string out = "bench-report";
  };
  auto options = std::make_shared<Options>();
  CLI::App* sub = bench.add_subcommand("report", "Markdown table and PNG plots (gnuplot) from results files");
  sub->add_option("files", options->files, "JSON-lines results written by `sqt bench --json`")
      ->required()
      ->check(CLI::ExistingFile);
  sub->add_option("--out", options->out, "Folder for report.md and the plots")->capture_default_str();
  sub->callback([options] {
    const ReportSummary summary = write_report(options->files, options->out);
    fmt::print("wrote {} ({} results)\n", summary.markdown_path, summary.results);
    for (const auto& plot : summary.plots) fmt::print("wrote {}\n", plot);
    if (!summary.plots_skipped.empty()) fmt::print("{}\n", summary.plots_skipped);
  });
  return sub;
}

}  // namespace sqt::bench::report
