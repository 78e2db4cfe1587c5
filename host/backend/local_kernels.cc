#include "host/backend/local_kernels.h"

#include "simd/bits.h"
#include "simd/ring_ops.h"

namespace sqt::backend {

void mul_scalar_add(std::span<const Ring> x, Ring c, std::span<Ring> acc) { simd::mul_scalar_add(x, c, acc); }

void mul_scalar(std::span<const Ring> x, Ring c, std::span<Ring> out) { simd::mul_scalar(x, c, out); }

void mul_scalar_add(std::span<const Ring128> x, Ring128 c, std::span<Ring128> acc) {
  for (std::size_t i = 0; i < x.size(); ++i) acc[i] += x[i] * c;
}

void mul_scalar(std::span<const Ring128> x, Ring128 c, std::span<Ring128> out) {
  for (std::size_t i = 0; i < x.size(); ++i) out[i] = x[i] * c;
}

void transpose_bit_blocks(std::span<std::uint64_t> blocks) { simd::transpose64_batch(blocks); }

}  // namespace sqt::backend
