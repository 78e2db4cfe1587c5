// Reciprocal and division: normalise by the top-bit position (bit
// decomposition + prefix-OR, host/mpc/fixed/normalize.h) to a in [0.5, 1),
// a linear first approximation w0 = 2.9142 - 2a (relative error <= 0.086),
// Goldschmidt iterations until that error squared i times is below
// 2^-(f+1) (3 at f16), then scale back by the same public power of two.
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
  for (double e = kStartError; e > std::ldexp(1.0, -f - 1); e *= e) ++it;
  return it;
}

// 1/x for x > 0 (x = 0 gives 0). The result must fit the fixed-point range,
// so x must be above 2^-(k-f-1).
template <Protocol P>
ShareOf<P> reciprocal_positive(P& p, const ShareOf<P>& x) {
  const FixedParams fp = p.fixed();
  const int f = fp.f;
  const TopBit<P> top = top_bit(p, x);
  const auto scale_coeffs = scale_to_top_coeffs(top.planes);
  const ShareOf<P> scale = top.combine(p, scale_coeffs);  // 2^(k-2-e)
  // a = x 2^(k-2-e) / 2^(k-1-f): the encoding of a value in [0.5, 1).
  const ShareOf<P> a = mul_trunc(p, x, scale, fp.k - 1 - f);
  ShareOf<P> num = p.add_public(p.mul_public(a, Ring{0} - 2), constant(p, 2.9142));
  ShareOf<P> den = mul_trunc(p, a, num, f);
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
  // 1/x = (1/a) 2^(f-1-e) = (1/a) 2^(k-2-e) / 2^(k-1-f).
  return mul_trunc(p, num, scale, fp.k - 1 - f);
}

// 1/x for x != 0 of either sign: one comparison and two sign products more.
template <Protocol P>
ShareOf<P> reciprocal(P& p, const ShareOf<P>& x) {
  const ShareOf<P> sign = p.add_public(p.mul_public(p.ltz(x), Ring{0} - 2), Ring{1});  // +1 or -1
  const ShareOf<P> r = reciprocal_positive(p, p.mul(x, sign));
  return p.mul(r, sign);
}

// a / b for b != 0.
template <Protocol P>
ShareOf<P> div(P& p, const ShareOf<P>& a, const ShareOf<P>& b) {
  return mul(p, a, reciprocal(p, b));
}

}  // namespace sqt::mpc::fx
