// `sqt bench report results.jsonl... --out DIR`: report.md and PNG plots.
#pragma once

#include <string>
#include <vector>

namespace sqt::bench::report {

struct ReportSummary {
  std::string markdown_path;
  std::vector<std::string> plots;  // absolute paths
  std::string plots_skipped;       // why there are no plots, when there are none
  size_t results = 0;
};

// Reads the results files, creates `out_dir` if needed, writes report.md and
// the plots there. Throws sqt::FileError naming the bad file or line.
ReportSummary write_report(const std::vector<std::string>& result_files, const std::string& out_dir);

}  // namespace sqt::bench::report
