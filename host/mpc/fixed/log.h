// Natural logarithm for x > 0: normalise to a in [0.5, 1) by the top-bit
// position e (x = a 2^(e+1-f)), a polynomial for ln(a) in t = a - 0.75
// fitted to 2^-(f+1), and the exponent's e * ln 2 as a public linear
// combination of the one-hot top bit (local).
#pragma once

#include <cmath>
#include <numbers>
#include <vector>

#include "host/mpc/fixed/basic.h"
#include "host/mpc/fixed/normalize.h"
#include "host/mpc/fixed/poly.h"

namespace sqt::mpc::fx {

inline const std::vector<double>& log_coeffs(int f) {
  static thread_local int cached_f = -1;
  static thread_local std::vector<double> coeffs;
  if (cached_f != f) {
    coeffs = fit_to_tolerance([](double t) { return std::log(0.75 + t); }, -0.25, 0.25,
                              std::ldexp(1.0, -f - 1), 16);
    cached_f = f;
  }
  return coeffs;
}

// ln(x) for x > 0.
template <Protocol P>
ShareOf<P> log(P& p, const ShareOf<P>& x) {
  const FixedParams fp = p.fixed();
  const int f = fp.f;
  const TopBit<P> top = top_bit(p, x);
  const ShareOf<P> scale = top.combine(p, scale_to_top_coeffs<RingOf<P>>(top.planes));
  const ShareOf<P> a = mul_trunc(p, x, scale, fp.k - 1 - f);  // [0.5, 1)
  std::vector<RingOf<P>> exponent_ln2(static_cast<std::size_t>(top.planes));
  for (int j = 0; j < top.planes; ++j) {
    exponent_ln2[static_cast<std::size_t>(j)] = encode_fixed<RingOf<P>>((j + 1 - f) * std::numbers::ln2, f);
  }
  const ShareOf<P> log_scale = top.combine(p, exponent_ln2);
  const ShareOf<P> t = p.add_public(a, RingOf<P>{0} - constant(p, 0.75));
  return p.add(polynomial(p, t, log_coeffs(f)), log_scale);
}

}  // namespace sqt::mpc::fx
