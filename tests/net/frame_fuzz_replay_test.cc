// Runs the libFuzzer target's entry point (fuzz/frame_fuzzer.cc) on seeded
// random inputs with g++, so the parser's invariants are checked in every
// ctest run; the target aborts on a violated invariant.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <vector>

#include "host/net/frame.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace sqt::net {
namespace {

TEST(FrameFuzzReplay, RandomAndMutatedHeadersKeepTheInvariants) {
  std::mt19937_64 gen(20261123);
  int accepted = 0;
  for (int i = 0; i < 100000; ++i) {
    std::vector<std::uint8_t> in(kFrameHeaderBytes + 8);
    // Half the inputs start from a valid header with a few random byte flips,
    // so the accepting paths are reached, not just the magic check.
    if (i % 2 == 0) {
      const auto type = static_cast<FrameType>(1 + gen() % 4);
      const std::uint64_t len = gen() % 3 == 0 ? gen() : gen() % 9000;
      const FrameHeaderBytes h = encode_frame_header({type, len});
      for (std::size_t k = 0; k < h.size(); ++k) in[k] = std::to_integer<std::uint8_t>(h[k]);
      for (int flips = static_cast<int>(gen() % 3); flips > 0; --flips) in[gen() % 16] ^= 1u << (gen() % 8);
    } else {
      for (auto& b : in) b = static_cast<std::uint8_t>(gen());
    }
    const std::uint64_t limit = gen() % 2 == 0 ? std::uint64_t{1} << 32 : gen() % 10000;
    for (int k = 0; k < 8; ++k) in[kFrameHeaderBytes + k] = static_cast<std::uint8_t>(limit >> (8 * k));
    ASSERT_EQ(LLVMFuzzerTestOneInput(in.data(), in.size()), 0);
    FrameHeaderBytes h{};
    for (std::size_t k = 0; k < h.size(); ++k) h[k] = std::byte{in[k]};
    try {
      parse_frame_header(h, limit);
      ++accepted;
    } catch (const FrameError&) {
    }
  }
  EXPECT_GT(accepted, 2000);  // the accepting paths are reached, not only the rejections
}

}  // namespace
}  // namespace sqt::net
