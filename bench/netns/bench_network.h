// What `sqt bench --net lan|wan|none [--rate R] [--delay MS]` needs: the flags,
// the namespaces for one run (or the reason there are none, and loopback),
// the launcher settings that put each party in its namespace, and the link
// the parties really got (measured once per run, with a loopback baseline).
#pragma once

#include <CLI/CLI.hpp>
#include <iosfwd>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bench/netns/link_probe.h"
#include "bench/netns/namespace_topology.h"
#include "bench/netns/net_profile.h"
#include "host/net/launcher.h"

namespace sqt::bench::netns {

struct NetworkFlags {
  std::string net = "none";
  std::string rate;      // empty: the profile's
  double delay_ms = -1;  // round trip; negative: the profile's
};

// Adds --net, --rate and --delay to `command`.
void add_network_flags(CLI::App& command, NetworkFlags& flags);

// One benchmark row about the link (suite "netprofile").
struct LinkRow {
  std::string name;
  std::string metric;
  double value = 0;
  bool baseline = false;
};

class BenchNetwork {
 public:
  // Builds the namespaces for `parties` when the profile asks for them; on a
  // machine that cannot (not root, no iproute2, no namespaces), says why on
  // `log` and stays on loopback. Throws sqt::ConfigError for bad flags.
  BenchNetwork(const NetworkFlags& flags, int parties, std::ostream& log);

  bool namespaced() const { return topology_ != nullptr; }
  const NetProfile& profile() const { return profile_; }

  // Party i listens on its namespace address and runs through `ip netns exec`.
  void apply(net::LaunchOptions& options) const;

  // Added to every result line: "net" (the profile in effect: lan, wan or
  // none), "net_requested", "net_link", rate and delay asked for, the
  // measured round trip and stream rate, and "net_fallback" with the reason
  // when the request could not be honoured.
  nlohmann::json run_fields() const;

  // Measures the link (party 0 -> party 1) and loopback in this process.
  // Called once per run; run_fields() and link_rows() report it afterwards.
  void measure(bool quick);
  const std::vector<LinkRow>& link_rows() const { return rows_; }

 private:
  NetProfile profile_;
  std::string requested_;
  std::string fallback_reason_;
  std::unique_ptr<NetnsTopology> topology_;
  LinkMeasurement link_{};
  bool measured_ = false;
  std::vector<LinkRow> rows_;
};

}  // namespace sqt::bench::netns
