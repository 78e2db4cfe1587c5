#include "bench/netns/bench_network.h"

#include <algorithm>
#include <ostream>

#include "bench/netns/namespace_cleanup.h"

namespace sqt::bench::netns {

void add_network_flags(CLI::App& command, NetworkFlags& flags) {
  command
      .add_option("--net", flags.net,
                  "Network profile: lan (10 Gbit/s, 0.1 ms round trip), wan (100 Mbit/s, 20 ms) or none "
                  "(loopback). lan/wan put each party in its own network namespace (needs root)")
      ->check(CLI::IsMember({"lan", "wan", "none"}))
      ->capture_default_str();
  command.add_option("--rate", flags.rate,
                     "Override the profile's rate per party and direction (e.g. 1gbit)");
  command.add_option("--delay", flags.delay_ms, "Override the profile's round-trip delay in milliseconds")
      ->check(CLI::Range(0.0, 10000.0));
}

BenchNetwork::BenchNetwork(const NetworkFlags& flags, int parties, std::ostream& log)
    : profile_(make_net_profile(flags.net, flags.rate, flags.delay_ms)), requested_(flags.net) {
  if (!profile_.shaped()) return;
  topology_ = try_make_topology(std::max(parties, 2), profile_, &fallback_reason_);
  if (topology_) {
    log << "network profile " << profile_.name << ": " << format_rate(profile_.rate_bit_per_s) << ", "
        << profile_.rtt_ms << " ms round trip, " << topology_->parties() << " parties in namespaces "
        << namespace_prefix() << "p*, cables " << topology_->link_kind_name() << "\n";
  } else {
    log << "network profile " << profile_.name << " unavailable: " << fallback_reason_
        << "; running on loopback instead\n";
    profile_ = make_net_profile("none");
  }
}

void BenchNetwork::apply(net::LaunchOptions& options) const {
  if (!topology_) return;
  options.party_hosts = topology_->party_addresses();
  options.party_exec_prefix = topology_->exec_prefixes();
}

nlohmann::json BenchNetwork::run_fields() const {
  nlohmann::json fields = nlohmann::json::object();
  fields["net"] = profile_.name;
  if (requested_ != profile_.name) fields["net_requested"] = requested_;
  if (!fallback_reason_.empty()) fields["net_fallback"] = fallback_reason_;
  fields["net_link"] = topology_ ? topology_->link_kind_name() : "loopback";
  if (topology_) {
    fields["net_rate_bit_per_s"] = profile_.rate_bit_per_s;
    fields["net_rtt_ms"] = profile_.rtt_ms;
  }
  if (measured_) {
    fields["net_measured_rtt_ms"] = link_.rtt_ms_median;
    fields["net_measured_bit_per_s"] = link_.throughput_bit_per_s;
  }
  return fields;
}

void BenchNetwork::measure(bool quick) {
  const int pings = quick ? 10 : 50;
  // About half a second of traffic at the profile's rate, within bounds.
  const double cap = quick ? 32e6 : 256e6;
  const double rate = profile_.shaped() ? profile_.rate_bit_per_s : 1e11;
  const double bulk = std::clamp(rate / 8 * 0.5, 1e6, cap);
  const LinkMeasurement loopback = probe_link({"", "127.0.0.1"}, {"", "127.0.0.1"}, pings, cap);
  if (topology_) {
    link_ = probe_link({topology_->party_namespaces()[0], topology_->party_address(0)},
                       {topology_->party_namespaces()[1], topology_->party_address(1)}, pings, bulk);
  } else {
    link_ = loopback;
  }
  measured_ = true;
  rows_.clear();
  rows_.push_back({"tcp_rtt/loopback", "rtt_ms", loopback.rtt_ms_median, true});
  rows_.push_back({"tcp_stream/loopback", "bit_per_s", loopback.throughput_bit_per_s, true});
  if (topology_) {
    rows_.push_back({"tcp_rtt/" + profile_.name, "rtt_ms", link_.rtt_ms_median, false});
    rows_.push_back({"tcp_stream/" + profile_.name, "bit_per_s", link_.throughput_bit_per_s, false});
  }
}

}  // namespace sqt::bench::netns
