// Exponentiation without absolute value or division (DESIGN.md section 3).
//
// 2^y for fixed-point y = 2^f-scaled integer part + fraction:
//  1. one batched comparison gives s = [y < 0] and z = [y < -2^n], with
//     n = ceil(log2(k - f)) integer bits (4 for f16/k31);
//  2. a bit decomposition gives only the low f + n bits of y; the n bits
//     of the integer part mod 2^n (b_j) become arithmetic, and the fraction
//     u in [0, 1) (the low f bits) is y mod 2^(f+n), linear in y and s,
//     minus sum_j 2^(f+j) b_j (no b2a of the f fraction bits);
//  3. 2^u by a polynomial fitted to 2^(-f-1) (degree 4 at f16), its powers
//     by log-depth products; in the same rounds the product tree of
//     (1 + (2^(2^j) - 1) b_j) gives 2^(int mod 2^n) as an integer;
//  4. for negative y the integer part was taken mod 2^n, so the result is
//     scaled down by 2^(2^n) (a public shift, folded into a selector that is
//     linear in s and z); inputs below -2^n give exactly 0.
// e^x = 2^(x log2 e).
#pragma once

#include <cmath>
#include <cstddef>
#include <numbers>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "host/core/error.h"
#include "host/mpc/fixed/basic.h"
#include "host/mpc/fixed/planes.h"
#include "host/mpc/fixed/poly.h"

namespace sqt::mpc::fx {

// Number of integer bits exp2 extracts: ceil(log2(k - f)).
inline int exp_integer_bits(FixedParams fp) {
  int n = 0;
  while ((1 << n) < fp.k - fp.f) ++n;
  return n;
}

// Whether exp2's parameters fit P: the selector 2^(2f - 2^n) needs 2^n <= 2f,
// and the integer power (below 2^(2^n)) times the selector (2^(2f)) must stay
// inside the exact truncation width (f = 16, k = 31 in Z_2^64: 16 + 32 <= 63;
// f = 32, k = 63 in Z_2^128: 32 + 64 <= 127).
template <Protocol P>
bool exp_parameters_fit(const P& p) {
  const FixedParams fp = p.fixed();
  const int n = exp_integer_bits(fp);
  return (1 << n) <= 2 * fp.f && (1 << n) + 2 * fp.f <= p.exact_bits().trunc;
}

// Coefficients of the 2^u polynomial on [0, 1] for precision f.
inline const std::vector<double>& exp2_fraction_coeffs(int f) {
  static thread_local int cached_f = -1;
  static thread_local std::vector<double> coeffs;
  if (cached_f != f) {
    coeffs = fit_to_tolerance([](double u) { return std::exp2(u); }, 0.0, 1.0, std::ldexp(1.0, -f - 1), 16);
    cached_f = f;
  }
  return coeffs;
}

namespace detail {

// 2^y from its fraction u (at f bits; in [0, 1) wherever sel is not 0), the
// integer part mod 2^n as arithmetic bits (bit j of it at [j * stride,
// j * stride + len) of `bits`) and the selector `sel` at 2f bits that
// undoes the mod-2^n wrap. Where sel is 0, u may be anything: every term is
// multiplied by the exact 0 at the end.
template <Protocol P>
ShareOf<P> exp2_from_parts(P& p, const ShareOf<P>& u, const ShareOf<P>& bits, std::size_t stride,
                           std::size_t len, const ShareOf<P>& sel) {
  const int f = p.fixed().f;
  const int n = exp_integer_bits(p.fixed());

  // Integer-bit factors 1 + (2^(2^j) - 1) b_j, as integers and as fixed point.
  struct Factor {
    ShareOf<P> as_int, as_fixed;
  };
  std::vector<Factor> factors;
  for (int j = 0; j < n; ++j) {
    const RingOf<P> step = (RingOf<P>{1} << (1 << j)) - 1;
    const RingOf<P> c_int[] = {step};
    const RingOf<P> c_fix[] = {step << f};
    const auto fj = static_cast<std::size_t>(j);
    factors.push_back(
        {p.add_public(detail::combine_planes(p, bits, stride, len, fj, c_int), RingOf<P>{1}),
         p.add_public(detail::combine_planes(p, bits, stride, len, fj, c_fix), RingOf<P>{1} << f)});
  }

  // 3. Powers of u and the integer product tree, batched round by round.
  const std::vector<double>& coeffs = exp2_fraction_coeffs(f);
  const int degree = static_cast<int>(coeffs.size()) - 1;
  // Where sel is 0, u is up to 2^(k-1) and its powers leave the truncation
  // range; the lanes where sel is not 0 stay far inside it (u < 1, the
  // integer factors below 2^(k-f)). Counting the discarded ones would bury
  // real range errors under harmless ones.
  std::optional<DiscardedLanes<P>> discarded;
  discarded.emplace(p);
  std::vector<ShareOf<P>> powers{p.zeros(0), u};
  while (static_cast<int>(powers.size()) - 1 < degree || factors.size() > 1) {
    std::vector<std::pair<const ShareOf<P>*, const ShareOf<P>*>> pairs;
    const std::vector<int> made = static_cast<int>(powers.size()) - 1 < degree
                                      ? power_round_pairs<P>(powers, degree, pairs)
                                      : std::vector<int>{};
    const std::size_t tree_pairs = factors.size() / 2;
    for (std::size_t i = 0; i < tree_pairs; ++i) {
      pairs.push_back({&factors[2 * i].as_int, &factors[2 * i + 1].as_fixed});  // int * fixed >> f = int
      pairs.push_back({&factors[2 * i].as_fixed, &factors[2 * i + 1].as_fixed});
    }
    auto prod = mul_many<P>(p, pairs, f);
    std::size_t next = 0;
    for (std::size_t i = 0; i < made.size(); ++i) powers.push_back(std::move(prod[next++]));
    std::vector<Factor> level;
    for (std::size_t i = 0; i < tree_pairs; ++i) {
      Factor fac{std::move(prod[next]), std::move(prod[next + 1])};
      next += 2;
      level.push_back(std::move(fac));
    }
    if (factors.size() % 2 == 1) level.push_back(std::move(factors.back()));
    factors = std::move(level);
  }
  ShareOf<P> pow2_int =
      factors.empty() ? p.add_public(p.zeros(len), RingOf<P>{1}) : std::move(factors[0].as_int);

  // Polynomial before truncation (2f fractional bits); its truncation (a
  // product by 1) and the scaled integer power share one round.
  ShareOf<P> poly_raw = p.zeros(len);
  for (std::size_t i = 1; i < coeffs.size(); ++i) {
    poly_raw = p.add(poly_raw, p.mul_public(powers[i], encode_fixed<RingOf<P>>(coeffs[i], f)));
  }
  poly_raw = p.add_public(poly_raw, encode_fixed<RingOf<P>>(coeffs[0], 2 * f));
  const ShareOf<P> one = p.add_public(p.zeros(len), RingOf<P>{1});
  const std::pair<const ShareOf<P>*, const ShareOf<P>*> last[] = {{&poly_raw, &one}, {&pow2_int, &sel}};
  auto ps = mul_many<P>(p, last, f);
  discarded.reset();  // the product with sel (an exact 0 there) is in range everywhere
  return mul_trunc(p, ps[0], ps[1], f);
}

// The fraction of y from the integer bits alone: `low` is y mod 2^(f+n) as
// a share (a linear function of y), the planes hold bits f..f+n-1 of it, so
// low - sum_j 2^(f+j) b_j is its low f bits. Converting only the n integer
// planes (not all f + n) to arithmetic saves f b2a's per element.
template <Protocol P>
ShareOf<P> fraction_from_integer_bits(P& p, ShareOf<P> low, const ShareOf<P>& int_bits, std::size_t stride,
                                      std::size_t len) {
  const int f = p.fixed().f;
  const int n = exp_integer_bits(p.fixed());
  std::vector<RingOf<P>> minus_weight(static_cast<std::size_t>(n));
  for (int j = 0; j < n; ++j)
    minus_weight[static_cast<std::size_t>(j)] = RingOf<P>{0} - (RingOf<P>{1} << (f + j));
  return p.add(std::move(low), combine_planes(p, int_bits, stride, len, 0, minus_weight));
}

}  // namespace detail

// 2^y for fixed-point y with y < k - f - 1 (the result must fit the
// fixed-point range); y <= -2^n gives 0 (within rounding).
template <Protocol P>
ShareOf<P> exp2(P& p, const ShareOf<P>& y) {
  const FixedParams fp = p.fixed();
  const int f = fp.f;
  const int n = exp_integer_bits(fp);
  if (!exp_parameters_fit(p)) {
    throw ConfigError("fx::exp2: fixed-point parameters f=" + std::to_string(f) +
                      " k=" + std::to_string(fp.k) +
                      " need 2^ceil(log2(k - f)) <= 2f and 2^ceil(log2(k - f)) + 2f <= " +
                      std::to_string(p.exact_bits().trunc) + " (the protocol's exact truncation width)");
  }
  const std::size_t len = y.size();
  constexpr int C = ShareOf<P>::kComponents;

  // 1. s = [y < 0], z = [y < -2^n] in one comparison.
  const ShareOf<P> sz = p.ltz(concat(y, p.add_public(y, RingOf<P>{1} << (n + f))));
  const ShareOf<P> s = slice<C>(sz, 0, len);
  const ShareOf<P> z = slice<C>(sz, len, len);

  // 2. The low f + n bits; only the n integer bits become arithmetic 0/1
  // values. For -2^(n+f) <= y < 2^(n+f) (the range where sel is not 0),
  // y mod 2^(n+f) = y + 2^(n+f) s.
  auto planes = p.bit_decompose(y, f + n);
  planes.erase(planes.begin(), planes.begin() + f);
  std::size_t stride = 0;
  const ShareOf<P> bits = detail::planes_to_arith(p, planes, stride);
  const ShareOf<P> u = detail::fraction_from_integer_bits(
      p, p.add(y, p.mul_public(s, RingOf<P>{1} << (n + f))), bits, stride, len);

  // Selector at 2f bits: 2^(2f) for y >= 0, 2^(2f - 2^n) for -2^n <= y < 0
  // (the mod-2^n wrap undone), 0 below.
  const RingOf<P> keep = RingOf<P>{1} << (2 * f);
  const RingOf<P> wrap = RingOf<P>{1} << (2 * f - (1 << n));
  const ShareOf<P> sel = p.add_public(p.sub(p.mul_public(s, wrap - keep), p.mul_public(z, wrap)), keep);
  return detail::exp2_from_parts(p, u, bits, stride, len, sel);
}

// 2^y for y <= 0, as softmax has after subtracting the row maximum: one bit
// decomposition instead of a comparison plus a decomposition (9 rounds
// fewer). y - 2^-f < 0 gives s = 1; bit k-1 of y - 2^-f + 2^(n+f) + 2^(k-1)
// is [y - 2^-f >= -2^n] = 1 - z, and its low f + n bits are those of
// y - 2^-f. The one-unit shift changes the result by a factor 2^(-2^-f).
// A positive y gives a wrong result (the caller guarantees y <= 0).
// For y in [-2^(k-1), 0], w lies in [0, 2^k): it needs bit_decompose exact
// on k + 1 signed bits, one more than the fixed-point range. A protocol
// whose contract (exact_bits()) does not give that gets exp2 instead.
template <Protocol P>
ShareOf<P> exp2_nonpositive(P& p, const ShareOf<P>& y) {
  const FixedParams fp = p.fixed();
  const int f = fp.f, k = fp.k;
  const int n = exp_integer_bits(fp);
  if (!exp_parameters_fit(p) || f + n >= k - 1) {
    throw ConfigError("fx::exp2_nonpositive: fixed-point parameters f=" + std::to_string(f) + " k=" +
                      std::to_string(k) + " need 2^ceil(log2(k - f)) <= 2f, 2^ceil(log2(k - f)) + 2f <= " +
                      std::to_string(p.exact_bits().trunc) + " and f + ceil(log2(k - f)) < k - 1");
  }
  if (p.exact_bits().bit_decompose < k + 1) return exp2(p, y);
  const std::size_t len = y.size();
  const ShareOf<P> w = p.add_public(y, (RingOf<P>{1} << (n + f)) + (RingOf<P>{1} << (k - 1)) - 1);
  auto planes = p.bit_decompose(w, k);
  // Arithmetic only for the integer bits f..f+n-1, then 1 - z.
  std::vector<typename P::Bits> kept;
  for (int j = f; j < f + n; ++j) kept.push_back(std::move(planes[static_cast<std::size_t>(j)]));
  kept.push_back(std::move(planes[static_cast<std::size_t>(k - 1)]));
  std::size_t stride = 0;
  const ShareOf<P> bits = detail::planes_to_arith(p, kept, stride);
  // Selector: 2^(2f - 2^n) (1 - z), the mod-2^n wrap undone, 0 below -2^n.
  const RingOf<P> wrap[] = {RingOf<P>{1} << (2 * f - (1 << n))};
  const ShareOf<P> sel = detail::combine_planes(p, bits, stride, len, static_cast<std::size_t>(n), wrap);
  // Where 1 - z = 1, the low f + n bits of w are y - 2^-f + 2^(n+f).
  const ShareOf<P> u = detail::fraction_from_integer_bits(p, p.add_public(y, (RingOf<P>{1} << (n + f)) - 1),
                                                          bits, stride, len);
  return detail::exp2_from_parts(p, u, bits, stride, len, sel);
}

// e^x = 2^(x log2 e).
template <Protocol P>
ShareOf<P> exp(P& p, const ShareOf<P>& x) {
  return exp2(p, mul_public(p, x, std::numbers::log2e));
}

// e^x for x <= 0 (see exp2_nonpositive).
template <Protocol P>
ShareOf<P> exp_nonpositive(P& p, const ShareOf<P>& x) {
  return exp2_nonpositive(p, mul_public(p, x, std::numbers::log2e));
}

}  // namespace sqt::mpc::fx
