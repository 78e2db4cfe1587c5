// Human-readable numbers for the report, chosen by the metric's name.
#pragma once

#include <string>

namespace sqt::bench::report {

enum class MetricKind { kSeconds, kBytes, kRate, kPlain };

// "seconds", "epoch_s", "time_ms" -> seconds (value scaled to seconds by
// metric_scale); "bytes", "bytes_sent" -> bytes; "*_per_s" -> rate; else plain.
MetricKind metric_kind(const std::string& metric);

// Factor that turns the metric's unit into the base unit (ms -> s: 1e-3).
double metric_scale(const std::string& metric);

// 0.61 s, 22.9 MB, 1.25 G/s, 0.992.
std::string format_value(const std::string& metric, double value);

// "%.3g"-style with a thousands-free plain notation.
std::string format_number(double value, int significant = 3);

}  // namespace sqt::bench::report
