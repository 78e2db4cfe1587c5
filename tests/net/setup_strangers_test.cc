// Strangers on a party's listening port during mesh setup (a port scanner,
// a stray client sending garbage, one that connects and stays silent) must
// not break the setup: they are dropped and the mesh of the real parties
// forms and carries data.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "host/core/error.h"
#include "host/net/frame.h"
#include "host/net/mesh.h"
#include "tests/net/exchange_data.h"
#include "tests/net/mesh_parties.h"
#include "tests/net/test_deployment.h"

namespace sqt::net {
namespace {

using Clock = std::chrono::steady_clock;

// A TCP connection to 127.0.0.1:port, retried until the port listens (the
// party opens it when its setup starts); -1 when it never did.
int connect_when_listening(unsigned short port, Clock::time_point deadline) {
  while (Clock::now() < deadline) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(port);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) return fd;
    ::close(fd);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return -1;
}

using testing::Outcome;
using testing::start_party;

// Every party sends every other party a few frames of known bytes and checks
// what it receives; returns the number of mismatching frames.
int exchange_rounds(std::vector<Outcome>& parties) {
  const int n = static_cast<int>(parties.size());
  std::vector<int> bad(parties.size(), 0);
  std::vector<std::thread> threads;
  for (int me = 0; me < n; ++me) {
    threads.emplace_back([&, me] {
      bad[static_cast<std::size_t>(me)] =
          testing::exchange_all(*parties[static_cast<std::size_t>(me)].net, 11, 6);
    });
  }
  for (auto& t : threads) t.join();
  int total = 0;
  for (int b : bad) total += b;
  // Close all at once, as separate processes would (each waits for BYEs).
  threads.clear();
  for (auto& p : parties) threads.emplace_back([&p] { p.net.reset(); });
  for (auto& t : threads) t.join();
  return total;
}

// Party 0 starts alone; three strangers reach its port before the real
// peers do (so they are first in its accept queue): one sends garbage, one
// connects and closes (a port scan), one connects and says nothing for the
// whole setup. Then parties 1 and 2 start; all three must connect and
// exchange data.
TEST(SetupStrangers, GarbageScannerAndSilentClientDoNotBreakSetup) {
  for (bool plain : {false, true}) {
    SCOPED_TRACE(plain ? "plain tcp" : "tls");
    testing::TestDeployment d(3);
    MeshOptions options;
    options.plain_tcp_for_benchmarks = plain;
    for (int i = 0; i < 3; ++i) d.config(i).connect_timeout = std::chrono::milliseconds(8000);
    const unsigned short port0 = d.config(0).parties[0].port;

    auto f0 = start_party(d.config(0), options);
    const auto deadline = Clock::now() + std::chrono::seconds(5);
    const int garbage = connect_when_listening(port0, deadline);
    const int scanner = connect_when_listening(port0, deadline);
    const int silent = connect_when_listening(port0, deadline);
    ASSERT_GE(garbage, 0) << "party 0 never listened";
    ASSERT_GE(scanner, 0);
    ASSERT_GE(silent, 0);
    const std::string junk = "GET / HTTP/1.0\r\nHost: sqt\r\n\r\n" + std::string(300, 'x');
    ASSERT_EQ(::send(garbage, junk.data(), junk.size(), MSG_NOSIGNAL), static_cast<ssize_t>(junk.size()));
    ::close(scanner);

    auto f1 = start_party(d.config(1), options);
    auto f2 = start_party(d.config(2), options);
    std::vector<Outcome> parties = testing::finish_all(f0, f1, f2);
    ::close(garbage);
    ::close(silent);  // held open until every party finished its setup
    for (int i = 0; i < 3; ++i) {
      ASSERT_TRUE(parties[static_cast<std::size_t>(i)].net)
          << "party " << i << ": " << parties[static_cast<std::size_t>(i)].error;
    }
    EXPECT_EQ(exchange_rounds(parties), 0);
  }
}

// A silent stranger alone (no garbage to fail on first): it must not hold
// the acceptor, so the real peers get in while it stays connected.
TEST(SetupStrangers, SilentClientDoesNotHoldTheAcceptor) {
  testing::TestDeployment d(3);
  for (int i = 0; i < 3; ++i) d.config(i).connect_timeout = std::chrono::milliseconds(4000);
  const unsigned short port1 = d.config(1).parties[1].port;
  auto f1 = start_party(d.config(1), {});
  const int silent = connect_when_listening(port1, Clock::now() + std::chrono::seconds(5));
  ASSERT_GE(silent, 0) << "party 1 never listened";
  auto f0 = start_party(d.config(0), {});
  auto f2 = start_party(d.config(2), {});
  std::vector<Outcome> parties = testing::finish_all(f0, f1, f2);
  ::close(silent);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(parties[static_cast<std::size_t>(i)].net)
        << "party " << i << ": " << parties[static_cast<std::size_t>(i)].error;
  }
  EXPECT_EQ(exchange_rounds(parties), 0);
}

// A stranger on another loopback address (127.0.0.2, not in [[parties]])
// that speaks the plain-TCP setup and claims to be party 1. Returns the
// connected socket, or -1 when party 0 never listened.
int impersonate_party1_from_unlisted_address(unsigned short port, Clock::time_point deadline) {
  while (Clock::now() < deadline) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in from{};
    from.sin_family = AF_INET;
    from.sin_addr.s_addr = htonl(0x7f000002);  // 127.0.0.2
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    to.sin_port = htons(port);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&from), sizeof from) == 0 &&
        ::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) == 0) {
      const FrameHeaderBytes h = encode_frame_header({FrameType::kHello, kHelloPayloadBytes});
      const HelloPayloadBytes hello = encode_hello_payload({1, 3});
      std::vector<std::byte> bytes(h.begin(), h.end());
      bytes.insert(bytes.end(), hello.begin(), hello.end());
      ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      return fd;
    }
    ::close(fd);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return -1;
}

// accept_only_listed_hosts: a connection from an address that is not in
// [[parties]] is dropped before its HELLO is read, so an impostor who got
// there first does not take party 1's place; the real party 1 does.
// Without the option the impostor is taken for party 1 and setup fails.
TEST(SetupStrangers, UnlistedAddressIsDroppedWhenOnlyListedHostsAreAccepted) {
  for (const bool only_listed : {true, false}) {
    SCOPED_TRACE(only_listed ? "accept_only_listed_hosts" : "any address");
    testing::TestDeployment d(3);
    MeshOptions options;
    options.plain_tcp_for_benchmarks = true;
    for (int i = 0; i < 3; ++i) {
      d.config(i).connect_timeout = std::chrono::milliseconds(4000);
      d.config(i).accept_only_listed_hosts = only_listed;
    }
    auto f0 = start_party(d.config(0), options);
    const int impostor = impersonate_party1_from_unlisted_address(d.config(0).parties[0].port,
                                                                  Clock::now() + std::chrono::seconds(5));
    ASSERT_GE(impostor, 0) << "party 0 never listened";
    std::this_thread::sleep_for(std::chrono::milliseconds(200));  // let party 0 take the impostor first
    auto f1 = start_party(d.config(1), options);
    auto f2 = start_party(d.config(2), options);
    std::vector<Outcome> parties = testing::finish_all(f0, f1, f2);
    ::close(impostor);
    if (only_listed) {
      for (int i = 0; i < 3; ++i) {
        ASSERT_TRUE(parties[static_cast<std::size_t>(i)].net)
            << "party " << i << ": " << parties[static_cast<std::size_t>(i)].error;
      }
      EXPECT_EQ(exchange_rounds(parties), 0);
    } else {
      bool any_failed = false;
      for (auto& p : parties) any_failed = any_failed || !p.net;
      EXPECT_TRUE(any_failed)
          << "the impostor went unnoticed without the option: the test would prove nothing";
      std::vector<std::thread> closers;
      for (auto& p : parties) closers.emplace_back([&p] { p.net.reset(); });
      for (auto& t : closers) t.join();
    }
  }
}

}  // namespace
}  // namespace sqt::net
