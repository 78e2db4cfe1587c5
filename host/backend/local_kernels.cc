#include "host/backend/local_kernels.h"

#include "simd/bits.h"
#include "simd/ring_ops.h"

namespace sqt::backend {

void mul_scalar_add(std::span<const Ring> x, Ring c, std::span<Ring> acc) { simd::mul_scalar_add(x, c, acc); }

void mul_scalar(std::span<const Ring> x, Ring c, std::span<Ring> out) { simd::mul_scalar(x, c, out); }

void transpose_bit_blocks(std::span<std::uint64_t> blocks) { simd::transpose64_batch(blocks); }

}  // namespace sqt::backend
