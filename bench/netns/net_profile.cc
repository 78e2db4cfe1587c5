#include "bench/netns/net_profile.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>

#include "host/core/error.h"

namespace sqt::bench::netns {

double parse_rate(const std::string& text) {
  std::string lower;
  for (char c : text) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  char* end = nullptr;
  const double number = std::strtod(lower.c_str(), &end);
  const std::string unit = end ? std::string(end) : "";
  double scale = 0;
  if (unit.empty() || unit == "bit") {
    scale = 1;
  } else if (unit == "kbit") {
    scale = 1e3;
  } else if (unit == "mbit") {
    scale = 1e6;
  } else if (unit == "gbit") {
    scale = 1e9;
  }
  if (end == lower.c_str() || scale == 0 || !(number > 0) || !std::isfinite(number)) {
    throw ConfigError("--rate: cannot read '" + text + "' (expected e.g. 100mbit, 10gbit or bit/s)");
  }
  return number * scale;
}

std::string format_rate(double bit_per_s) {
  const long long bits = std::llround(bit_per_s);
  if (bits > 0 && bits % 1000000000 == 0) return std::to_string(bits / 1000000000) + "gbit";
  if (bits > 0 && bits % 1000000 == 0) return std::to_string(bits / 1000000) + "mbit";
  if (bits > 0 && bits % 1000 == 0) return std::to_string(bits / 1000) + "kbit";
  return std::to_string(bits) + "bit";
}

NetProfile make_net_profile(const std::string& name, const std::string& rate, double delay_ms) {
  NetProfile profile;
  profile.name = name;
  if (name == "lan") {
    profile.rate_bit_per_s = 10e9;
    profile.rtt_ms = 0.1;
  } else if (name == "wan") {
    profile.rate_bit_per_s = 100e6;
    profile.rtt_ms = 20;
  } else if (name != "none") {
    throw ConfigError("--net: unknown profile '" + name + "' (expected lan, wan or none)");
  }
  if (!rate.empty()) profile.rate_bit_per_s = parse_rate(rate);
  if (delay_ms >= 0) profile.rtt_ms = delay_ms;
  if (!std::isfinite(profile.rtt_ms) || profile.rtt_ms > 10000) {
    throw ConfigError("--delay: " + std::to_string(delay_ms) +
                      " ms is out of range (0 to 10000 ms round trip)");
  }
  return profile;
}

}  // namespace sqt::bench::netns
