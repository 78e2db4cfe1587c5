// PNG bar charts drawn by gnuplot: time per training step per network and
// protocol, throughput per operation, and each measurement on LAN vs WAN.
#pragma once

#include <string>
#include <vector>

#include "bench/report/results.h"

namespace sqt::bench::report {

// One clustered bar chart: rows are categories on the x axis, one bar per
// series; NaN leaves a gap.
struct BarChart {
  std::string title;
  std::string ylabel;
  bool log_scale = false;
  std::vector<std::string> series;
  std::vector<std::string> categories;
  std::vector<std::vector<double>> values;  // [category][series]
};

// Writes <stem>.dat, <stem>.gp and <stem>.png into `dir` and runs gnuplot.
// Throws sqt::Error naming the script when gnuplot fails.
void draw_bar_chart(const BarChart& chart, const std::string& dir, const std::string& stem);

// The charts the report needs for these results (empty ones are skipped).
std::vector<std::pair<std::string, BarChart>> charts_for(const std::vector<Result>& results);

// Draws every chart; returns the PNG file names written. When gnuplot is not
// installed, returns none and sets *skipped to the reason.
std::vector<std::string> draw_charts(const std::vector<Result>& results, const std::string& dir,
                                     std::string* skipped);

}  // namespace sqt::bench::report
