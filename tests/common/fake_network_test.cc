// The in-process FakeNetwork (fake_network.h) against the Network contract
// of host/net/network.h, for 2, 4 and 10 parties: what the protocol tests
// count and assert is only as good as this stand-in.
#include "tests/common/fake_network.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <tuple>
#include <type_traits>
#include <vector>

#include "host/core/error.h"

namespace sqt::test {
namespace {

using ::testing::HasSubstr;

// A word that names its sender, receiver and sequence number.
Ring tag(int from, int to, int seq) {
  return (static_cast<Ring>(from) << 40) | (static_cast<Ring>(to) << 20) | static_cast<Ring>(seq);
}

class FakeNetworkTest : public ::testing::TestWithParam<int> {};

// Every party sends a burst of frames of different lengths to every other
// party before receiving anything; each pair's frames arrive complete and in
// the order sent, whatever the other pairs do meanwhile.
TEST_P(FakeNetworkTest, FramesArriveInOrderPerPair) {
  const int n = GetParam();
  const int burst = 25;
  const auto ok = run_parties(n, [&](net::Network& net) {
    EXPECT_EQ(net.parties(), n);
    const int me = net.party();
    for (int seq = 0; seq < burst; ++seq) {
      for (int peer = 0; peer < n; ++peer) {
        if (peer == me) continue;
        // Frame seq holds seq + 1 words, so a frame out of order fails the size check.
        std::vector<Ring> frame(static_cast<std::size_t>(seq) + 1, tag(me, peer, seq));
        net.send(peer, frame);
      }
    }
    int good = 0;
    // Receive from the peers in a different order than they sent.
    for (int k = 1; k < n; ++k) {
      const int peer = (me + n - k) % n;
      for (int seq = 0; seq < burst; ++seq) {
        std::vector<Ring> frame(static_cast<std::size_t>(seq) + 1);
        net.recv(peer, frame);
        const bool all =
            std::all_of(frame.begin(), frame.end(), [&](Ring v) { return v == tag(peer, me, seq); });
        EXPECT_TRUE(all) << "party " << me << " frame " << seq << " from " << peer;
        good += all ? 1 : 0;
      }
    }
    return good;
  });
  ASSERT_EQ(ok.size(), static_cast<std::size_t>(n));
  for (int p = 0; p < n; ++p) EXPECT_EQ(ok[p], (n - 1) * burst) << "party " << p;
}

// A round is counted at the first recv after one or more sends: "send to
// all, receive from all" is one round however many peers, a recv without a
// send before it is none, and a ring pass counts one round per hop only at
// the parties that sent before receiving.
TEST_P(FakeNetworkTest, RoundsAndBytesFollowTheContract) {
  const int n = GetParam();
  const auto stats = run_parties(n, [&](net::Network& net) {
    const int me = net.party();
    std::vector<Ring> one(3, 7), got(3);
    for (int step = 0; step < 4; ++step) {  // 4 rounds of all-to-all
      for (int peer = 0; peer < n; ++peer)
        if (peer != me) net.send(peer, one);
      for (int peer = 0; peer < n; ++peer)
        if (peer != me) net.recv(peer, got);
    }
    // A token passed once around the ring: party 0 sends first and receives
    // last (one more round); every other party receives, then sends (its
    // round is counted at its next recv, below).
    std::vector<Ring> token(1, 1);
    if (me == 0) {
      net.send(net.next_party(), token);
      net.recv(net.prev_party(), token);
    } else {
      net.recv(net.prev_party(), token);
      net.send(net.next_party(), token);
    }
    // Empty frames are frames: counted as messages with no bytes.
    std::vector<Ring> none;
    net.send(net.next_party(), none);
    net.recv(net.prev_party(), none);
    return net.stats();
  });
  for (int p = 0; p < n; ++p) {
    const auto& s = stats[p];
    const std::uint64_t peers = static_cast<std::uint64_t>(n) - 1;
    EXPECT_EQ(s.rounds, p == 0 ? 4u + 1 + 1 : 4u + 1) << "party " << p;
    EXPECT_EQ(s.messages_sent, 4 * peers + 1 + 1) << "party " << p;
    EXPECT_EQ(s.bytes_sent, 4 * peers * 3 * sizeof(Ring) + sizeof(Ring)) << "party " << p;
    EXPECT_EQ(s.bytes_received, s.bytes_sent) << "party " << p;
  }
}

// One party failing aborts the session: every other party, blocked on a
// frame that will never come, wakes with the abort, and run_parties rethrows
// the failing party's own error, not the echoes.
TEST_P(FakeNetworkTest, AFailingPartyWakesEveryone) {
  const int n = GetParam();
  const int culprit = n / 2;
  std::vector<std::string> seen(static_cast<std::size_t>(n));
  try {
    run_parties(n, [&](net::Network& net) {
      const int me = net.party();
      if (me == culprit) throw std::runtime_error("culprit gives up");
      std::vector<Ring> frame(1);
      try {
        net.recv(culprit, frame);  // never sent
      } catch (const NetError& e) {
        seen[me] = e.what();
        throw;
      }
    });
    FAIL() << "run_parties returned although a party threw";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "culprit gives up");
  }
  for (int p = 0; p < n; ++p) {
    if (p == culprit) continue;
    EXPECT_THAT(seen[p], HasSubstr("session aborted: party " + std::to_string(culprit) + " failed"))
        << "party " << p;
  }
}

// A frame of the wrong size is NetError naming the peer and both sizes.
TEST_P(FakeNetworkTest, SizeMismatchNamesPeerAndSizes) {
  const int n = GetParam();
  const int last = n - 1;
  EXPECT_THAT(
      [&] {
        run_parties(n, [&](net::Network& net) {
          if (net.party() == 0) {
            net.send(last, std::vector<Ring>(2));
          } else if (net.party() == last) {
            std::vector<Ring> out(3);
            net.recv(0, out);
          }
        });
      },
      ::testing::ThrowsMessage<NetError>(
          HasSubstr("frame from party 0 to party " + std::to_string(last) + " has 16 bytes, expected 24")));
}

// A wait is bounded: a party waiting for a frame that is never sent fails
// with a timeout naming both parties instead of hanging the test.
TEST_P(FakeNetworkTest, AMissingFrameTimesOut) {
  const int n = GetParam();
  EXPECT_THAT(
      [&] {
        run_parties(
            n,
            [&](net::Network& net) {
              if (net.party() == 1) {
                std::vector<Ring> out(1);
                net.recv(0, out);
              }
            },
            std::chrono::milliseconds(200));
      },
      ::testing::ThrowsMessage<NetError>(HasSubstr("party 1 timed out after 200 ms waiting for party 0")));
}

// Sending to oneself or to a party outside the session is a protocol bug.
TEST_P(FakeNetworkTest, NoLinkToSelfOrStrangers) {
  const int n = GetParam();
  for (int peer : {0, n}) {
    EXPECT_THAT(
        [&] {
          run_parties(n, [&](net::Network& net) {
            if (net.party() == 0) net.send(peer, std::vector<Ring>(1));
          });
        },
        ::testing::ThrowsMessage<NetError>(
            HasSubstr("no link from party 0 to party " + std::to_string(peer))));
  }
}

INSTANTIATE_TEST_SUITE_P(Parties, FakeNetworkTest, ::testing::Values(2, 4, 10),
                         [](const auto& info) { return std::to_string(info.param); });

// run_three keeps its array form for the rep3 tests; results need not be
// default-constructible.
TEST(FakeNetwork, RunThreeReturnsAnArrayInPartyOrder) {
  struct Id {
    explicit Id(int v) : value(v) {}
    int value;
  };
  const auto ids = run_three([](net::Network& net) { return Id(net.party() * 10); });
  static_assert(std::tuple_size_v<std::remove_const_t<decltype(ids)>> == 3);
  EXPECT_EQ(ids[0].value, 0);
  EXPECT_EQ(ids[1].value, 10);
  EXPECT_EQ(ids[2].value, 20);
}

}  // namespace
}  // namespace sqt::test
