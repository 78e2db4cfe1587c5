#include "host/mpc/rep3/bit_planes.h"

#include <gtest/gtest.h>

#include <random>

namespace sqt::mpc {
namespace {

TEST(BitPlanes, ToPlanesAddsOffsetAndHandlesPartialWord) {
  std::mt19937_64 rng(5);
  const std::size_t n = 150;  // two full words and a partial one
  std::vector<Ring> v(n);
  for (auto& x : v) x = rng();
  const Ring offset = Ring{1} << 30;
  const auto planes = to_planes(v.data(), n, 40, offset);
  ASSERT_EQ(planes.size(), 40u);
  for (int j = 0; j < 40; ++j) {
    ASSERT_EQ(planes[j].size(), 3u);
    for (std::size_t e = 0; e < n; ++e)
      ASSERT_EQ((planes[j][e / 64] >> (e % 64)) & 1, ((v[e] + offset) >> j) & 1);
    EXPECT_EQ(planes[j][2] >> (n % 64), 0u) << "bits past n are zero";
  }
  std::vector<Ring> back(n);
  plane_to_ring(planes[7].data(), n, back.data());
  for (std::size_t e = 0; e < n; ++e) EXPECT_EQ(back[e], ((v[e] + offset) >> 7) & 1);
}

// More than one group of 64 blocks, with a partial last word: every bit of
// every plane against the bit of the element it came from.
TEST(BitPlanes, ToPlanesAcrossTransposeGroupsMatchesBitByBit) {
  std::mt19937_64 rng(8);
  const std::size_t n = 64 * 64 * 2 + 64 * 3 + 17;
  std::vector<Ring> v(n);
  for (auto& x : v) x = rng();
  const auto planes = to_planes(v.data(), n, 64, 0);
  ASSERT_EQ(planes.size(), 64u);
  for (int j = 0; j < 64; ++j) {
    ASSERT_EQ(planes[j].size(), words_for(n));
    for (std::size_t e = 0; e < n; ++e)
      ASSERT_EQ((planes[j][e / 64] >> (e % 64)) & 1, (v[e] >> j) & 1) << "plane " << j << " element " << e;
    EXPECT_EQ(planes[j].back() >> (n % 64), 0u) << "bits past n are zero";
  }
}

}  // namespace
}  // namespace sqt::mpc
