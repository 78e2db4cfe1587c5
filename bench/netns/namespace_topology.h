// One Linux network namespace per party (sqt-<pid>-p<i>, address
// 10.77.0.<i+1>/24 on eth0), each cabled to a bridge that lives in its own
// namespace (sqt-<pid>-br), with the profile's rate and delay on every cable.
// Nothing is added to the caller's namespace. Created by the constructor,
// removed by the destructor (and on SIGINT/SIGTERM, see namespace_cleanup.h).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "bench/netns/delay_line.h"
#include "bench/netns/net_profile.h"

namespace sqt::bench::netns {

// How the cables are made; chosen by what the kernel offers. Without
// sch_netem every profile with a round trip above zero gets TAP pairs and a
// DelayLine (LAN's 0.1 ms included); veth pairs with tbf remain for a zero
// delay (`--delay 0`), where only the rate is shaped.
enum class LinkKind {
  kVethNetem,     // veth pairs, tc netem (delay + rate) on both ends
  kVethTbf,       // veth pairs, tc tbf (rate only; no netem and no delay asked for)
  kTapDelayLine,  // TAP pairs joined by a DelayLine (two threads), tc tbf for the rate
};

class NetnsTopology {
 public:
  // Throws sqt::NetError naming the failed command; anything created before
  // the failure is removed first.
  NetnsTopology(int parties, const NetProfile& profile);
  ~NetnsTopology();
  NetnsTopology(const NetnsTopology&) = delete;
  NetnsTopology& operator=(const NetnsTopology&) = delete;

  int parties() const { return static_cast<int>(party_namespaces_.size()); }
  const std::string& bridge_namespace() const { return bridge_namespace_; }
  const std::vector<std::string>& party_namespaces() const { return party_namespaces_; }
  LinkKind link_kind() const { return link_kind_; }
  std::string link_kind_name() const;
  const NetProfile& profile() const { return profile_; }

  // The listen address of party i ("10.77.0.<i+1>").
  std::string party_address(int party) const;
  std::vector<std::string> party_addresses() const;
  // {"/usr/sbin/ip", "netns", "exec", "sqt-<pid>-p<i>"}: runs a command as party i.
  std::vector<std::string> exec_prefix(int party) const;
  std::vector<std::vector<std::string>> exec_prefixes() const;

 private:
  void build(int parties);
  void add_namespace(const std::string& name);
  void cable_party(int party);
  void shape(const std::string& netns, const std::string& device);
  void teardown() noexcept;

  NetProfile profile_;
  LinkKind link_kind_ = LinkKind::kTapDelayLine;
  int mtu_ = 1500;
  std::string bridge_namespace_;
  std::vector<std::string> party_namespaces_;
  std::vector<std::string> created_;  // every namespace made so far, in order
  std::vector<std::unique_ptr<DelayLine>> delay_lines_;
};

// True when the kernel in this machine offers sch_netem (checked in `netns`).
bool kernel_has_netem(const std::string& netns);

// Builds the topology or explains why it cannot (not root, no ip/tc, no
// namespaces in this sandbox ...). Returns nullptr and sets *reason then.
std::unique_ptr<NetnsTopology> try_make_topology(int parties, const NetProfile& profile, std::string* reason);

}  // namespace sqt::bench::netns
