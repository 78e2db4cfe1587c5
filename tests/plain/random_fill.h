// Seeded random test inputs for the plain tests.
#pragma once

#include <random>
#include <vector>

namespace sqt::plain::testing {

inline std::vector<double> random_vec(std::size_t n, unsigned seed, double lo = -1.0, double hi = 1.0) {
  std::mt19937_64 gen(seed);
  std::uniform_real_distribution<double> dist(lo, hi);
  std::vector<double> v(n);
  // Rounded to float so the float and float64 paths start from equal inputs.
  for (auto& x : v) x = static_cast<float>(dist(gen));
  return v;
}

inline std::vector<float> to_float(const std::vector<double>& v) { return {v.begin(), v.end()}; }

}  // namespace sqt::plain::testing
