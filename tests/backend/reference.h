// Independent scalar references for the backend tests.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

#include "host/backend/backend.h"

namespace sqt::backend::test {

inline std::vector<Ring> random_ring(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<Ring> v(n);
  for (auto& x : v) x = rng();
  return v;
}

// The textbook triple loop, mod 2^64.
inline void reference_gemm(Trans ta, Trans tb, std::size_t m, std::size_t n, std::size_t k, const Ring* a,
                           const Ring* b, Ring* c, bool accumulate) {
  for (std::size_t i = 0; i < m; ++i) {
    for (std::size_t j = 0; j < n; ++j) {
      Ring s = accumulate ? c[i * n + j] : 0;
      for (std::size_t p = 0; p < k; ++p) {
        const Ring av = ta == Trans::kNo ? a[i * k + p] : a[p * m + i];
        const Ring bv = tb == Trans::kNo ? b[p * n + j] : b[j * k + p];
        s += av * bv;
      }
      c[i * n + j] = s;
    }
  }
}

}  // namespace sqt::backend::test
