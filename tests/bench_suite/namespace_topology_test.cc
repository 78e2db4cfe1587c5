// Needs root and a kernel that lets us make network namespaces; skips with
// the reason otherwise. Checks that the profile is applied (the round trip is
// at least the configured delay, the throughput at most the configured rate:
// bounds that noise cannot break) and that nothing is left behind on any exit
// path: normal, exception, half-built, SIGINT and SIGKILL.
#include "bench/netns/namespace_topology.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <future>
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

TEST_F(NamespaceTopologyTest, LanProfileHasItsRoundTrip) {
  // Without netem the LAN's 0.1 ms comes from the TAP relay; with netem from
  // netem. Either way no frame may arrive before its delay is over, so even
  // the fastest round trip is at least the configured one, however loaded
  // the machine is (slower is possible and reported, never faster).
  const NetProfile profile = make_net_profile("lan");
  NetnsTopology topology(3, profile);
  EXPECT_NE(topology.link_kind(), LinkKind::kVethTbf) << "LAN got no delay: " << topology.link_kind_name();
  for (int to : {1, 2}) {
    const auto m = probe_link({topology.party_namespaces()[0], topology.party_address(0)},
                              {topology.party_namespaces()[to], topology.party_address(to)}, 50, 8e6);
    EXPECT_GE(m.rtt_ms_min, profile.rtt_ms * 0.999)
        << "party 0 to " << to << " via " << topology.link_kind_name();
    EXPECT_LE(m.throughput_bit_per_s, profile.rate_bit_per_s * 1.25);
    EXPECT_GT(m.throughput_bit_per_s, 0);
  }
}

TEST_F(NamespaceTopologyTest, ZeroDelayKeepsVethWithoutNetem) {
  NetnsTopology topology(2, make_net_profile("lan", "", 0));
  if (topology.link_kind() == LinkKind::kVethNetem) GTEST_SKIP() << "this kernel has netem";
  EXPECT_EQ(topology.link_kind(), LinkKind::kVethTbf);
}

// Runs `fn` on a thread inside network namespace `netns`.
template <typename Fn>
auto in_netns(const std::string& netns, Fn fn) {
  return std::async(std::launch::async, [netns, fn]() {
    const int ns_fd = open(("/run/netns/" + netns).c_str(), O_RDONLY | O_CLOEXEC);
    if (ns_fd < 0 || setns(ns_fd, CLONE_NEWNET) != 0) throw std::runtime_error("cannot enter " + netns);
    close(ns_fd);
    return fn();
  });
}

std::uint8_t pattern_byte(std::size_t i) { return static_cast<std::uint8_t>((i * 131) ^ (i >> 11)); }

TEST_F(NamespaceTopologyTest, RelayDeliversEveryByteInOrder) {
  // 48 MiB through the relays (their 16 MiB rings wrap several times) in
  // both directions at once, each byte checked against its position.
  NetnsTopology topology(2, make_net_profile("lan", "", 0.2));
  const std::size_t total = std::size_t{48} << 20;
  const std::string server_ns = topology.party_namespaces()[1];
  const std::string client_ns = topology.party_namespaces()[0];
  sockaddr_in address{};
  address.sin_family = AF_INET;
  inet_pton(AF_INET, topology.party_address(1).c_str(), &address.sin_addr);
  std::promise<int> port;
  auto port_ready = port.get_future();

  // Both ends send the pattern and check what they receive.
  auto exchange = [total](int fd) -> std::size_t {
    timeval timeout{30, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
    auto sender = std::async(std::launch::async, [fd, total] {
      std::vector<std::uint8_t> chunk(1 << 16);
      for (std::size_t sent = 0; sent < total;) {
        const std::size_t n = std::min(chunk.size(), total - sent);
        for (std::size_t i = 0; i < n; ++i) chunk[i] = pattern_byte(sent + i);
        const ssize_t w = send(fd, chunk.data(), n, MSG_NOSIGNAL);
        if (w <= 0) return false;
        sent += static_cast<std::size_t>(w);
      }
      return true;
    });
    std::vector<std::uint8_t> buffer(1 << 16);
    std::size_t received = 0;
    std::size_t wrong = 0;
    while (received < total) {
      const ssize_t n = recv(fd, buffer.data(), std::min(buffer.size(), total - received), 0);
      if (n <= 0) break;
      for (ssize_t i = 0; i < n; ++i)
        wrong += buffer[static_cast<std::size_t>(i)] != pattern_byte(received + static_cast<std::size_t>(i));
      received += static_cast<std::size_t>(n);
    }
    const bool sent_all = sender.get();
    return received == total && sent_all ? wrong : total + 1;
  };

  auto server = in_netns(server_ns, [&]() -> std::size_t {
    const int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in bound = address;
    socklen_t len = sizeof bound;
    if (bind(listener, reinterpret_cast<sockaddr*>(&bound), sizeof bound) != 0 || listen(listener, 1) != 0 ||
        getsockname(listener, reinterpret_cast<sockaddr*>(&bound), &len) != 0) {
      port.set_value(-1);
      close(listener);
      return total + 2;
    }
    port.set_value(ntohs(bound.sin_port));
    timeval timeout{30, 0};
    setsockopt(listener, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    const int fd = accept(listener, nullptr, nullptr);
    close(listener);
    if (fd < 0) return total + 3;
    const std::size_t wrong = exchange(fd);
    close(fd);
    return wrong;
  });
  const int server_port = port_ready.get();
  ASSERT_GT(server_port, 0);
  auto client = in_netns(client_ns, [&]() -> std::size_t {
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in to = address;
    to.sin_port = htons(static_cast<std::uint16_t>(server_port));
    if (connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) != 0) {
      close(fd);
      return total + 4;
    }
    const std::size_t wrong = exchange(fd);
    close(fd);
    return wrong;
  });
  EXPECT_EQ(client.get(), 0u) << "bytes wrong at party 0 (total + k: transfer failed)";
  EXPECT_EQ(server.get(), 0u) << "bytes wrong at party 1 (total + k: transfer failed)";
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
