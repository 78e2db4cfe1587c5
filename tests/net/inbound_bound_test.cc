// The inbound queue is bounded: a peer that sends far more than a party
// consumes is throttled by TCP (the party stops reading it) instead of
// filling the party's memory, the party still hears its other peers, and
// every frame arrives intact once the party receives them.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>
#include <vector>

#include "host/core/error.h"
#include "host/net/inbound.h"
#include "host/net/mesh.h"
#include "tests/net/exchange_data.h"
#include "tests/net/test_deployment.h"

namespace sqt::net {
namespace {

using Clock = std::chrono::steady_clock;

std::vector<std::byte> frame_bytes(std::size_t n, std::uint64_t seed) {
  return testing::pattern_bytes(n, seed);
}

struct FloodCase {
  std::size_t frame_bytes;  // every third frame is empty
  std::size_t bound;        // party 0's max_queued_bytes
};

// Party 1 floods party 0 with 48 MiB (far beyond the bound plus the socket
// buffers) while party 0 waits in a recv() from party 2, reading every
// peer; party 2 sends once the flood has gone far enough to overrun an
// unbounded queue (or after a while, when the flooder is held back).
TEST(InboundBound, FloodingPeerStaysWithinTheBoundAndEverythingArrives) {
  for (const FloodCase fc : {FloodCase{64 << 10, 1 << 20}, FloodCase{3 << 20, 4 << 20}}) {
    SCOPED_TRACE(::testing::Message() << "frames of " << fc.frame_bytes << " bytes, bound " << fc.bound);
    testing::TestDeployment d(3);
    for (int i = 0; i < 3; ++i) d.config(i).timeout = std::chrono::milliseconds(30000);
    d.config(0).max_queued_bytes = fc.bound;
    std::vector<std::future<std::unique_ptr<Network>>> f;
    for (int i = 0; i < 3; ++i)
      f.push_back(std::async(std::launch::async, [c = d.config(i)] { return connect_mesh(c, {}); }));
    std::vector<std::unique_ptr<Network>> p;
    for (auto& x : f) p.push_back(x.get());

    const std::size_t total = std::size_t{48} << 20;
    std::vector<std::size_t> sizes;
    for (std::size_t sum = 0; sum < total; sum += sizes.back())
      sizes.push_back(sizes.size() % 3 == 0 ? 0 : fc.frame_bytes + sizes.size() % 7);

    std::atomic<std::size_t> flooded{0};
    std::thread flooder([&] {
      for (std::size_t k = 0; k < sizes.size(); ++k) {
        p[1]->send_bytes(0, frame_bytes(sizes[k], k));
        flooded += sizes[k];
      }
    });
    const std::vector<std::byte> hello = frame_bytes(100, 999);
    std::thread party2([&] {
      const auto until = Clock::now() + std::chrono::milliseconds(1500);
      while (flooded < total * 2 / 3 && Clock::now() < until)
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
      p[2]->send_bytes(0, hello);
    });

    std::vector<std::byte> got(hello.size());
    p[0]->recv_bytes(2, got);  // reads party 1 meanwhile, up to the bound
    EXPECT_EQ(got, hello);
    const InboundQueueStats during = inbound_queue_for_tests(*p[0], 1);
    EXPECT_GT(during.peak_queued_bytes, 0u) << "party 0 never read the flood";
    EXPECT_LE(during.peak_queued_bytes, std::max(fc.bound, fc.frame_bytes + 16 + 6));

    std::size_t bad = 0;
    for (std::size_t k = 0; k < sizes.size(); ++k) {
      std::vector<std::byte> frame(sizes[k]);
      p[0]->recv_bytes(1, frame);
      if (frame != frame_bytes(sizes[k], k)) ++bad;
    }
    flooder.join();
    party2.join();
    EXPECT_EQ(bad, 0u);
    const InboundQueueStats after = inbound_queue_for_tests(*p[0], 1);
    EXPECT_EQ(after.queued_bytes, 0u);
    EXPECT_LE(after.peak_queued_bytes, std::max(fc.bound, fc.frame_bytes + 16 + 6));

    std::vector<std::thread> closers;
    for (auto& net : p) closers.emplace_back([&net] { net.reset(); });
    for (auto& t : closers) t.join();
  }
}

// Frames a party never receives do not keep it from closing: the queue is
// dropped at close, so the peer's BYE behind a full queue is read.
TEST(InboundBound, CloseWithAFullQueueEndsPromptly) {
  testing::TestDeployment d(2);
  for (int i = 0; i < 2; ++i) d.config(i).timeout = std::chrono::milliseconds(20000);
  d.config(0).max_queued_bytes = 1 << 20;
  auto f0 = std::async(std::launch::async, [c = d.config(0)] { return connect_mesh(c, {}); });
  auto p1 = connect_mesh(d.config(1), {});
  auto p0 = f0.get();
  std::thread flooder([&] {
    for (int k = 0; k < 200; ++k) p1->send_bytes(0, frame_bytes(64 << 10, static_cast<std::uint64_t>(k)));
    p1.reset();  // BYE behind 12.5 MiB nobody receives
  });
  // Party 0 reads while it sends, then closes without receiving anything.
  for (int k = 0; k < 20; ++k) p0->send_bytes(1, frame_bytes(1000, 5));
  EXPECT_LE(inbound_queue_for_tests(*p0, 1).peak_queued_bytes, std::size_t{1} << 20);
  const auto start = Clock::now();
  p0.reset();
  flooder.join();
  // A hang check, not a timing assertion: well below the 20 s timeout.
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(15));
}

}  // namespace
}  // namespace sqt::net
