#include "bench/report/analysis.h"

#include <algorithm>

namespace sqt::bench::report {

std::string first_segment(const std::string& name) {
  const size_t cut = name.find_first_of("/:.");
  return cut == std::string::npos ? name : name.substr(0, cut);
}

std::string baseline_prefix(const std::string& name) {
  const size_t cut = name.rfind('/');
  return cut == std::string::npos ? name : name.substr(0, cut);
}

bool is_run_metadata(const std::string& key) {
  static const char* const kKeys[] = {"cpu_model", "cores", "simd_target", "git_commit", "quick", "repeats"};
  return std::find(std::begin(kKeys), std::end(kKeys), key) != std::end(kKeys) || key.rfind("net_", 0) == 0;
}

const Result* find_baseline(const Result& r, const std::vector<Result>& all) {
  if (r.baseline) return nullptr;
  const std::string group = baseline_prefix(r.name);
  const Result* segment_match = nullptr;
  for (const auto& b : all) {
    if (!b.baseline || b.suite != r.suite || b.metric != r.metric || net_of(b) != net_of(r)) continue;
    if (baseline_prefix(b.name) == group)
      return &b;  // the runner's convention: same prefix up to the last '/'
    if (!segment_match && first_segment(b.name) == first_segment(r.name)) segment_match = &b;
  }
  return segment_match;
}

std::string parameters_of(const Result& r, const std::map<std::string, std::string>& common) {
  std::string text;
  for (const auto& [key, value] : r.fields) {
    if (key == "net" || key == "note" || common.count(key) || is_run_metadata(key)) continue;
    if (!text.empty()) text += ' ';
    text += key + "=" + value;
  }
  return text;
}

std::vector<Comparison> compare_networks(const std::vector<Result>& all) {
  auto common = common_fields(all);
  std::vector<Comparison> groups;
  for (const auto& r : all) {
    if (r.baseline) continue;
    const std::string params = parameters_of(r, common);
    auto it = std::find_if(groups.begin(), groups.end(), [&](const Comparison& c) {
      return c.suite == r.suite && c.name == r.name && c.metric == r.metric && c.parameters == params;
    });
    if (it == groups.end()) {
      groups.push_back({r.suite, r.name, r.metric, params, {}});
      it = groups.end() - 1;
    }
    it->by_net.emplace(net_of(r), r.value);  // first measurement per network
  }
  std::erase_if(groups, [](const Comparison& c) { return c.by_net.size() < 2; });
  return groups;
}

}  // namespace sqt::bench::report
