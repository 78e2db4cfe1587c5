#include "bench/report/format.h"

#include <cmath>
#include <cstdio>

namespace sqt::bench::report {
namespace {

bool ends_with(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

std::string with_prefix(double value, const char* unit, double base) {
  static const char* const kPrefixes[] = {"", "k", "M", "G", "T", "P"};
  int index = 0;
  double scaled = value;
  while (std::fabs(scaled) >= base && index < 5) {
    scaled /= base;
    ++index;
  }
  return format_number(scaled) + " " + kPrefixes[index] + unit;
}

}  // namespace

std::string format_number(double value, int significant) {
  if (value == 0) return "0";
  char buffer[64];
  const double magnitude = std::floor(std::log10(std::fabs(value)));
  const int decimals = std::max(0, significant - 1 - static_cast<int>(magnitude));
  if (std::fabs(value) >= 1e15 || std::fabs(value) < 1e-6) {
    std::snprintf(buffer, sizeof buffer, "%.*e", significant - 1, value);
  } else {
    std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
  }
  return buffer;
}

MetricKind metric_kind(const std::string& metric) {
  if (contains(metric, "_per_s") || ends_with(metric, "per_second") || ends_with(metric, "/s")) {
    return MetricKind::kRate;
  }
  if (contains(metric, "byte")) return MetricKind::kBytes;
  if (metric == "seconds" || metric == "s" || ends_with(metric, "_s") || ends_with(metric, "_ms") ||
      ends_with(metric, "_us") || ends_with(metric, "_ns") || ends_with(metric, "seconds") ||
      metric == "ms" || metric == "us" || metric == "ns") {
    return MetricKind::kSeconds;
  }
  return MetricKind::kPlain;
}

double metric_scale(const std::string& metric) {
  if (metric_kind(metric) != MetricKind::kSeconds) return 1;
  if (ends_with(metric, "ms")) return 1e-3;
  if (ends_with(metric, "us")) return 1e-6;
  if (ends_with(metric, "ns")) return 1e-9;
  return 1;
}

std::string format_value(const std::string& metric, double value) {
  switch (metric_kind(metric)) {
    case MetricKind::kSeconds: {
      const double s = value * metric_scale(metric);
      const double a = std::fabs(s);
      if (a >= 3600) return format_number(s / 3600) + " h";
      if (a >= 60) return format_number(s / 60) + " min";
      if (a >= 1 || a == 0) return format_number(s) + " s";
      if (a >= 1e-3) return format_number(s * 1e3) + " ms";
      if (a >= 1e-6) return format_number(s * 1e6) + " us";
      return format_number(s * 1e9) + " ns";
    }
    case MetricKind::kBytes:
      if (contains(metric, "_per_s")) return with_prefix(value, "B/s", 1000);
      return with_prefix(value, "B", 1000);
    case MetricKind::kRate: {
      if (contains(metric, "bit")) return with_prefix(value, "bit/s", 1000);
      if (contains(metric, "byte")) return with_prefix(value, "B/s", 1000);
      return with_prefix(value, "/s", 1000);
    }
    case MetricKind::kPlain:
      // Counts (rounds, messages) read best without a decimal point.
      if (std::fabs(value) < 1e15 && value == std::floor(value)) {
        return std::to_string(static_cast<long long>(value));
      }
      break;
  }
  return format_number(value, 4);
}

}  // namespace sqt::bench::report
