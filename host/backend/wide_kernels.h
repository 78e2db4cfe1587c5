// Portable kernels over Z_2^128 (the --ring 128 path). Highway has no 128-bit
// lane multiply, so these are blocked scalar loops: a 128-bit product is three
// 64-bit multiplies, and the compiler keeps the accumulators in registers.
#pragma once

#include <cstddef>
#include <span>

#include "host/backend/backend.h"

namespace sqt::backend {

// C = op(A) op(B) (+ C) mod 2^128, row-major (as Backend::gemm), rows split
// over `threads` threads.
void wide_gemm(Trans ta, Trans tb, std::size_t m, std::size_t n, std::size_t k, const Ring128* a,
               const Ring128* b, Ring128* c, bool accumulate, int threads);

// out = x0*y0 + x0*y1 + x1*y0 + mask, elementwise (as Backend::cross_mul_add).
void wide_cross_mul_add(std::span<const Ring128> x0, std::span<const Ring128> x1, std::span<const Ring128> y0,
                        std::span<const Ring128> y1, std::span<const Ring128> mask, std::span<Ring128> out);

}  // namespace sqt::backend
