// In-process tests of the TLS mesh: each party runs in its own thread with
// its own sockets and TLS sessions (the multi-process runs are in
// process_test.cc).
#include "host/net/mesh.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/socket.h>

#include <chrono>
#include <fstream>
#include <future>
#include <iterator>
#include <thread>

#include "host/core/error.h"
#include "host/net/frame.h"
#include "host/net/keys.h"
#include "tests/net/exchange_data.h"
#include "tests/net/mesh_parties.h"
#include "tests/net/test_deployment.h"

namespace sqt::net {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using Clock = std::chrono::steady_clock;

using testing::Outcome;

std::vector<Outcome> connect_all(std::vector<NodeConfig> configs, MeshOptions options = {}) {
  std::vector<std::future<Outcome>> started;
  for (const NodeConfig& c : configs) started.push_back(testing::start_party(c, options));
  return testing::finish_all(std::move(started));
}

// Closes all parties at once, as separate processes would (each waits for
// the others' BYE).
void close_all(std::vector<Outcome>& parties) {
  std::vector<std::thread> threads;
  for (auto& p : parties) threads.emplace_back([&p] { p.net.reset(); });
  for (auto& t : threads) t.join();
}

std::string name_of(testing::TestDeployment& d, int party) {
  return fmt::format("party {} (127.0.0.1:{})", party, d.config(party).parties[party].port);
}

TEST(Mesh, ThreePartiesExchangeExactBytesAndCount) {
  for (bool plain : {false, true}) {
    testing::TestDeployment d(3);
    MeshOptions options;
    options.plain_tcp_for_benchmarks = plain;
    auto parties = connect_all({d.config(0), d.config(1), d.config(2)}, options);
    for (auto& p : parties) ASSERT_TRUE(p.net) << p.error;
    std::vector<std::thread> threads;
    std::vector<int> mismatches(3, 0);
    for (int me = 0; me < 3; ++me) {
      threads.emplace_back([&, me] {
        mismatches[static_cast<std::size_t>(me)] =
            testing::exchange_all(*parties[static_cast<std::size_t>(me)].net, 7, 12);
      });
    }
    for (auto& t : threads) t.join();
    for (int me = 0; me < 3; ++me) {
      EXPECT_EQ(mismatches[static_cast<std::size_t>(me)], 0) << "party " << me;
      std::uint64_t sent = 0, received = 0;
      for (int r = 0; r < 12; ++r) {
        for (int j = 0; j < 3; ++j) {
          if (j == me) continue;
          sent += testing::exchange_data(7, me, j, r).size();
          received += testing::exchange_data(7, j, me, r).size();
        }
      }
      const TrafficStats s = parties[static_cast<std::size_t>(me)].net->stats();
      EXPECT_EQ(s.bytes_sent, sent);
      EXPECT_EQ(s.bytes_received, received);
      EXPECT_EQ(s.messages_sent, 24u);
      EXPECT_EQ(s.rounds, 12u);  // "send to all, then receive from all" is one round
    }
    close_all(parties);
  }
}

TEST(Mesh, RecvOfTheWrongSizeNamesPeerAndBothSizes) {
  testing::TestDeployment d(2);
  auto p = connect_all({d.config(0), d.config(1)});
  ASSERT_TRUE(p[0].net && p[1].net);
  const std::vector<std::byte> eight(8);
  p[1].net->send_bytes(0, eight);
  std::vector<std::byte> sixteen(16);
  try {
    p[0].net->recv_bytes(1, sixteen);
    FAIL() << "no error";
  } catch (const NetError& e) {
    EXPECT_THAT(e.what(),
                AllOf(HasSubstr(name_of(d, 1)), HasSubstr("8 bytes"), HasSubstr("expects 16 bytes")));
  }
}

TEST(Mesh, CertificateFromAnotherCaIsRefused) {
  testing::TestDeployment d(2);
  testing::TestDeployment foreign(2);  // a second deployment with its own CA
  NodeConfig c1 = d.config(1);
  c1.ca_cert = foreign.config(1).ca_cert;
  c1.cert = foreign.config(1).cert;
  c1.key = foreign.config(1).key;
  auto p = connect_all({d.config(0), c1});
  EXPECT_FALSE(p[0].net);
  EXPECT_FALSE(p[1].net);
  // Whichever side verifies first refuses the other's certificate by name;
  // the refused side reports the peer's alert.
  const std::string both = p[0].error + " | " + p[1].error;
  EXPECT_THAT(both, HasSubstr("refused: unable to get local issuer certificate")) << both;
  EXPECT_THAT(both,
              ::testing::AnyOf(HasSubstr("certificate of " + name_of(d, 0) + " (it names 'sqt-party-0')"),
                               HasSubstr("certificate of " + name_of(d, 1) + " (it names 'sqt-party-1')")))
      << both;
}

TEST(Mesh, ExpiredCertificateIsRefused) {
  testing::TestDeployment d(2);
  Validity past;
  past.not_before = std::chrono::hours(-48);
  past.not_after = std::chrono::hours(-24);
  // Re-sign party 1's certificate with the deployment CA, expired yesterday.
  KeyPair ca;
  {
    std::ifstream k(d.dir() + "/ca.key"), c(d.dir() + "/ca.pem");
    ca.key_pem.assign(std::istreambuf_iterator<char>(k), {});
    ca.cert_pem.assign(std::istreambuf_iterator<char>(c), {});
  }
  const KeyPair expired = make_party_cert(ca, 1, past);
  write_text_file(d.dir() + "/expired.pem", expired.cert_pem, false);
  write_text_file(d.dir() + "/expired.key", expired.key_pem, true);
  NodeConfig c1 = d.config(1);
  c1.cert = d.dir() + "/expired.pem";
  c1.key = d.dir() + "/expired.key";
  auto p = connect_all({d.config(0), c1});
  EXPECT_FALSE(p[1].net);
  EXPECT_THAT(p[0].error, AllOf(HasSubstr("sqt-party-1"), HasSubstr("refused: certificate has expired")));
}

TEST(Mesh, CertificateOfAnotherPartyIsRefused) {
  testing::TestDeployment d(2, 3);  // keys for parties 0..2, session of two
  NodeConfig c1 = d.config(1);
  c1.cert = d.dir() + "/party-2.pem";
  c1.key = d.dir() + "/party-2.key";
  auto p = connect_all({d.config(0), c1});
  EXPECT_FALSE(p[1].net);
  EXPECT_THAT(p[0].error, AllOf(HasSubstr("'sqt-party-2'"), HasSubstr("'sqt-party-1'")));
}

TEST(Mesh, PortInUseIsAClearError) {
  testing::TestDeployment d(2);
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(d.config(0).parties[0].port);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(fd, 1), 0);
  try {
    connect_mesh(d.config(0));
    FAIL() << "no error";
  } catch (const NetError& e) {
    EXPECT_THAT(
        e.what(),
        AllOf(HasSubstr(fmt::format("party 0 cannot listen on 127.0.0.1:{}", d.config(0).parties[0].port)),
              HasSubstr("Address already in use")));
  }
  ::close(fd);
}

TEST(Mesh, OversizedFrameEndsTheSessionNamingTheLimit) {
  testing::TestDeployment d(2);
  NodeConfig c0 = d.config(0);
  c0.max_frame_bytes = 1000;
  auto p = connect_all({c0, d.config(1)});
  ASSERT_TRUE(p[0].net && p[1].net);
  p[1].net->send_bytes(0, std::vector<std::byte>(2000));
  std::vector<std::byte> out(2000);
  try {
    p[0].net->recv_bytes(1, out);
    FAIL() << "no error";
  } catch (const NetError& e) {
    EXPECT_THAT(e.what(), AllOf(HasSubstr(name_of(d, 1)), HasSubstr("oversized DATA frame: 2000 bytes"),
                                HasSubstr("max_frame_bytes = 1000")));
  }
  // Party 1 learns of it too (ABORT frame or closed connection), promptly.
  EXPECT_THROW(p[1].net->recv_bytes(0, out), NetError);
}

TEST(Mesh, TruncatedFrameEndsTheSession) {
  testing::TestDeployment d(2);
  auto p = connect_all({d.config(0), d.config(1)});
  ASSERT_TRUE(p[0].net && p[1].net);
  const FrameHeaderBytes h = encode_frame_header({FrameType::kData, 100});
  std::vector<std::byte> partial(h.begin(), h.end());
  partial.resize(partial.size() + 10);
  write_raw_bytes_for_tests(*p[1].net, 0, partial, true);
  std::vector<std::byte> out(100);
  try {
    p[0].net->recv_bytes(1, out);
    FAIL() << "no error";
  } catch (const NetError& e) {
    EXPECT_THAT(e.what(), AllOf(HasSubstr(name_of(d, 1)), HasSubstr("truncated DATA frame")));
  }
}

TEST(Mesh, GarbageHeaderEndsTheSession) {
  testing::TestDeployment d(2);
  auto p = connect_all({d.config(0), d.config(1)});
  ASSERT_TRUE(p[0].net && p[1].net);
  write_raw_bytes_for_tests(*p[1].net, 0, std::vector<std::byte>(16, std::byte{'x'}), false);
  std::vector<std::byte> out(4);
  EXPECT_THROW(
      {
        try {
          p[0].net->recv_bytes(1, out);
        } catch (const NetError& e) {
          EXPECT_THAT(e.what(), AllOf(HasSubstr(name_of(d, 1)), HasSubstr("magic")));
          throw;
        }
      },
      NetError);
}

TEST(Mesh, AbortReachesThePeerWithTheReason) {
  testing::TestDeployment d(3);
  auto p = connect_all({d.config(0), d.config(1), d.config(2)});
  for (auto& o : p) ASSERT_TRUE(o.net) << o.error;
  p[2].net->abort("dataset file is corrupt");
  std::vector<std::byte> out(8);
  for (int me : {0, 1}) {
    try {
      p[static_cast<std::size_t>(me)].net->recv_bytes(2, out);
      FAIL() << "no error";
    } catch (const NetError& e) {
      EXPECT_THAT(e.what(), AllOf(HasSubstr(name_of(d, 2) + " aborted the session"),
                                  HasSubstr("dataset file is corrupt")));
    }
  }
}

TEST(Mesh, SilentPeerTimesOutWithinTheTimeout) {
  testing::TestDeployment d(2);
  NodeConfig c0 = d.config(0);
  c0.timeout = std::chrono::milliseconds(300);
  auto p = connect_all({c0, d.config(1)});
  ASSERT_TRUE(p[0].net && p[1].net);
  std::vector<std::byte> out(8);
  const auto start = Clock::now();
  try {
    p[0].net->recv_bytes(1, out);
    FAIL() << "no error";
  } catch (const NetError& e) {
    EXPECT_THAT(e.what(), AllOf(HasSubstr("no data from " + name_of(d, 1)), HasSubstr("300 ms (timeout)")));
  }
  // A hang check, not a timing assertion: generous bound.
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(10));
}

TEST(Mesh, LargeFramesBothWaysDoNotDeadlock) {
  testing::TestDeployment d(2);
  auto p = connect_all({d.config(0), d.config(1)});
  ASSERT_TRUE(p[0].net && p[1].net);
  const std::size_t n = 24 << 20;  // far beyond the socket buffers
  std::vector<std::thread> threads;
  std::vector<bool> ok(2, false);
  for (int me = 0; me < 2; ++me) {
    threads.emplace_back([&, me] {
      std::vector<std::byte> send(n, std::byte(me + 1)), got(n);
      p[static_cast<std::size_t>(me)].net->send_bytes(1 - me, send);
      p[static_cast<std::size_t>(me)].net->recv_bytes(1 - me, got);
      ok[static_cast<std::size_t>(me)] = got == std::vector<std::byte>(n, std::byte(2 - me));
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_TRUE(ok[0]);
  EXPECT_TRUE(ok[1]);
  close_all(p);
}

using testing::pattern_bytes;

// Large odd-sized frames whose recv() comes late by various amounts: some
// arrive while the receiver is busy (buffered, or held back briefly), some
// switch from the buffer to the caller's memory part-way. Every byte must
// arrive, in order, over TLS and plain TCP.
TEST(Mesh, LateReceivesOfLargeOddFramesAreBitExact) {
  for (bool plain : {false, true}) {
    testing::TestDeployment d(2);
    MeshOptions options;
    options.plain_tcp_for_benchmarks = plain;
    auto p = connect_all({d.config(0), d.config(1)}, options);
    ASSERT_TRUE(p[0].net && p[1].net) << p[0].error << p[1].error;
    const std::vector<std::size_t> sizes{(std::size_t{9} << 20) + 5,   3,     (std::size_t{1} << 20) + 1,
                                         (std::size_t{64} << 20) + 11, 70001, (std::size_t{24} << 20) - 3,
                                         (std::size_t{4} << 20) - 3};
    const std::vector<int> delays_ms{0, 40, 1, 30, 0, 8, 60};
    // Frame k leaves when the receiver starts its delay before recv() k, so
    // the delay decides how much of the frame has arrived by then.
    std::vector<std::promise<void>> go(sizes.size());
    std::vector<std::vector<std::byte>> frames, got;
    for (std::size_t k = 0; k < sizes.size(); ++k) {
      frames.push_back(pattern_bytes(sizes[k], k));
      got.emplace_back(sizes[k], std::byte{0xEE});
    }
    std::thread sender([&] {
      for (std::size_t k = 0; k < sizes.size(); ++k) {
        go[k].get_future().wait();
        p[0].net->send_bytes(1, frames[k]);
      }
    });
    std::vector<std::string> mismatches;
    for (std::size_t k = 0; k < sizes.size(); ++k) {
      go[k].set_value();
      std::this_thread::sleep_for(std::chrono::milliseconds(delays_ms[k]));
      p[1].net->recv_bytes(0, got[k]);
      if (got[k] != frames[k]) mismatches.push_back(fmt::format("frame {}", k));
    }
    sender.join();
    EXPECT_TRUE(mismatches.empty()) << (plain ? "tcp: " : "tls: ") << ::testing::PrintToString(mismatches);
    close_all(p);
  }
}

// Both parties send each other a series of large frames before receiving
// (the exchange pattern of the protocols, with frames far beyond the socket
// buffers): no deadlock, no stall on the receive side's brief hold-back.
TEST(Mesh, RepeatedLargeExchangesBothWaysAreBitExact) {
  testing::TestDeployment d(2);
  auto p = connect_all({d.config(0), d.config(1)});
  ASSERT_TRUE(p[0].net && p[1].net);
  std::vector<int> bad(2, 0);
  std::vector<std::thread> threads;
  for (int me = 0; me < 2; ++me) {
    threads.emplace_back([&, me] {
      Network& net = *p[static_cast<std::size_t>(me)].net;
      for (int r = 0; r < 4; ++r) {
        const std::size_t n = (std::size_t{6} << 20) + static_cast<std::size_t>(r) * 4097 + 1;
        net.send_bytes(1 - me, pattern_bytes(n, static_cast<std::uint64_t>(100 * me + r)));
        std::vector<std::byte> got(n);
        net.recv_bytes(1 - me, got);
        if (got != pattern_bytes(n, static_cast<std::uint64_t>(100 * (1 - me) + r)))
          ++bad[static_cast<std::size_t>(me)];
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(bad[0], 0);
  EXPECT_EQ(bad[1], 0);
  close_all(p);
}

// A wait cycle through a large frame nobody receives yet: party 0 waits for
// party 1, party 1 waits for party 2, and party 2 is stuck sending party 0 a
// frame far beyond the socket buffers before it can send to party 1. Party 0
// must read that frame while it waits (after holding it back briefly), or
// all three would hang until the timeout.
TEST(Mesh, WaitCycleThroughAnUnreceivedLargeFrameResolves) {
  testing::TestDeployment d(3);
  auto p = connect_all({d.config(0), d.config(1), d.config(2)});
  for (auto& o : p) ASSERT_TRUE(o.net) << o.error;
  const std::size_t n = 40 << 20;
  const auto big = pattern_bytes(n, 7);
  const auto small = pattern_bytes(100, 8);
  bool ok0 = false, ok1 = false;
  const auto start = Clock::now();
  std::thread t2([&] {
    p[2].net->send_bytes(0, big);
    p[2].net->send_bytes(1, small);
  });
  std::thread t1([&] {
    std::vector<std::byte> got(small.size());
    p[1].net->recv_bytes(2, got);
    p[1].net->send_bytes(0, got);
    ok1 = got == small;
  });
  std::vector<std::byte> from1(small.size()), from2(n);
  p[0].net->recv_bytes(1, from1);
  p[0].net->recv_bytes(2, from2);
  ok0 = from1 == small && from2 == big;
  t1.join();
  t2.join();
  EXPECT_TRUE(ok0);
  EXPECT_TRUE(ok1);
  // A hang check, not a timing assertion: far below the 60 s timeout.
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(20));
  close_all(p);
}

}  // namespace
}  // namespace sqt::net
