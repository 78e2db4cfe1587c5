#include "simd/targets.h"

#include <gtest/gtest.h>

#include <set>

namespace sqt::simd {
namespace {

TEST(Targets, ListsDistinctNamedTargetsWithDispatchedFirst) {
  const auto targets = supported_targets();
  ASSERT_FALSE(targets.empty());
  std::set<std::int64_t> seen;
  for (const auto& t : targets) {
    EXPECT_FALSE(t.name.empty());
    EXPECT_TRUE(seen.insert(t.bits).second) << t.name;
  }
  EXPECT_EQ(dispatched_target_name(), targets.front().name);
}

TEST(Targets, ForEachTargetForcesEachThenRestores) {
  const auto targets = supported_targets();
  std::vector<std::string> visited;
  for_each_target([&](const DispatchTarget& t) {
    EXPECT_EQ(dispatched_target_name(), t.name);
    visited.push_back(t.name);
  });
  ASSERT_EQ(visited.size(), targets.size());
  for (std::size_t i = 0; i < targets.size(); ++i) EXPECT_EQ(visited[i], targets[i].name);
  EXPECT_EQ(dispatched_target_name(), targets.front().name);
}

}  // namespace
}  // namespace sqt::simd
