#include "bench/report/markdown.h"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <set>
#include <sstream>

#include "bench/report/analysis.h"
#include "bench/report/format.h"

namespace sqt::bench::report {

std::string table_cell(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '|') out += '\\';
    out += c == '\n' ? ' ' : c;
  }
  return out;
}

std::string render_markdown(const std::vector<Result>& results, const std::vector<std::string>& plots) {
  std::ostringstream md;
  const auto common = common_fields(results);
  md << "# SQT benchmark report\n\n";
  md << results.size() << " results";
  std::set<std::string> sources;
  for (const auto& r : results) sources.insert(r.source.substr(0, r.source.rfind(':')));
  md << " from " << sources.size() << (sources.size() == 1 ? " file" : " files") << ".\n\n";

  // Run facts: shared ones once; the ones that differ between files (the
  // commit of an older file, say) with the file each value came from.
  std::map<std::string, std::vector<std::string>> differing;
  for (const auto& r : results) {
    for (const auto& [key, value] : r.fields) {
      if (common.count(key) || !(is_run_metadata(key) || key == "backend") || key.rfind("net_", 0) == 0)
        continue;
      const std::string file = r.source.substr(0, r.source.rfind(':'));
      const std::string entry = value + " (" + file.substr(file.rfind('/') + 1) + ")";
      auto& list = differing[key];
      if (std::find(list.begin(), list.end(), entry) == list.end()) list.push_back(entry);
    }
  }
  if (!common.empty() || !differing.empty()) {
    md << "## Run\n\n| key | value |\n| --- | --- |\n";
    for (const auto& [key, value] : common)
      md << "| " << table_cell(key) << " | " << table_cell(value) << " |\n";
    for (const auto& [key, values] : differing) {
      std::string joined;
      for (const auto& v : values) joined += (joined.empty() ? "" : ", ") + v;
      md << "| " << table_cell(key) << " | " << table_cell(joined) << " |\n";
    }
    md << '\n';
  }

  // The network each result was measured on: requested and achieved link.
  std::vector<std::pair<std::string, const Result*>> networks;
  for (const auto& r : results) {
    if (field_or(r, "net_link").empty()) continue;
    const std::string net = field_or(r, "net");
    if (std::none_of(networks.begin(), networks.end(), [&](const auto& n) { return n.first == net; })) {
      networks.emplace_back(net, &r);
    }
  }
  if (!networks.empty()) {
    md << "## Networks\n\n| net | cable | rate asked | round trip asked | round trip measured | stream "
          "measured "
          "| note |\n| --- | --- | ---: | ---: | ---: | ---: | --- |\n";
    const auto number = [](const Result& r, const std::string& key, const std::string& metric) {
      const std::string text = field_or(r, key);
      return text.empty() ? std::string() : format_value(metric, std::strtod(text.c_str(), nullptr));
    };
    for (const auto& [net, r] : networks) {
      std::string note = field_or(*r, "net_fallback");
      if (!note.empty()) note = "asked for " + field_or(*r, "net_requested") + ": " + note;
      md << "| " << table_cell(net) << " | " << table_cell(field_or(*r, "net_link")) << " | "
         << number(*r, "net_rate_bit_per_s", "bit_per_s") << " | " << number(*r, "net_rtt_ms", "rtt_ms")
         << " | " << number(*r, "net_measured_rtt_ms", "rtt_ms") << " | "
         << number(*r, "net_measured_bit_per_s", "bit_per_s") << " | " << table_cell(note) << " |\n";
    }
    md << '\n';
  }

  std::vector<std::string> suites;
  for (const auto& r : results) {
    if (std::find(suites.begin(), suites.end(), r.suite) == suites.end()) suites.push_back(r.suite);
  }
  for (const auto& suite : suites) {
    md << "## Suite `" << suite << "`\n\n";
    md << "| name | metric | value | vs baseline | network | parameters |\n";
    md << "| --- | --- | ---: | ---: | --- | --- |\n";
    for (const auto& r : results) {
      if (r.suite != suite) continue;
      std::string ratio = r.baseline ? "baseline" : "";
      if (const Result* base = find_baseline(r, results); base && base->value != 0) {
        ratio = format_number(r.value / base->value) + "x " + base->name;
      }
      md << "| " << table_cell(r.name) << " | " << table_cell(r.metric) << " | "
         << table_cell(format_value(r.metric, r.value)) << " | " << table_cell(ratio) << " | "
         << field_or(r, "net", "-") << " | " << table_cell(parameters_of(r, common)) << " |\n";
    }
    md << '\n';
    // Free-text notes from the suites (how a case was measured), once each.
    std::vector<std::string> notes;
    for (const auto& r : results) {
      const std::string note = r.suite == suite ? field_or(r, "note") : "";
      if (!note.empty() && std::find(notes.begin(), notes.end(), r.name + ": " + note) == notes.end()) {
        notes.push_back(r.name + ": " + note);
      }
    }
    for (const auto& note : notes) md << "- " << note << '\n';
    if (!notes.empty()) md << '\n';
  }

  const auto comparisons = compare_networks(results);
  if (!comparisons.empty()) {
    std::set<std::string> nets;
    for (const auto& c : comparisons) {
      for (const auto& [net, value] : c.by_net) nets.insert(net);
    }
    md << "## Networks side by side\n\n| suite | name | metric |";
    for (const auto& net : nets) md << ' ' << net << " |";
    md << " slowest / fastest |\n| --- | --- | --- |";
    for (size_t i = 0; i <= nets.size(); ++i) md << " ---: |";
    md << '\n';
    for (const auto& c : comparisons) {
      md << "| " << table_cell(c.suite) << " | " << table_cell(c.name) << " | " << table_cell(c.metric)
         << " |";
      double lo = 0, hi = 0;
      bool first = true;
      for (const auto& net : nets) {
        auto it = c.by_net.find(net);
        md << ' ' << (it == c.by_net.end() ? "" : table_cell(format_value(c.metric, it->second))) << " |";
        if (it == c.by_net.end()) continue;
        lo = first ? it->second : std::min(lo, it->second);
        hi = first ? it->second : std::max(hi, it->second);
        first = false;
      }
      md << ' ' << (lo > 0 ? format_number(hi / lo) + "x" : "") << " |\n";
    }
    md << '\n';
  }

  if (!plots.empty()) {
    md << "## Plots\n\n";
    for (const auto& plot : plots) md << "![" << plot << "](" << plot << ")\n\n";
  }
  return md.str();
}

}  // namespace sqt::bench::report
