#include "host/mpc/rep3/bit_planes.h"

#include <algorithm>
#include <span>
#include <vector>

#include "host/backend/local_kernels.h"

namespace sqt::mpc {

template <RingElement T>
void to_planes_flat(const T* v, std::type_identity_t<const T*> v2, std::size_t n, int bits,
                    std::type_identity_t<T> offset, std::uint64_t* out) {
  const std::size_t words = words_for(n);
  // 64 elements per 64 x 64 block; blocks are transposed in groups (one
  // vectorized call per group, kBlocks x 64 words = 32 KiB, L1-resident).
  // In Z_2^128 each 64-bit half of the elements is transposed on its own.
  constexpr std::size_t kBlocks = 64;
  constexpr int kHalves = ring_bits<T> / 64;
  std::vector<std::uint64_t> group(kBlocks * 64);
  std::vector<T> sums;
  if constexpr (kHalves > 1) sums.resize(kBlocks * 64);
  for (std::size_t w0 = 0; w0 < words; w0 += kBlocks) {
    const std::size_t blocks = std::min(kBlocks, words - w0);
    const std::size_t base = w0 * 64;
    const std::size_t count = std::min(blocks * 64, n - base);
    // The sums, straight into the group (Z_2^64) or kept whole (Z_2^128).
    T* sum = nullptr;
    if constexpr (kHalves > 1)
      sum = sums.data();
    else
      sum = group.data();
    if (v2 != nullptr) {
      for (std::size_t e = 0; e < count; ++e) sum[e] = v[base + e] + v2[base + e] + offset;
    } else {
      for (std::size_t e = 0; e < count; ++e) sum[e] = v[base + e] + offset;
    }
    for (int half = 0; half < kHalves && half * 64 < bits; ++half) {
      if constexpr (kHalves > 1)
        for (std::size_t e = 0; e < count; ++e) group[e] = static_cast<std::uint64_t>(sums[e] >> (64 * half));
      std::fill(group.begin() + static_cast<std::ptrdiff_t>(count),
                group.begin() + static_cast<std::ptrdiff_t>(blocks * 64), 0);
      backend::transpose_bit_blocks(std::span<std::uint64_t>(group.data(), blocks * 64));
      for (int j = 64 * half; j < std::min(bits, 64 * (half + 1)); ++j) {
        std::uint64_t* plane = out + static_cast<std::size_t>(j) * words + w0;
        for (std::size_t b = 0; b < blocks; ++b) plane[b] = group[b * 64 + (j - 64 * half)];
      }
    }
  }
}

template <RingElement T>
void plane_to_ring(const std::uint64_t* plane, std::size_t n, T* out) {
  for (std::size_t e = 0; e < n; ++e) out[e] = (plane[e >> 6] >> (e & 63)) & 1;
}

template void to_planes_flat<Ring64>(const Ring64*, const Ring64*, std::size_t, int, Ring64, std::uint64_t*);
template void to_planes_flat<Ring128>(const Ring128*, const Ring128*, std::size_t, int, Ring128,
                                      std::uint64_t*);
template void plane_to_ring<Ring64>(const std::uint64_t*, std::size_t, Ring64*);
template void plane_to_ring<Ring128>(const std::uint64_t*, std::size_t, Ring128*);

}  // namespace sqt::mpc
