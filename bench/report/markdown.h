// The report's text: run metadata once, one table per suite (value, ratio to
// the same run's baseline, parameters), then the network comparison.
#pragma once

#include <string>
#include <vector>

#include "bench/report/results.h"

namespace sqt::bench::report {

// `plots` are file names relative to the report, embedded as images.
std::string render_markdown(const std::vector<Result>& results, const std::vector<std::string>& plots);

// Escapes '|' so a cell cannot break the table.
std::string table_cell(const std::string& text);

}  // namespace sqt::bench::report
