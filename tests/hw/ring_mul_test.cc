// C simulation of ring_mul against simd::cross_mul_add, bit for bit.
#include "hw/ring_mul.h"

#include <gtest/gtest.h>

#include <vector>

#include "simd/ring_ops.h"
#include "tests/hw/random_words.h"

namespace {

using sqt::hw::kLanes;
using sqt::hw::Word512;

std::vector<Word512> to_words(const std::vector<std::uint64_t>& v, std::uint32_t words) {
  std::vector<Word512> out(words);
  for (std::size_t i = 0; i < v.size(); ++i) out[i / kLanes].lane[i % kLanes] = v[i];
  return out;
}

class RingMul : public ::testing::TestWithParam<int> {};

TEST_P(RingMul, MatchesSimdCrossMulAdd) {
  const std::size_t n = GetParam();
  const std::uint32_t words = sqt::hw::words_for(n);
  std::vector<std::vector<std::uint64_t>> in;
  for (int i = 0; i < 5; ++i) in.push_back(sqt::hw::test::random_words(n, 100 * n + i));
  std::vector<std::uint64_t> want(n);
  sqt::simd::cross_mul_add(in[0], in[1], in[2], in[3], in[4], want);

  std::vector<std::vector<Word512>> w;
  for (const auto& v : in) w.push_back(to_words(v, words));
  std::vector<Word512> out(words + 1);
  out.back().lane[0] = 99;
  sqt_ring_mul(w[0].data(), w[1].data(), w[2].data(), w[3].data(), w[4].data(), out.data(), words);
  for (std::size_t i = 0; i < n; ++i) ASSERT_EQ(out[i / kLanes].lane[i % kLanes], want[i]) << "element " << i;
  EXPECT_EQ(out.back().lane[0], 99u);
}

INSTANTIATE_TEST_SUITE_P(RaggedLengths, RingMul, ::testing::Values(0, 1, 7, 8, 9, 31, 1000, 4099));

}  // namespace
