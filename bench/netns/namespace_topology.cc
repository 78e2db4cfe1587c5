#include "bench/netns/namespace_topology.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

#include "bench/netns/command_runner.h"
#include "bench/netns/namespace_cleanup.h"
#include "host/core/error.h"

namespace sqt::bench::netns {
namespace {

constexpr const char* kBridge = "br0";
constexpr const char* kPartyDevice = "eth0";
constexpr int kJumboMtu = 9000;  // a LAN appliance would use jumbo frames
// TAPs with virtio-net headers and TSO: the relay moves 64 KiB segments.
constexpr bool kTapOffload = true;

std::string bridge_port(int party) {
  std::string port = std::to_string(party);
  port.insert(port.begin(), 'p');  // "p" + to_string trips g++ 12's -Wrestrict
  return port;
}

std::vector<std::string> ip_in(const std::string& netns, std::vector<std::string> args) {
  std::vector<std::string> argv = {"ip", "-n", netns};
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

std::vector<std::string> tc_in(const std::string& netns, std::vector<std::string> args) {
  std::vector<std::string> argv = {"tc", "-n", netns};
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

// Each party-to-party path crosses two cables. netem shapes both ends of a
// cable, so a quarter of the round trip goes on each; the DelayLine puts half
// the round trip on the sender's cable.
std::chrono::nanoseconds per_cable_delay(const NetProfile& profile) {
  return std::chrono::nanoseconds(static_cast<long long>(std::llround(profile.rtt_ms * 1e6 / 4)));
}
std::chrono::nanoseconds one_way_delay(const NetProfile& profile) {
  return std::chrono::nanoseconds(static_cast<long long>(std::llround(profile.rtt_ms * 1e6 / 2)));
}

std::string microseconds(std::chrono::nanoseconds ns) { return std::to_string(ns.count() / 1000) + "us"; }

}  // namespace

bool kernel_has_netem(const std::string& netns) {
  if (run_command(tc_in(netns, {"qdisc", "add", "dev", "lo", "root", "netem", "delay", "0ms"})).exit_code !=
      0) {
    return false;
  }
  run_command(tc_in(netns, {"qdisc", "del", "dev", "lo", "root"}));
  return true;
}

NetnsTopology::NetnsTopology(int parties, const NetProfile& profile) : profile_(profile) {
  if (parties < 2 || parties > 200) {
    throw ConfigError("network profile: " + std::to_string(parties) + " parties (expected 2 to 200)");
  }
  try {
    build(parties);
  } catch (...) {
    teardown();
    throw;
  }
}

NetnsTopology::~NetnsTopology() { teardown(); }

void NetnsTopology::add_namespace(const std::string& name) {
  // Registered before creation: a signal between the two still removes it.
  register_for_signal_cleanup(name);
  try {
    run_checked({"ip", "netns", "add", name});
  } catch (...) {
    unregister_from_signal_cleanup(name);  // not ours: someone else's, or never made
    throw;
  }
  created_.push_back(name);
  run_checked(ip_in(name, {"link", "set", "lo", "up"}));
}

void NetnsTopology::build(int parties) {
  remove_stale_namespaces();
  const std::string prefix = namespace_prefix();
  bridge_namespace_ = prefix + "br";
  add_namespace(bridge_namespace_);
  run_checked(ip_in(bridge_namespace_, {"link", "add", kBridge, "type", "bridge"}));
  run_checked(ip_in(bridge_namespace_, {"link", "set", kBridge, "up"}));

  if (kernel_has_netem(bridge_namespace_)) {
    link_kind_ = LinkKind::kVethNetem;
  } else {
    link_kind_ = profile_.rtt_ms > 0 ? LinkKind::kTapDelayLine : LinkKind::kVethTbf;
  }
  mtu_ = link_kind_ == LinkKind::kTapDelayLine ? kJumboMtu : 1500;
  for (int i = 0; i < parties; ++i) {
    party_namespaces_.push_back(prefix + "p" + std::to_string(i));
    add_namespace(party_namespaces_.back());
    cable_party(i);
  }
}

void NetnsTopology::cable_party(int party) {
  const std::string& ns = party_namespaces_[static_cast<size_t>(party)];
  const std::string port = bridge_port(party);
  const std::string mtu = std::to_string(mtu_);
  if (link_kind_ != LinkKind::kTapDelayLine) {
    run_checked(ip_in(bridge_namespace_,
                      {"link", "add", port, "type", "veth", "peer", "name", kPartyDevice, "netns", ns}));
  } else {
    const int party_fd = open_tap_in_namespace(ns, kPartyDevice, kTapOffload);
    int bridge_fd = -1;
    try {
      bridge_fd = open_tap_in_namespace(bridge_namespace_, port, kTapOffload);
    } catch (...) {
      close(party_fd);
      throw;
    }
    // The whole one-way delay on the party's upload, none on its download:
    // every party-to-party path still gets half the round trip each way, and
    // frames wait on one timer per path instead of two (the relay's timer
    // wake-ups are what adds most to the configured delay).
    delay_lines_.push_back(std::make_unique<DelayLine>(party_fd, bridge_fd, one_way_delay(profile_),
                                                       std::chrono::nanoseconds(0), ns));
  }
  run_checked(ip_in(bridge_namespace_, {"link", "set", port, "mtu", mtu, "master", kBridge, "up"}));
  run_checked(ip_in(ns, {"link", "set", kPartyDevice, "mtu", mtu}));
  run_checked(ip_in(ns, {"addr", "add", party_address(party) + "/24", "dev", kPartyDevice}));
  run_checked(ip_in(ns, {"link", "set", kPartyDevice, "up"}));
  shape(ns, kPartyDevice);         // the party's upload
  shape(bridge_namespace_, port);  // the party's download
}

void NetnsTopology::shape(const std::string& netns, const std::string& device) {
  if (profile_.rate_bit_per_s <= 0 && profile_.rtt_ms <= 0) return;
  const std::string rate = format_rate(profile_.rate_bit_per_s > 0 ? profile_.rate_bit_per_s : 100e9);
  const double bytes_per_s = (profile_.rate_bit_per_s > 0 ? profile_.rate_bit_per_s : 100e9) / 8;
  if (link_kind_ == LinkKind::kVethNetem) {
    // The queue must hold a bandwidth-delay product or TCP sees drops.
    const double packets = std::max(1000.0, bytes_per_s * (profile_.rtt_ms / 1000 + 0.05) / 1500);
    run_checked(tc_in(netns, {"qdisc", "add", "dev", device, "root", "netem", "delay",
                              microseconds(per_cable_delay(profile_)), "rate", rate, "limit",
                              std::to_string(static_cast<long long>(packets))}));
    return;
  }
  if (profile_.rate_bit_per_s <= 0) return;  // delay only: the DelayLine does it
  // tbf needs a bucket of at least one (GSO) packet and about one timer tick
  // of traffic; its queue holds 50 ms at the line rate.
  const long long burst = static_cast<long long>(std::max({4.0 * (mtu_ + 18), 131072.0, bytes_per_s / 1000}));
  const long long limit = static_cast<long long>(std::max(2.0 * burst, bytes_per_s * 0.05));
  run_checked(tc_in(netns, {"qdisc", "add", "dev", device, "root", "tbf", "rate", rate, "burst",
                            std::to_string(burst), "limit", std::to_string(limit)}));
}

void NetnsTopology::teardown() noexcept {
  delay_lines_.clear();  // closes the TAPs before their namespaces go
  for (auto it = created_.rbegin(); it != created_.rend(); ++it) {
    const CommandResult result = run_command({"ip", "netns", "del", *it});
    if (result.exit_code != 0) {
      std::fprintf(stderr, "sqt: warning: could not remove network namespace %s: %s\n", it->c_str(),
                   result.output.c_str());
    }
    unregister_from_signal_cleanup(*it);
  }
  created_.clear();
}

std::string NetnsTopology::link_kind_name() const {
  switch (link_kind_) {
    case LinkKind::kVethNetem:
      return "veth+netem";
    case LinkKind::kVethTbf:
      return "veth+tbf";
    case LinkKind::kTapDelayLine:
      break;
  }
  return "tap+delayline+tbf";
}

std::string NetnsTopology::party_address(int party) const { return "10.77.0." + std::to_string(party + 1); }

std::vector<std::string> NetnsTopology::party_addresses() const {
  std::vector<std::string> out;
  for (int i = 0; i < parties(); ++i) out.push_back(party_address(i));
  return out;
}

std::vector<std::string> NetnsTopology::exec_prefix(int party) const {
  return {resolve_program("ip"), "netns", "exec", party_namespaces_.at(static_cast<size_t>(party))};
}

std::vector<std::vector<std::string>> NetnsTopology::exec_prefixes() const {
  std::vector<std::vector<std::string>> out;
  for (int i = 0; i < parties(); ++i) out.push_back(exec_prefix(i));
  return out;
}

std::unique_ptr<NetnsTopology> try_make_topology(int parties, const NetProfile& profile,
                                                 std::string* reason) {
  std::string why;
  if (geteuid() != 0) {
    why = "network namespaces need root (running as uid " + std::to_string(geteuid()) + ")";
  } else if (run_command({"ip", "-V"}).exit_code != 0) {
    why = "the `ip` command (iproute2) is not installed";
  } else if (run_command({"tc", "-V"}).exit_code != 0) {
    why = "the `tc` command (iproute2) is not installed";
  } else {
    try {
      return std::make_unique<NetnsTopology>(parties, profile);
    } catch (const std::exception& e) {
      why = e.what();
    }
  }
  if (reason) *reason = why;
  return nullptr;
}

}  // namespace sqt::bench::netns
