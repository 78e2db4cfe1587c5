// Ring elements and fixed-point encoding.
//
// All secure arithmetic is on Z_2^64: unsigned 64-bit integers with wrap-around.
// The alias `Ring` is the one seam for a wider ring later (f = 32, k = 63 needs
// Z_2^128): code that means "a ring element" says Ring, never uint64_t.
#pragma once

#include <cmath>
#include <cstdint>

namespace sqt {

using Ring = std::uint64_t;
using SignedRing = std::int64_t;
inline constexpr int kRingBits = 64;

// Fixed-point parameters: a value x is encoded as round(x * 2^f) and must
// satisfy |x| < 2^(k - f - 1), i.e. the encoding fits in k signed bits.
struct FixedParams {
  int f = 16;  // fractional bits
  int k = 31;  // significant bits (including sign)
};

inline Ring encode_fixed(double x, int f) {
  return static_cast<Ring>(static_cast<SignedRing>(std::llround(std::ldexp(x, f))));
}

inline double decode_fixed(Ring v, int f) {
  return std::ldexp(static_cast<double>(static_cast<SignedRing>(v)), -f);
}

}  // namespace sqt
