// Inverse square root without Newton iterations (DESIGN.md section 3).
//
// x = u 2^m with u in [0.25, 0.5): u from the top-bit normalisation; 1/sqrt(u)
// by a quadratic (Chebyshev fit, relative error below 0.4 %); the factor
// 2^(-m/2) from the one-hot exponent: adjacent one-hot bits (m = 2q, 2q + 1)
// are OR-ed into the one-hot of q, which selects 2^(-q), and the parity of m
// selects the public constant 1 or 1/sqrt(2). Because the one-hot is already
// arithmetic, both are one public linear combination (local, no round).
#pragma once

#include <cmath>
#include <cstddef>
#include <vector>

#include "host/mpc/fixed/basic.h"
#include "host/mpc/fixed/normalize.h"
#include "host/mpc/fixed/poly.h"

namespace sqt::mpc::fx {

namespace detail {

// Coefficients of sum_j t_j * 2^(m_j * power) with m_j = j - f + 2 (the
// exponent for top bit j), encoded at f bits: pair q = floor(m/2) gives
// 2^(2q * power), odd m the public parity constant 2^power.
template <RingElement R>
std::vector<R> half_power_coeffs(int planes, int f, double power) {
  std::vector<R> c(static_cast<std::size_t>(planes));
  for (int j = 0; j < planes; ++j) {
    const int m = j - f + 2;
    const int q = (m >= 0) ? m / 2 : -((1 - m) / 2);  // floor(m / 2)
    const double parity_constant = (m - 2 * q) == 1 ? std::exp2(power) : 1.0;
    c[static_cast<std::size_t>(j)] = encode_fixed<R>(std::exp2(2.0 * q * power) * parity_constant, f);
  }
  return c;
}

inline const std::vector<double>& invsqrt_coeffs() {
  static const std::vector<double> c =
      chebyshev_fit([](double u) { return 1.0 / std::sqrt(u); }, 0.25, 0.5, 2);
  return c;
}

inline const std::vector<double>& sqrt_coeffs() {
  static const std::vector<double> c = chebyshev_fit([](double u) { return std::sqrt(u); }, 0.25, 0.5, 2);
  return c;
}

// u^(power) * 2^(m power) for x = u 2^m: quadratic in u times the exponent
// factor. Rounds: top bit + 3 products/truncations.
template <Protocol P>
ShareOf<P> normalized_power(P& p, const ShareOf<P>& x, const std::vector<double>& quad, double power) {
  const FixedParams fp = p.fixed();
  const int f = fp.f;
  const TopBit<P> top = top_bit(p, x);
  const ShareOf<P> scale = top.combine(p, scale_to_top_coeffs<RingOf<P>>(top.planes));  // 2^(k-2-e)
  // u = x 2^(k-2-e) / 2^(k-f): the encoding of a value in [0.25, 0.5).
  const ShareOf<P> u = mul_trunc(p, x, scale, fp.k - f);
  const ShareOf<P> factor = top.combine(p, half_power_coeffs<RingOf<P>>(top.planes, f, power));
  const std::vector<ShareOf<P>> powers{p.zeros(0), u, mul_trunc(p, u, u, f)};
  const ShareOf<P> poly = combine_powers(p, powers, quad);
  return mul_trunc(p, poly, factor, f);
}

}  // namespace detail

// 1/sqrt(x) for x > 0 (x = 0 gives 0).
template <Protocol P>
ShareOf<P> invsqrt(P& p, const ShareOf<P>& x) {
  return detail::normalized_power(p, x, detail::invsqrt_coeffs(), -0.5);
}

// sqrt(x) for x >= 0: the same normalisation with a quadratic for sqrt(u)
// and the factor 2^(m/2), which is more precise for large x than
// x * invsqrt(x) (whose small factor has few significant bits).
template <Protocol P>
ShareOf<P> sqrt(P& p, const ShareOf<P>& x) {
  return detail::normalized_power(p, x, detail::sqrt_coeffs(), 0.5);
}

}  // namespace sqt::mpc::fx
