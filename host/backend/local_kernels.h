// Kernels that run on the CPU whatever the backend: elementwise steps too
// small to be worth a trip to a card (a Winograd transform's scalar
// multiples, the bit transposes of a comparison). They are the door through
// which host/mpc and host/nn reach simd/ (../shared/DESIGN.md: only
// host/backend calls the kernels directly), so a protocol or a layer never
// names a SIMD library.
#pragma once

#include <cstdint>
#include <span>

#include "host/core/ring.h"

namespace sqt::backend {

// acc[i] += x[i] * c and out[i] = x[i] * c in the ring (sizes must match).
void mul_scalar_add(std::span<const Ring> x, Ring c, std::span<Ring> acc);
void mul_scalar(std::span<const Ring> x, Ring c, std::span<Ring> out);
// The same in Z_2^128 (scalar loops).
void mul_scalar_add(std::span<const Ring128> x, Ring128 c, std::span<Ring128> acc);
void mul_scalar(std::span<const Ring128> x, Ring128 c, std::span<Ring128> out);

// Transposes each 64 x 64 bit block of `blocks` (64 words per block) in
// place: word j of a block then holds bit j of the block's 64 inputs.
void transpose_bit_blocks(std::span<std::uint64_t> blocks);

}  // namespace sqt::backend
