// Packed boolean operations on 64-bit words (one bit per boolean value), used
// by the bit-sliced comparison circuits. Size mismatches throw
// std::invalid_argument naming the sizes; outputs may alias inputs exactly.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace sqt::simd {

using u64 = std::uint64_t;

void xor_words(std::span<const u64> a, std::span<const u64> b, std::span<u64> out);
void and_words(std::span<const u64> a, std::span<const u64> b, std::span<u64> out);
void not_words(std::span<const u64> a, std::span<u64> out);

// In-place transpose of a 64x64 bit matrix. Bit order: row i is word
// block[i], and column j of row i is bit j of that word, i.e.
// (block[i] >> j) & 1. Afterwards bit (i, j) holds the former bit (j, i).
void transpose64(std::span<u64, 64> block);

// Transposes every consecutive 64-word block of `blocks` in place
// (blocks.size() must be a multiple of 64).
void transpose64_batch(std::span<u64> blocks);

}  // namespace sqt::simd
