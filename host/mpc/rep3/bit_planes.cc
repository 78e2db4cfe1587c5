#include "host/mpc/rep3/bit_planes.h"

#include <algorithm>
#include <span>
#include <vector>

#include "host/backend/local_kernels.h"

namespace sqt::mpc {

void to_planes_flat(const Ring* v, const Ring* v2, std::size_t n, int bits, Ring offset, std::uint64_t* out) {
  const std::size_t words = words_for(n);
  // 64 elements per 64 x 64 block; blocks are transposed in groups (one
  // vectorized call per group, kBlocks x 64 words = 32 KiB, L1-resident).
  constexpr std::size_t kBlocks = 64;
  std::vector<std::uint64_t> group(kBlocks * 64);
  for (std::size_t w0 = 0; w0 < words; w0 += kBlocks) {
    const std::size_t blocks = std::min(kBlocks, words - w0);
    const std::size_t base = w0 * 64;
    const std::size_t count = std::min(blocks * 64, n - base);
    if (v2 != nullptr) {
      for (std::size_t e = 0; e < count; ++e) group[e] = v[base + e] + v2[base + e] + offset;
    } else {
      for (std::size_t e = 0; e < count; ++e) group[e] = v[base + e] + offset;
    }
    std::fill(group.begin() + static_cast<std::ptrdiff_t>(count),
              group.begin() + static_cast<std::ptrdiff_t>(blocks * 64), 0);
    backend::transpose_bit_blocks(std::span<std::uint64_t>(group.data(), blocks * 64));
    for (int j = 0; j < bits; ++j) {
      std::uint64_t* plane = out + static_cast<std::size_t>(j) * words + w0;
      for (std::size_t b = 0; b < blocks; ++b) plane[b] = group[b * 64 + j];
    }
  }
}

void plane_to_ring(const std::uint64_t* plane, std::size_t n, Ring* out) {
  for (std::size_t e = 0; e < n; ++e) out[e] = (plane[e >> 6] >> (e & 63)) & 1;
}

}  // namespace sqt::mpc
