// Helpers for the simd tests: seeded random vectors and the per-target loop.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <vector>

#include "simd/targets.h"

namespace sqt::simd::testing {

inline std::vector<std::uint64_t> random_words(std::size_t n, std::mt19937_64& rng) {
  std::vector<std::uint64_t> v(n);
  for (auto& x : v) x = rng();
  return v;
}

// Runs body once per dispatch target the CPU supports, tracing the name.
template <class Body>
void on_every_target(Body body) {
  const auto targets = supported_targets();
  ASSERT_FALSE(targets.empty());
  for_each_target([&](const DispatchTarget& target) {
    SCOPED_TRACE("target " + target.name);
    ASSERT_EQ(dispatched_target_name(), target.name);
    body();
  });
}

// Edge and bulk sizes: empty, one, odd, around vector widths (2, 4, 8 lanes
// and the 2x unrolled loops), and large.
inline const std::vector<std::size_t>& test_sizes() {
  static const std::vector<std::size_t> sizes = {0,  1,  2,  3,  5,  7,   8,    9,    15,
                                                 16, 17, 31, 33, 63, 100, 1001, 65537};
  return sizes;
}

}  // namespace sqt::simd::testing
