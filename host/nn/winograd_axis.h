// One-dimensional Winograd (Toom-Cook) algorithms F(m, r) with coefficients
// in the ring: m correlation outputs y_i = sum_t w_t d_(i+t) from m + r - 1
// inputs through m + r - 1 products,
//   2^scale_bits y = A^T [ (G' w) (.) (B^T d) ]      ((.) elementwise).
//
// The points are 0, 1, -1, 2, 1/2, -2, -1/2, 3, -3, 4, -4 (the first m + r -
// 2 of them) and infinity. Over the rationals the construction needs
// divisions by differences of points. Every odd divisor is a unit mod 2^64,
// so it becomes a multiplication by its inverse there (and mod 2^128) (an exact ring
// identity, unlike a rounded fixed-point 1/3); the powers of two in the
// divisors and in the points' denominators are cleared into A^T's columns,
// B^T's rows and a common factor 2^scale_bits, which the caller's
// truncation divides out. The identity then holds exactly mod 2^64 for all
// inputs. This order of points keeps scale_bits smallest among the points
// {0, +-1, +-2, +-1/2, +-3, +-4} for the tiles plan() offers, m = 2, 3, 4,
// 6 and r = 2-7 (checked by exhaustive search over those subsets when it was
// chosen): 1 for F(2, 5), 3 for F(4, 5).
#pragma once

#include <vector>

#include "host/core/ring.h"

namespace sqt::nn {

// The transforms as elements of the ring T (Z_2^64 or Z_2^128): the odd
// divisors' inverses differ between the rings.
template <RingElement T>
struct WinogradMatrices {
  std::vector<T> at;  // m x points: A^T (small integers)
  std::vector<T> g;   // points x r: G' = 2^scale_bits G (odd divisors as ring inverses)
  std::vector<T> bt;  // points x points: B^T (small integers)
};

struct WinogradAxis {
  int r = 0;       // kernel taps
  int m = 0;       // outputs per tile
  int points = 0;  // products per tile: m + r - 1, also the input tile's size
  int scale_bits = 0;
  WinogradMatrices<Ring64> z64;
  WinogradMatrices<Ring128> z128;

  template <RingElement T>
  const WinogradMatrices<T>& in() const {
    if constexpr (ring_bits<T> == 64)
      return z64;
    else
      return z128;
  }
};

// F(m, r) for r >= 2 taps and m >= 1 outputs with m + r <= 13;
// std::invalid_argument otherwise.
WinogradAxis winograd_axis(int r, int m);

}  // namespace sqt::nn
