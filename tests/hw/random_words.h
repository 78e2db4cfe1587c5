// Seeded random ring words for the kernel tests.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

namespace sqt::hw::test {

inline std::vector<std::uint64_t> random_words(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<std::uint64_t> v(n);
  for (auto& x : v) x = rng();
  return v;
}

}  // namespace sqt::hw::test
