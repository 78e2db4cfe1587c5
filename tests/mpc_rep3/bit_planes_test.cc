#include "host/mpc/rep3/bit_planes.h"

#include <gtest/gtest.h>

#include <random>

namespace sqt::mpc {
namespace {

TEST(BitPlanes, ToPlanesAddsOffsetAndHandlesPartialWord) {
  std::mt19937_64 rng(5);
  const std::size_t n = 150;  // two full words and a partial one
  const std::size_t words = words_for(n);
  ASSERT_EQ(words, 3u);
  std::vector<Ring> v(n);
  for (auto& x : v) x = rng();
  const Ring offset = Ring{1} << 30;
  std::vector<std::uint64_t> planes(40 * words, ~std::uint64_t{0});  // padding must be overwritten
  to_planes_flat(v.data(), nullptr, n, 40, offset, planes.data());
  for (int j = 0; j < 40; ++j) {
    const std::uint64_t* plane = planes.data() + j * words;
    for (std::size_t e = 0; e < n; ++e)
      ASSERT_EQ((plane[e / 64] >> (e % 64)) & 1, ((v[e] + offset) >> j) & 1);
    EXPECT_EQ(plane[2] >> (n % 64), 0u) << "bits past n are zero";
  }
  std::vector<Ring> back(n);
  plane_to_ring(planes.data() + 7 * words, n, back.data());
  for (std::size_t e = 0; e < n; ++e) EXPECT_EQ(back[e], ((v[e] + offset) >> 7) & 1);
}

TEST(BitPlanes, ToPlanesOfASumAddsBothInputs) {
  std::mt19937_64 rng(6);
  const std::size_t n = 100;
  std::vector<Ring> a(n), b(n);
  for (auto& x : a) x = rng();
  for (auto& x : b) x = rng();
  const std::size_t words = words_for(n);
  std::vector<std::uint64_t> planes(64 * words);
  to_planes_flat(a.data(), b.data(), n, 64, 5, planes.data());
  for (int j = 0; j < 64; ++j)
    for (std::size_t e = 0; e < n; ++e)
      ASSERT_EQ((planes[j * words + e / 64] >> (e % 64)) & 1, ((a[e] + b[e] + 5) >> j) & 1);
}

// More than one group of 64 blocks, with a partial last word: every bit of
// every plane against the bit of the element it came from.
TEST(BitPlanes, ToPlanesAcrossTransposeGroupsMatchesBitByBit) {
  std::mt19937_64 rng(8);
  const std::size_t n = 64 * 64 * 2 + 64 * 3 + 17;
  const std::size_t words = words_for(n);
  std::vector<Ring> v(n);
  for (auto& x : v) x = rng();
  std::vector<std::uint64_t> planes(64 * words);
  to_planes_flat(v.data(), nullptr, n, 64, 0, planes.data());
  for (int j = 0; j < 64; ++j) {
    const std::uint64_t* plane = planes.data() + j * words;
    for (std::size_t e = 0; e < n; ++e)
      ASSERT_EQ((plane[e / 64] >> (e % 64)) & 1, (v[e] >> j) & 1) << "plane " << j << " element " << e;
    EXPECT_EQ(plane[words - 1] >> (n % 64), 0u) << "bits past n are zero";
  }
}

}  // namespace
}  // namespace sqt::mpc
