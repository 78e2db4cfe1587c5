#include "host/mpc/rep3/bit_planes.h"

#include <algorithm>

namespace sqt::mpc {

void transpose64(std::uint64_t a[64]) {
  // Swap the off-diagonal j x j blocks, for j = 32, 16, ..., 1.
  std::uint64_t m = 0x00000000FFFFFFFFULL;
  for (int j = 32; j != 0; j >>= 1, m ^= m << j) {
    for (int k = 0; k < 64; k = ((k | j) + 1) & ~j) {
      const std::uint64_t t = ((a[k] >> j) ^ a[k | j]) & m;
      a[k | j] ^= t;
      a[k] ^= t << j;
    }
  }
}

std::vector<std::vector<std::uint64_t>> to_planes(const Ring* v, std::size_t n, int bits, Ring offset) {
  const std::size_t words = words_for(n);
  std::vector<std::vector<std::uint64_t>> planes(bits, std::vector<std::uint64_t>(words));
  std::uint64_t block[64];
  for (std::size_t w = 0; w < words; ++w) {
    const std::size_t base = w * 64;
    const std::size_t count = std::min<std::size_t>(64, n - base);
    for (std::size_t e = 0; e < count; ++e) block[e] = v[base + e] + offset;
    for (std::size_t e = count; e < 64; ++e) block[e] = 0;
    transpose64(block);
    for (int j = 0; j < bits; ++j) planes[j][w] = block[j];
  }
  return planes;
}

void plane_to_ring(const std::uint64_t* plane, std::size_t n, Ring* out) {
  for (std::size_t e = 0; e < n; ++e) out[e] = (plane[e >> 6] >> (e & 63)) & 1;
}

}  // namespace sqt::mpc
