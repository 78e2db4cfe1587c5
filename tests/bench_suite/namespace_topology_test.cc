// Needs root and a kernel that lets us make network namespaces; skips with
// the reason otherwise. Checks that the profile is applied (the round trip is
// at least the configured delay, the throughput at most the configured rate:
// bounds that noise cannot break) and that nothing is left behind on any exit
// path: normal, exception, half-built, SIGINT and SIGKILL.
#include "bench/netns/namespace_topology.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <stdexcept>

#include "bench/netns/command_runner.h"
#include "bench/netns/link_probe.h"
#include "bench/netns/namespace_cleanup.h"
#include "host/core/error.h"

namespace sqt::bench::netns {
namespace {

std::vector<std::string> namespaces_of(pid_t pid) {
  const std::string prefix = "sqt-" + std::to_string(pid) + "-";
  std::vector<std::string> out;
  for (const auto& line : {run_command({"ip", "netns", "list"}).output}) {
    size_t start = 0;
    while (start < line.size()) {
      size_t end = line.find('\n', start);
      if (end == std::string::npos) end = line.size();
      const std::string name =
          line.substr(start, line.find(' ', start) < end ? line.find(' ', start) - start : end - start);
      if (name.rfind(prefix, 0) == 0) out.push_back(name);
      start = end + 1;
    }
  }
  return out;
}

std::string root_links() { return run_command({"ip", "-o", "link", "show"}).output; }

class NamespaceTopologyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string reason;
    auto probe = try_make_topology(2, make_net_profile("lan"), &reason);
    if (!probe) GTEST_SKIP() << "network namespaces unavailable here: " << reason;
  }
};

TEST_F(NamespaceTopologyTest, ShapesTheLinkAndRemovesEverything) {
  const std::string links_before = root_links();
  const NetProfile profile = make_net_profile("wan", "40mbit", 8);
  {
    NetnsTopology topology(3, profile);
    EXPECT_EQ(namespaces_of(getpid()).size(), 4u);
    EXPECT_EQ(topology.party_address(2), "10.77.0.3");
    EXPECT_EQ(topology.exec_prefix(1).back(), topology.party_namespaces()[1]);

    const auto m = probe_link({topology.party_namespaces()[0], topology.party_address(0)},
                              {topology.party_namespaces()[1], topology.party_address(1)}, 10, 1.5e6);
    EXPECT_GE(m.rtt_ms_min, profile.rtt_ms * 0.95)
        << "delay not applied (" << topology.link_kind_name() << ")";
    EXPECT_LE(m.throughput_bit_per_s, profile.rate_bit_per_s * 1.25) << "rate not applied";
    EXPECT_GT(m.throughput_bit_per_s, 0);

    // Every party reaches every other one; the third through its own cable.
    const auto m20 = probe_link({topology.party_namespaces()[2], topology.party_address(2)},
                                {topology.party_namespaces()[0], topology.party_address(0)}, 2, 1e4);
    EXPECT_GE(m20.rtt_ms_min, profile.rtt_ms * 0.95);

    // The caller's namespace cannot reach the parties' addresses.
    EXPECT_THROW(probe_link({"", "127.0.0.1"}, {"", topology.party_address(0)}, 1, 1), NetError);
  }
  EXPECT_TRUE(namespaces_of(getpid()).empty());
  EXPECT_EQ(root_links(), links_before);
}

TEST_F(NamespaceTopologyTest, ExceptionUnwindingRemovesEverything) {
  try {
    NetnsTopology topology(2, make_net_profile("lan"));
    ASSERT_EQ(namespaces_of(getpid()).size(), 3u);
    throw std::runtime_error("benchmark failed");
  } catch (const std::runtime_error&) {
  }
  EXPECT_TRUE(namespaces_of(getpid()).empty());
}

TEST_F(NamespaceTopologyTest, HalfBuiltTopologyIsRemoved) {
  // Occupy the name party 1 would get: construction fails midway.
  const std::string blocker = namespace_prefix() + "p1";
  run_checked({"ip", "netns", "add", blocker});
  try {
    NetnsTopology topology(3, make_net_profile("lan"));
    ADD_FAILURE() << "construction succeeded despite " << blocker;
  } catch (const NetError& e) {
    EXPECT_NE(std::string(e.what()).find(blocker), std::string::npos) << e.what();
  }
  EXPECT_EQ(namespaces_of(getpid()), std::vector<std::string>{blocker});
  run_checked({"ip", "netns", "del", blocker});
}

// Builds a topology in a child that then dies by `signal_number`.
pid_t child_dying_with_topology(int signal_number) {
  int ready[2];
  if (pipe(ready) != 0) return -1;
  const pid_t pid = fork();
  if (pid == 0) {
    close(ready[0]);
    std::string reason;
    auto topology = try_make_topology(3, make_net_profile("wan"), &reason);
    const char flag = topology ? 'y' : 'n';
    if (write(ready[1], &flag, 1) != 1) _exit(2);
    raise(signal_number);
    _exit(1);
  }
  close(ready[1]);
  char flag = 0;
  if (read(ready[0], &flag, 1) != 1) flag = 0;
  close(ready[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == signal_number);
  EXPECT_EQ(flag, 'y');
  return pid;
}

TEST_F(NamespaceTopologyTest, SigintRemovesEverything) {
  const pid_t pid = child_dying_with_topology(SIGINT);
  EXPECT_TRUE(namespaces_of(pid).empty());
}

TEST_F(NamespaceTopologyTest, NextRunRemovesWhatSigkillLeft) {
  const pid_t pid = child_dying_with_topology(SIGKILL);
  EXPECT_EQ(namespaces_of(pid).size(), 4u);  // SIGKILL cannot be caught
  EXPECT_GE(remove_stale_namespaces(), 4);
  EXPECT_TRUE(namespaces_of(pid).empty());
}

}  // namespace
}  // namespace sqt::bench::netns
