// Elementwise arithmetic on ring elements of Z_2^64 (unsigned wrap-around),
// vectorized with Highway and dispatched at run time to the best target.
// Every function checks that the spans have equal sizes and throws
// std::invalid_argument naming the sizes otherwise. Outputs may alias inputs
// (exactly, element for element); partial overlap is not supported.
#pragma once

#include <cstdint>
#include <span>

namespace sqt::simd {

using u64 = std::uint64_t;

void add(std::span<const u64> a, std::span<const u64> b, std::span<u64> out);      // out = a + b
void sub(std::span<const u64> a, std::span<const u64> b, std::span<u64> out);      // out = a - b
void neg(std::span<const u64> a, std::span<u64> out);                              // out = -a
void mul(std::span<const u64> a, std::span<const u64> b, std::span<u64> out);      // out = a * b
void mul_scalar(std::span<const u64> a, u64 s, std::span<u64> out);                // out = a * s
void mul_scalar_add(std::span<const u64> a, u64 s, std::span<u64> acc);            // acc += a * s
void mul_add(std::span<const u64> a, std::span<const u64> b, std::span<u64> acc);  // acc += a * b

// Shifts by 0..63 bits (std::invalid_argument otherwise). shr_arith treats the
// elements as two's-complement int64 (sign-extending shift).
void shl(std::span<const u64> a, int bits, std::span<u64> out);
void shr_logical(std::span<const u64> a, int bits, std::span<u64> out);
void shr_arith(std::span<const u64> a, int bits, std::span<u64> out);

// out = x0*y0 + x0*y1 + x1*y0 + mask: three of the four cross products of
// (x0, x1) and (y0, y1), the local step of replicated-sharing products.
void cross_mul_add(std::span<const u64> x0, std::span<const u64> x1, std::span<const u64> y0,
                   std::span<const u64> y1, std::span<const u64> mask, std::span<u64> out);

}  // namespace sqt::simd
