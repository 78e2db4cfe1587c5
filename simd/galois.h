// Arithmetic of the Galois ring GR(2^64, 4) = Z_2^64[X] / (X^4 + X + 1),
// vectorized with Highway (runtime dispatch). Elements are stored as four
// coefficient arrays (structure of arrays): a[j][e] is coefficient j of
// element e. A product is 16 word products and the reduction
// X^4 = -X - 1; the coefficient-0 form needs 4. Outputs may alias inputs
// element for element.
#pragma once

#include <cstddef>
#include <cstdint>

namespace sqt::simd {

using u64 = std::uint64_t;

// out = a * b, elementwise.
void gr_mul(const u64* const a[4], const u64* const b[4], u64* const out[4], std::size_t n);
// acc += c * a, elementwise, for one constant c (four coefficients).
void gr_mul_const_add(const u64* const a[4], const u64 c[4], u64* const acc[4], std::size_t n);
// acc += coefficient 0 of a * b = a0 b0 - a1 b3 - a2 b2 - a3 b1.
void gr_coef0_mul_add(const u64* const a[4], const u64* const b[4], u64* acc, std::size_t n);

}  // namespace sqt::simd
