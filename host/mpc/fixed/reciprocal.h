// Reciprocal and division: normalise by the top-bit position (bit
// decomposition + prefix-OR, host/mpc/fixed/normalize.h) to a in [0.5, 1),
// a linear first approximation w0 = 2.9142 - 2a (relative error <= 0.086),
// Goldschmidt iterations until that error squared i times is below
// 2^-(f+1) (3 at f16), then scale back by the same power of two (a
// product with the arithmetic one-hot combination).
#pragma once

#include <cmath>
#include <cstddef>
#include <utility>

#include "host/mpc/fixed/basic.h"
#include "host/mpc/fixed/normalize.h"

namespace sqt::mpc::fx {

// Goldschmidt iterations after the linear start, for precision f.
inline int goldschmidt_iterations(int f) {
  constexpr double kStartError = 0.0858;
  int it = 0;
  double error = kStartError;
  while (error > std::ldexp(1.0, -f - 1)) {
    error *= error;
    ++it;
  }
  return it;
}

namespace detail {

// numerator / x for x > 0 (x = 0 gives 0); numerator == nullptr means 1.
// Goldschmidt on the normalised divisor: the numerator is carried along the
// iterations, so its error is not amplified by a separate product.
template <Protocol P>
ShareOf<P> goldschmidt(P& p, const ShareOf<P>* numerator, const ShareOf<P>& x) {
  const FixedParams fp = p.fixed();
  const int f = fp.f;
  const TopBit<P> top = top_bit(p, x);
  const ShareOf<P> scale = top.combine(p, scale_to_top_coeffs<RingOf<P>>(top.planes));  // 2^(k-2-e)
  // a = x 2^(k-2-e) / 2^(k-1-f): the encoding of a value in [0.5, 1).
  const ShareOf<P> a = mul_trunc(p, x, scale, fp.k - 1 - f);
  const ShareOf<P> w0 = p.add_public(p.mul_public(a, RingOf<P>{0} - 2), constant(p, 2.9142));
  ShareOf<P> num, den;
  if (numerator == nullptr) {
    num = w0;
    den = mul_trunc(p, a, w0, f);
  } else {
    const std::pair<const ShareOf<P>*, const ShareOf<P>*> first[] = {{numerator, &w0}, {&a, &w0}};
    auto z = mul_many<P>(p, first, f);
    num = std::move(z[0]);
    den = std::move(z[1]);
  }
  const int iterations = goldschmidt_iterations(f);
  for (int i = 0; i < iterations; ++i) {
    const ShareOf<P> r = p.add_public(p.neg(den), constant(p, 2.0));
    if (i + 1 == iterations) {
      num = mul_trunc(p, num, r, f);
    } else {
      const std::pair<const ShareOf<P>*, const ShareOf<P>*> pairs[] = {{&num, &r}, {&den, &r}};
      auto z = mul_many<P>(p, pairs, f);
      num = std::move(z[0]);
      den = std::move(z[1]);
    }
  }
  // n/x = (n/a) 2^(f-1-e) = (n/a) 2^(k-2-e) / 2^(k-1-f).
  return mul_trunc(p, num, scale, fp.k - 1 - f);
}

// +1 or -1 as a ring integer: 1 - 2 [x < 0].
template <Protocol P>
ShareOf<P> sign_of(P& p, const ShareOf<P>& x) {
  return p.add_public(p.mul_public(p.ltz(x), RingOf<P>{0} - 2), RingOf<P>{1});
}

}  // namespace detail

// 1/x for x > 0 (x = 0 gives 0). The result must fit the fixed-point range,
// so x must be above 2^-(k-f-1).
template <Protocol P>
ShareOf<P> reciprocal_positive(P& p, const ShareOf<P>& x) {
  return detail::goldschmidt(p, nullptr, x);
}

// 1/x for x != 0 of either sign: one comparison and two sign products more.
template <Protocol P>
ShareOf<P> reciprocal(P& p, const ShareOf<P>& x) {
  const ShareOf<P> sign = detail::sign_of(p, x);
  return p.mul(detail::goldschmidt(p, nullptr, p.mul(x, sign)), sign);
}

// Minimax linear start w0 = c1 - c2 x for 1/x on [lo, hi]: its relative
// error |1 - x w0| equioscillates at lo, (lo + hi) / 2 and hi with
// eps = (R - 1)^2 / (R^2 + 6R + 1), R = hi / lo (0.503 for R = 10).
struct RangeStart {
  double c1, c2, eps;
};
inline RangeStart reciprocal_range_start(double lo, double hi) {
  const double c2 = 8.0 / (4.0 * lo * hi + (lo + hi) * (lo + hi));
  return {c2 * (lo + hi), c2, 1.0 - c2 * lo * hi};
}

// 1/x for x known to lie in [lo, hi] (public, 0 < lo < hi, hi < 2^(k-f-3);
// the numerator, below 2/lo at scale 2f, times r < 2 at scale f must stay
// inside the protocol's exact truncation range: 4/lo 2^(3f) <
// 2^(exact_bits().trunc - 1), lo > 2^-12 at f = 16 and 63 bits, checked;
// lo >= 2^-6 leaves 6 bits of that for x below lo),
// without the normalisation of reciprocal_positive (a bit decomposition):
// Goldschmidt from the minimax linear start on [lo, hi]. Rounds: one for the
// start, one per iteration (6 in all for softmax's row sums in [1, 10],
// against 27 for reciprocal_positive). Values outside [lo, hi] still converge
// while |1 - x w0(x)| < 1, that is for x in (0, lo + hi), with more error the
// farther out they are.
template <Protocol P>
ShareOf<P> reciprocal_in_range(P& p, const ShareOf<P>& x, double lo, double hi) {
  if (!(lo > 0 && hi > lo)) {
    throw ShapeError("fx::reciprocal_in_range: bounds [" + std::to_string(lo) + ", " + std::to_string(hi) +
                     "] are not 0 < lo < hi");
  }
  const int f = p.fixed().f;
  if (!(std::ldexp(4.0 / lo, 3 * f) < std::ldexp(1.0, p.exact_bits().trunc - 1))) {
    throw ShapeError("fx::reciprocal_in_range: lower bound " + std::to_string(lo) +
                     " makes the numerator's products leave the exact truncation range of " +
                     std::to_string(p.exact_bits().trunc) + " bits");
  }
  const RangeStart start = reciprocal_range_start(lo, hi);
  int iterations = 0;
  for (double e = start.eps; e > std::ldexp(1.0, -f - 1); e *= e) ++iterations;
  // q = w0 at scale 2f; den = x w0 in one product. The numerator stays at
  // scale 2f through the iterations (its value can be small, and f bits
  // would cost it relative precision), and is truncated to f at the end.
  const ShareOf<P> q = p.add_public(p.mul_public(x, RingOf<P>{0} - encode_fixed<RingOf<P>>(start.c2, f)),
                                    encode_fixed<RingOf<P>>(start.c1, 2 * f));
  ShareOf<P> den = mul_trunc(p, x, q, 2 * f);
  ShareOf<P> num = q;
  for (int i = 0; i < iterations; ++i) {
    const ShareOf<P> r = p.add_public(p.neg(den), constant(p, 2.0));
    if (i + 1 == iterations) return mul_trunc(p, num, r, 2 * f);
    const std::pair<const ShareOf<P>*, const ShareOf<P>*> pairs[] = {{&num, &r}, {&den, &r}};
    auto z = mul_many<P>(p, pairs, f);
    num = std::move(z[0]);
    den = std::move(z[1]);
  }
  return p.trunc(num, f);
}

// a / b for b != 0 (the quotient must fit the fixed-point range).
template <Protocol P>
ShareOf<P> div(P& p, const ShareOf<P>& a, const ShareOf<P>& b) {
  const ShareOf<P> sign = detail::sign_of(p, b);
  const std::pair<const ShareOf<P>*, const ShareOf<P>*> signed_ops[] = {{&a, &sign}, {&b, &sign}};
  auto z = mul_many<P>(p, signed_ops, 0);  // a * sign, |b|
  return detail::goldschmidt(p, &z[0], z[1]);
}

}  // namespace sqt::mpc::fx
