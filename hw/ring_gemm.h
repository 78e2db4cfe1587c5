// ring_gemm: one tile of a matrix product mod 2^64 on the card.
//
// C (m x n) = A (m x k) * B (k x n), m, k <= kGemmTileM/K, n <= kGemmTileN.
// Buffers hold 512-bit words; every row starts on a word boundary:
//   a: m rows of words_for(k) words, b: k rows of words_for(n) words,
//   c: m rows of words_for(n) words. Lanes past the row end are don't-care
//   on input; on output they hold unspecified values.
#pragma once

#include <cstdint>

#include "hw/kernel_abi.h"

extern "C" void sqt_ring_gemm(const sqt::hw::Word512* a, const sqt::hw::Word512* b, sqt::hw::Word512* c,
                              std::uint32_t m, std::uint32_t n, std::uint32_t k);
