#include "bench/report/plots.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <set>

#include "bench/netns/command_runner.h"
#include "bench/report/analysis.h"
#include "bench/report/format.h"
#include "host/core/error.h"

namespace sqt::bench::report {
namespace {

constexpr double kMissing = std::numeric_limits<double>::quiet_NaN();

std::string gnuplot_text(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

std::string label_of(const Result& r, const std::map<std::string, std::string>& common) {
  std::string label = r.name;
  for (const char* key : {"model", "protocol", "backend", "batch"}) {
    const std::string value = field_or(r, key);
    if (!value.empty() && !common.count(key) && label.find(value) == std::string::npos) label += " " + value;
  }
  return label;
}

void add_value(BarChart& chart, const std::string& category, const std::string& series, double value) {
  auto s = std::find(chart.series.begin(), chart.series.end(), series);
  if (s == chart.series.end()) {
    chart.series.push_back(series);
    for (auto& row : chart.values) row.push_back(kMissing);
    s = chart.series.end() - 1;
  }
  auto c = std::find(chart.categories.begin(), chart.categories.end(), category);
  if (c == chart.categories.end()) {
    chart.categories.push_back(category);
    chart.values.emplace_back(chart.series.size(), kMissing);
    c = chart.categories.end() - 1;
  }
  double& cell = chart.values[static_cast<size_t>(c - chart.categories.begin())]
                             [static_cast<size_t>(s - chart.series.begin())];
  if (std::isnan(cell)) cell = value;
}

bool is_step_time(const Result& r) {
  if (metric_kind(r.metric) != MetricKind::kSeconds) return false;
  const std::string text = r.name + " " + r.metric;
  return r.suite == "train" || text.find("epoch") != std::string::npos ||
         text.find("batch") != std::string::npos;
}

}  // namespace

void draw_bar_chart(const BarChart& chart, const std::string& dir, const std::string& stem) {
  const std::string data_path = dir + "/" + stem + ".dat";
  const std::string script_path = dir + "/" + stem + ".gp";
  {
    std::ofstream data(data_path);
    if (!data) throw FileError(data_path + ": cannot write plot data");
    data << "category";
    for (const auto& s : chart.series) data << '\t' << s;
    data << '\n';
    for (size_t c = 0; c < chart.categories.size(); ++c) {
      data << chart.categories[c];
      for (double v : chart.values[c]) {
        data << '\t';
        if (std::isnan(v) || (chart.log_scale && v <= 0)) {
          data << '?';
        } else {
          data << v;
        }
      }
      data << '\n';
    }
  }
  // Labels are rotated and right-aligned at their tick, so they reach left
  // and down by about their length: size the margins from the longest.
  size_t longest = 0;
  for (const auto& c : chart.categories) longest = std::max(longest, c.size());
  const size_t left_margin = std::max<size_t>(12, longest * 3 / 4);
  const size_t bottom_margin = std::max<size_t>(4, longest * 3 / 10 + 2);
  const size_t width = std::clamp<size_t>(
      left_margin * 7 + 200 + 90 * chart.categories.size() * chart.series.size(), 640, 2000);
  const size_t height = 360 + bottom_margin * 12;
  std::ofstream script(script_path);
  if (!script) throw FileError(script_path + ": cannot write gnuplot script");
  script << "set terminal pngcairo size " << width << "," << height << " font 'sans,10' noenhanced\n"
         << "set output '" << stem << ".png'\n"
         << "set datafile separator '\\t'\nset datafile missing '?'\n"
         << "set title \"" << gnuplot_text(chart.title) << "\"\n"
         << "set ylabel \"" << gnuplot_text(chart.ylabel) << "\"\n"
         << "set style data histogram\nset style histogram cluster gap 1\n"
         << "set style fill solid 0.85 border -1\nset boxwidth 0.9\n"
         << "set xtics rotate by 30 right noenhanced\nset key noenhanced top right\nset grid ytics\n"
         << "set format y '%g'\nset lmargin " << left_margin << "\nset bmargin " << bottom_margin << "\n"
         << "set yrange [" << (chart.log_scale ? "*" : "0") << ":*]\n"
         << (chart.log_scale ? "set logscale y\n" : "") << "plot for [i=2:" << chart.series.size() + 1
         << "] '" << stem << ".dat' using i:xtic(1) title columnheader(i)\n";
  script.close();
  const auto result = netns::run_command({"sh", "-c", "cd \"$0\" && gnuplot \"$1\"", dir, stem + ".gp"});
  if (result.exit_code != 0) {
    throw Error("gnuplot failed on " + script_path + " (exit code " + std::to_string(result.exit_code) +
                "): " + result.output);
  }
}

std::vector<std::pair<std::string, BarChart>> charts_for(const std::vector<Result>& results) {
  std::vector<std::pair<std::string, BarChart>> charts;
  const auto common = common_fields(results);

  BarChart steps{
      "Time per training step (epoch or batch), per network and protocol", "seconds", true, {}, {}, {}};
  for (const auto& r : results) {
    if (is_step_time(r)) {
      add_value(steps, label_of(r, common) + " (" + r.metric + ")", net_of(r),
                r.value * metric_scale(r.metric));
    }
  }
  if (!steps.categories.empty()) charts.emplace_back("time_per_step", std::move(steps));

  std::vector<std::string> suites;
  for (const auto& r : results) {
    if (std::find(suites.begin(), suites.end(), r.suite) == suites.end()) suites.push_back(r.suite);
  }
  for (const auto& suite : suites) {
    BarChart rate{"Throughput per operation, suite " + suite, "per second", true, {}, {}, {}};
    for (const auto& r : results) {
      if (r.suite != suite || metric_kind(r.metric) != MetricKind::kRate) continue;
      const std::string net = field_or(r, "net") == "none" ? "" : field_or(r, "net");
      const std::string series = (net.empty() ? "" : net + " ") + (r.baseline ? "baseline" : "measured");
      add_value(rate, label_of(r, common) + " (" + r.metric + ")", series, r.value);
    }
    if (!rate.categories.empty()) charts.emplace_back("throughput_" + suite, std::move(rate));
  }

  BarChart versus{"The same measurement on each network profile", "seconds (log scale)", true, {}, {}, {}};
  for (const auto& c : compare_networks(results)) {
    if (metric_kind(c.metric) != MetricKind::kSeconds) continue;  // one unit per chart: time
    const std::string category = c.suite + " " + c.name + " (" + c.metric + ")";
    for (const auto& [net, value] : c.by_net)
      add_value(versus, category, net, value * metric_scale(c.metric));
  }
  if (!versus.categories.empty()) charts.emplace_back("lan_vs_wan", std::move(versus));
  return charts;
}

std::vector<std::string> draw_charts(const std::vector<Result>& results, const std::string& dir,
                                     std::string* skipped) {
  std::vector<std::string> written;
  if (netns::run_command({"gnuplot", "--version"}).exit_code != 0) {
    if (skipped) *skipped = "gnuplot is not installed (apt-get install gnuplot-nox): no plots";
    return written;
  }
  for (const auto& [stem, chart] : charts_for(results)) {
    draw_bar_chart(chart, dir, stem);
    written.push_back(stem + ".png");
  }
  return written;
}

}  // namespace sqt::bench::report
