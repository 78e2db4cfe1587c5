#include "bench/report/report.h"

#include <filesystem>
#include <fstream>

#include "bench/report/markdown.h"
#include "bench/report/plots.h"
#include "bench/report/results.h"
#include "host/core/error.h"

namespace sqt::bench::report {

ReportSummary write_report(const std::vector<std::string>& result_files, const std::string& out_dir) {
  const auto results = load_results(result_files);
  std::error_code ec;
  std::filesystem::create_directories(out_dir, ec);
  if (ec) throw FileError(out_dir + ": cannot create report folder (" + ec.message() + ")");

  ReportSummary summary;
  summary.results = results.size();
  const auto plots = draw_charts(results, out_dir, &summary.plots_skipped);
  for (const auto& plot : plots) summary.plots.push_back((std::filesystem::path(out_dir) / plot).string());

  summary.markdown_path = (std::filesystem::path(out_dir) / "report.md").string();
  std::ofstream out(summary.markdown_path);
  if (!out) throw FileError(summary.markdown_path + ": cannot write report");
  out << render_markdown(results, plots);
  if (!out) throw FileError(summary.markdown_path + ": write failed");
  return summary;
}

}  // namespace sqt::bench::report
