// The epoch order: a permutation, deterministic, different per epoch/seed.
#include "host/data/batches.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

namespace sqt::data {
namespace {

TEST(Batches, IsAPermutation) {
  for (std::size_t n : {1u, 2u, 7u, 1000u, 60000u}) {
    auto order = epoch_order(42, 3, n);
    ASSERT_EQ(order.size(), n);
    std::sort(order.begin(), order.end());
    for (std::size_t i = 0; i < n; ++i) ASSERT_EQ(order[i], i) << "n=" << n;
  }
}

TEST(Batches, DeterministicAndDifferentPerEpochAndSeed) {
  const auto a = epoch_order(7, 0, 60000);
  EXPECT_EQ(a, epoch_order(7, 0, 60000));
  const auto b = epoch_order(7, 1, 60000);
  const auto c = epoch_order(8, 0, 60000);
  EXPECT_NE(a, b);
  EXPECT_NE(a, c);
  // Not just different: about 1 in n positions agree for unrelated shuffles.
  std::size_t same = 0;
  for (std::size_t i = 0; i < a.size(); ++i) same += a[i] == b[i];
  EXPECT_LT(same, 20u);
}

TEST(Batches, FirstPositionIsRoughlyUniform) {
  // Over 2000 epochs on 10 items each item comes first about 200 times.
  std::vector<int> first(10, 0);
  for (std::uint64_t e = 0; e < 2000; ++e) ++first[epoch_order(1, e, 10)[0]];
  for (int c : first) {
    EXPECT_GT(c, 130);
    EXPECT_LT(c, 270);
  }
}

TEST(Batches, SlicesAreConsecutive) {
  const auto order = epoch_order(5, 2, 1000);
  EXPECT_EQ(batches_per_epoch(1000, 128), 7u);
  const auto b3 = batch_indices(order, 3, 128);
  ASSERT_EQ(b3.size(), 128u);
  EXPECT_EQ(b3[0], order[384]);
  EXPECT_EQ(b3[127], order[511]);
  std::set<std::uint32_t> seen;
  for (std::size_t b = 0; b < 7; ++b)
    for (auto i : batch_indices(order, b, 128)) seen.insert(i);
  EXPECT_EQ(seen.size(), 7u * 128u);
}

}  // namespace
}  // namespace sqt::data
