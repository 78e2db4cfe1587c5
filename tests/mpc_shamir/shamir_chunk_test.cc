// Shamir's chunked circuits (truncation, ltz, bit decomposition,
// random_int on a vector longer than one chunk) on 3 and 10 parties: the
// values against plain Z_2^64 arithmetic, and the opened values equal to
// an unchunked run with the same seed (the masks are drawn once per vector).
#include <gtest/gtest.h>

#include <cstdint>
#include <tuple>
#include <vector>

#include "host/core/error.h"
#include "tests/mpc_shamir/shamir_test_util.h"

namespace sqt::test {
namespace {

using mpc::Shamir;

class ShamirChunks : public ::testing::TestWithParam<int> {};

INSTANTIATE_TEST_SUITE_P(N, ShamirChunks, ::testing::Values(3, 10));

constexpr std::size_t kLen = 300;    // chunks of 128, 128 and 44
constexpr std::size_t kSmall = 128;  // the test chunk: two words of bit planes

// Signed values of `bits` bits, so x + 2^62 stays in [0, 2^63).
std::vector<Ring> signed_values(std::size_t n, std::uint64_t seed, int bits) {
  auto v = random_ring(n, seed);
  for (auto& x : v) x = static_cast<Ring>(static_cast<SignedRing>(x) >> (64 - bits));
  return v;
}

// The opened truncation, comparison, bit planes and random integers of `a`
// with chunks of `chunk` elements.
auto run_all(int parties, const std::vector<Ring>& a, std::size_t chunk, mpc::TruncMode mode) {
  return agreed(run_shamir(
      parties,
      [&](Shamir& p) {
        p.set_chunk(chunk);
        const auto x = p.input(0, owned_by(p, 0, a), a.size());
        const auto tr = p.reveal(p.trunc(x, 16));
        const auto lt = p.reveal(p.ltz(x));
        std::vector<std::vector<std::uint64_t>> bits;
        for (const auto& plane : p.bit_decompose(x, 64)) bits.push_back(p.reveal_bits(plane));
        const auto ri = p.reveal(p.random_int(a.size(), 6));
        return std::make_tuple(tr, lt, bits, ri);
      },
      mode));
}

TEST_P(ShamirChunks, ChunkedCircuitsMatchPlainArithmeticAndTheUnchunkedRun) {
  const int n = GetParam();
  auto a = signed_values(kLen, 81, 63);
  a[127] = Ring{1} << 61;  // the range's ends, next to a chunk boundary
  a[128] = static_cast<Ring>(-(SignedRing{1} << 62));
  a[299] = (Ring{1} << 62) - 1;
  for (const auto mode : {mpc::TruncMode::kProbabilistic, mpc::TruncMode::kExact}) {
    const auto chunked = run_all(n, a, kSmall, mode);
    const auto& [tr, lt, bits, ri] = chunked;
    for (std::size_t e = 0; e < kLen; ++e) {
      expect_truncated(tr[e], a[e], 16, mode, e);
      EXPECT_EQ(lt[e], a[e] >> 63) << e;
      for (int j = 0; j < 64; ++j)
        EXPECT_EQ(bits[j][e / 64] >> (e % 64) & 1, a[e] >> j & 1) << e << " bit " << j;
      EXPECT_LT(ri[e], 64u) << e;
    }
    // One chunk for the whole vector: the same opened values, bit for bit.
    EXPECT_EQ(chunked, run_all(n, a, Shamir::kChunk, mode));
  }
}

TEST(ShamirChunkErrors, ChunkMustBeWholeWords) {
  run_shamir(3, [](Shamir& p) {
    EXPECT_THROW(p.set_chunk(0), ConfigError);
    EXPECT_THROW(p.set_chunk(100), ConfigError);
    EXPECT_EQ(p.chunk(), Shamir::kChunk);
    return 0;
  });
}

}  // namespace
}  // namespace sqt::test
