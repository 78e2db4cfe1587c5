// Inverse square root without Newton iterations at f = 16 (DESIGN.md
// section 3).
//
// x = u 2^m with u in [0.25, 0.5): u from the top-bit normalisation; 1/sqrt(u)
// by a quadratic (Chebyshev fit, relative error below 0.4 %), refined by
// Newton steps only where the encoding is finer than that (f > 16: the
// 128-bit ring's f = 32 takes two); the factor
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

// Newton steps on y ~ u^(-1/2), u in [0.25, 0.5): y' = y (3 - u y^2) / 2, three
// products each, relative error e -> about 1.5 e^2. None up to f = 16, where
// the quadratic's 3.6e-3 is the function's stated error (docs/PROTOCOLS.md);
// one up to f = 24; two beyond (3.6e-3 -> 2e-5 -> 6e-10, the 128-bit ring's
// f = 32).
inline int invsqrt_newton_steps(int f) { return f <= 16 ? 0 : f <= 24 ? 1 : 2; }

template <Protocol P>
ShareOf<P> refine_invsqrt(P& p, const ShareOf<P>& u, ShareOf<P> y, int steps) {
  const int f = p.fixed().f;
  const RingOf<P> three = encode_fixed<RingOf<P>>(3.0, f);
  for (int s = 0; s < steps; ++s) {
    const ShareOf<P> uy2 = mul_trunc(p, u, mul_trunc(p, y, y, f), f);
    y = mul_trunc(p, y, p.add_public(p.neg(uy2), three), f + 1);  // y (3 - u y^2) / 2
  }
  return y;
}

// u^(power) * 2^(m power) for x = u 2^m (power -1/2 or 1/2): quadratic in u
// times the exponent factor. Rounds: top bit + 3 products/truncations; with
// Newton steps (f > 16) u^(-1/2) is refined and sqrt(u) = u u^(-1/2).
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
  const int steps = invsqrt_newton_steps(f);
  if (steps == 0) return mul_trunc(p, combine_powers(p, powers, quad), factor, f);
  ShareOf<P> root = refine_invsqrt(p, u, combine_powers(p, powers, invsqrt_coeffs()), steps);
  if (power > 0) root = mul_trunc(p, u, root, f);
  return mul_trunc(p, root, factor, f);
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
