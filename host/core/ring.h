// Ring elements and fixed-point encoding.
//
// Secure arithmetic is on Z_2^64 (the default, `Ring`) or Z_2^128 (the
// paper's high-precision setting, f = 32, k = 63): unsigned integers with
// wrap-around. Protocols name their element type as P::Ring and everything
// generic (host/mpc/fixed, host/nn) is a template over it; code that means
// "an element of the default ring" says Ring, never uint64_t.
#pragma once

#include <cmath>
#include <concepts>
#include <cstdint>
#include <string>

namespace sqt {

using Ring64 = std::uint64_t;
__extension__ using Ring128 = unsigned __int128;  // GCC/Clang builtin
__extension__ using SignedRing128 = __int128;

using Ring = Ring64;  // the default ring, Z_2^64
using SignedRing = std::int64_t;

// The element types a ring may have.
template <class T>
concept RingElement = std::same_as<T, Ring64> || std::same_as<T, Ring128>;

template <RingElement T>
inline constexpr int ring_bits = static_cast<int>(8 * sizeof(T));
inline constexpr int kRingBits = ring_bits<Ring>;

// The two's-complement reading of a ring element.
template <RingElement T>
using SignedOf = std::conditional_t<std::same_as<T, Ring64>, std::int64_t, SignedRing128>;

// Fixed-point parameters: a value x is encoded as round(x * 2^f) and must
// satisfy |x| < 2^(k - f - 1), i.e. the encoding fits in k signed bits.
struct FixedParams {
  int f = 16;  // fractional bits
  int k = 31;  // significant bits (including sign)
};

// The paper's parameters per ring: f = 16, k = 31 in Z_2^64; f = 32, k = 63
// in Z_2^128.
template <RingElement T>
constexpr FixedParams default_fixed() {
  return ring_bits<T> == 64 ? FixedParams{16, 31} : FixedParams{32, 63};
}

// round(x * 2^f) as a ring element. A double has 53 significant bits, so in
// Z_2^128 the value is split into a high and a low part that each round
// exactly (|x * 2^f| < 2^126 covers every k <= 127).
template <RingElement T = Ring>
T encode_fixed(double x, int f) {
  const double scaled = std::ldexp(x, f);
  if constexpr (ring_bits<T> == 64) {
    return static_cast<T>(static_cast<SignedRing>(std::llround(scaled)));
  } else {
    const double high = std::trunc(std::ldexp(scaled, -62));  // whole multiples of 2^62
    const double low = scaled - std::ldexp(high, 62);         // exact: |low| < 2^62
    return (static_cast<T>(static_cast<SignedRing128>(static_cast<std::int64_t>(high))) << 62) +
           static_cast<T>(static_cast<SignedRing128>(std::llround(low)));
  }
}

// The ring element v, read as a signed fixed-point number with f fractional
// bits.
template <RingElement T = Ring>
double decode_fixed(T v, int f) {
  return std::ldexp(static_cast<double>(static_cast<SignedOf<T>>(v)), -f);
}

// The low 64 bits of a ring element (a PRG word, a bit-plane word).
template <RingElement T>
constexpr std::uint64_t low_word(T v) {
  return static_cast<std::uint64_t>(v);
}

// Decimal text of a ring element as a signed value (error messages, tests).
template <RingElement T>
std::string signed_text(T v) {
  if constexpr (ring_bits<T> == 64) {
    return std::to_string(static_cast<std::int64_t>(v));
  } else {
    const bool negative = static_cast<SignedRing128>(v) < 0;
    T magnitude = negative ? T{0} - v : v;
    std::string digits;
    do {
      digits.insert(digits.begin(), static_cast<char>('0' + static_cast<int>(magnitude % 10)));
      magnitude /= 10;
    } while (magnitude != 0);
    return negative ? "-" + digits : digits;
  }
}

}  // namespace sqt
