#include "bench/report/results.h"

#include <cmath>
#include <cstdio>
#include <fstream>

#include "host/core/error.h"

namespace sqt::bench::report {
namespace {

std::string as_text(const nlohmann::json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number_integer()) return std::to_string(value.get<long long>());
  if (value.is_number_float()) {
    char text[32];
    std::snprintf(text, sizeof text, "%.4g", value.get<double>());  // parameters, not measurements
    return text;
  }
  return value.dump();
}

// Nested objects (e.g. "machine": {"cpu": ...}) become dotted keys.
void flatten(const nlohmann::json& object, const std::string& prefix,
             std::map<std::string, std::string>& out) {
  for (auto it = object.begin(); it != object.end(); ++it) {
    const std::string key = prefix.empty() ? it.key() : prefix + "." + it.key();
    if (it.value().is_object()) {
      flatten(it.value(), key, out);
    } else {
      out[key] = as_text(it.value());
    }
  }
}

}  // namespace

Result parse_result(const std::string& line, const std::string& source) {
  nlohmann::json object;
  try {
    object = nlohmann::json::parse(line);
  } catch (const nlohmann::json::parse_error& e) {
    throw FileError(source + ": not a JSON object (" + e.what() + ")");
  }
  if (!object.is_object()) throw FileError(source + ": expected a JSON object per line");
  Result r;
  r.source = source;
  for (const char* key : {"suite", "name", "metric"}) {
    if (!object.contains(key) || !object[key].is_string()) {
      throw FileError(source + ": missing string field '" + key + "'");
    }
  }
  if (!object.contains("value") || !object["value"].is_number()) {
    throw FileError(source + ": missing numeric field 'value'");
  }
  r.suite = object["suite"].get<std::string>();
  r.name = object["name"].get<std::string>();
  r.metric = object["metric"].get<std::string>();
  r.value = object["value"].get<double>();
  if (!std::isfinite(r.value)) throw FileError(source + ": 'value' is not finite");
  r.baseline = object.value("baseline", false);
  for (const char* key : {"suite", "name", "metric", "value", "baseline"}) object.erase(key);
  flatten(object, "", r.fields);
  return r;
}

std::vector<Result> load_results(const std::vector<std::string>& paths) {
  std::vector<Result> results;
  for (const auto& path : paths) {
    std::ifstream in(path);
    if (!in) throw FileError(path + ": cannot open results file");
    std::string line;
    int number = 0;
    while (std::getline(in, line)) {
      ++number;
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      results.push_back(parse_result(line, path + ":" + std::to_string(number)));
    }
  }
  if (results.empty()) throw FileError("no benchmark results in the given files");
  return results;
}

std::map<std::string, std::string> common_fields(const std::vector<Result>& results) {
  std::map<std::string, std::string> common;
  if (results.empty()) return common;
  common = results.front().fields;
  for (const auto& r : results) {
    for (auto it = common.begin(); it != common.end();) {
      auto found = r.fields.find(it->first);
      if (found == r.fields.end() || found->second != it->second) {
        it = common.erase(it);
      } else {
        ++it;
      }
    }
  }
  return common;
}

std::string field_or(const Result& r, const std::string& key, const std::string& fallback) {
  auto it = r.fields.find(key);
  return it == r.fields.end() ? fallback : it->second;
}

std::string net_of(const Result& r) {
  std::string net = field_or(r, "net", "");
  if (net.empty() || net == "none") return "loopback";
  return net;
}

}  // namespace sqt::bench::report
