// Network profiles for benchmarks: what link the parties see.
#pragma once

#include <cstdint>
#include <string>

namespace sqt::bench::netns {

struct NetProfile {
  std::string name = "none";  // none | lan | wan
  double rate_bit_per_s = 0;  // per party and direction; 0 = unshaped
  double rtt_ms = 0;          // round trip between two parties
  bool shaped() const { return name != "none"; }
};

// LAN: 10 Gbit/s, 0.1 ms round trip. WAN: 100 Mbit/s, 20 ms round trip.
// `rate` ("10gbit", "100mbit", "250kbit", "1e9" in bit/s) and `delay_ms`
// (round trip) override the preset when non-empty / non-negative. Throws
// sqt::ConfigError naming the flag when a value does not parse.
NetProfile make_net_profile(const std::string& name, const std::string& rate = "", double delay_ms = -1);

// "100mbit" -> 1e8. Accepts bit, kbit, mbit, gbit (case-insensitive) or a
// plain number of bit/s.
double parse_rate(const std::string& text);

// 1e8 -> "100mbit": the form tc understands, also used in reports.
std::string format_rate(double bit_per_s);

}  // namespace sqt::bench::netns
