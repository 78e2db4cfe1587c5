// C simulation of ring_gemm on single tiles of ragged shapes, against
// simd::gemm on the same matrices, bit for bit.
#include "hw/ring_gemm.h"

#include <gtest/gtest.h>

#include <tuple>
#include <vector>

#include "simd/gemm.h"
#include "tests/hw/random_words.h"

namespace {

using sqt::hw::kLanes;
using sqt::hw::Word512;
using sqt::hw::words_for;

// Packs a row-major rows x cols matrix into rows of words_for(cols) words;
// the padding lanes get junk, which the kernel must ignore.
std::vector<Word512> pack_rows(const std::vector<std::uint64_t>& m, std::uint32_t rows, std::uint32_t cols) {
  const std::uint32_t w = words_for(cols);
  std::vector<Word512> out(std::size_t{rows} * w);
  for (std::uint32_t r = 0; r < rows; ++r) {
    for (std::uint32_t c = 0; c < w * kLanes; ++c) {
      out[r * w + c / kLanes].lane[c % kLanes] =
          c < cols ? m[std::size_t{r} * cols + c] : 0xdeadbeefULL * (c + 1);
    }
  }
  return out;
}

class RingGemmTile : public ::testing::TestWithParam<std::tuple<int, int, int>> {};

TEST_P(RingGemmTile, MatchesSimdGemm) {
  const auto [m, n, k] = GetParam();
  const auto a = sqt::hw::test::random_words(std::size_t(m) * k, 1 + m);
  const auto b = sqt::hw::test::random_words(std::size_t(k) * n, 2 + n);
  std::vector<std::uint64_t> want(std::size_t(m) * n);
  sqt::simd::gemm(sqt::simd::Transpose::kNo, sqt::simd::Transpose::kNo, m, n, k, a, b, want, false);

  const auto pa = pack_rows(a, m, k), pb = pack_rows(b, k, n);
  std::vector<Word512> pc(std::size_t(m) * words_for(n) + 1);
  pc.back().lane[0] = 12345;  // guard word: the kernel must not write past m rows
  sqt_ring_gemm(pa.data(), pb.data(), pc.data(), m, n, k);
  for (int i = 0; i < m; ++i) {
    for (int j = 0; j < n; ++j) {
      ASSERT_EQ(pc[i * words_for(n) + j / kLanes].lane[j % kLanes], want[std::size_t(i) * n + j])
          << "C[" << i << "][" << j << "]";
    }
  }
  EXPECT_EQ(pc.back().lane[0], 12345u);
}

INSTANTIATE_TEST_SUITE_P(RaggedShapes, RingGemmTile,
                         ::testing::Values(std::make_tuple(1, 1, 1), std::make_tuple(1, 8, 1),
                                           std::make_tuple(3, 5, 7), std::make_tuple(8, 8, 8),
                                           std::make_tuple(9, 17, 31), std::make_tuple(13, 255, 2),
                                           std::make_tuple(256, 256, 256), std::make_tuple(251, 3, 256),
                                           std::make_tuple(2, 249, 97)));

TEST(RingGemmTile, ZeroInnerDimensionGivesZeros) {
  std::vector<Word512> pa(1), pb(1), pc(3 * words_for(10));
  for (auto& w : pc) w.lane[0] = 77;
  sqt_ring_gemm(pa.data(), pb.data(), pc.data(), 3, 10, 0);
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 10; ++j) EXPECT_EQ(pc[i * words_for(10) + j / kLanes].lane[j % kLanes], 0u);
  }
}

}  // namespace
