// Polynomial approximations for the fixed-point functions: coefficients are
// fitted at run time (Chebyshev interpolation in double precision, converted to
// the monomial basis) so the degree follows the precision f, and evaluated on
// shares with log-depth powers.
#pragma once

#include <cstddef>
#include <functional>
#include <span>
#include <utility>
#include <vector>

#include "host/mpc/fixed/basic.h"

namespace sqt::mpc::fx {

// Monomial coefficients c_0..c_d of the degree-d interpolant of fn at the d+1
// Chebyshev nodes of [lo, hi] (near-minimax).
std::vector<double> chebyshev_fit(const std::function<double(double)>& fn, double lo, double hi, int degree);

// Largest |p(x) - fn(x)| over a dense grid of [lo, hi].
double max_abs_error(std::span<const double> coeffs, const std::function<double(double)>& fn, double lo,
                     double hi);

// The fit of smallest degree (up to max_degree) whose error is at most
// tolerance; the max_degree fit if none is.
std::vector<double> fit_to_tolerance(const std::function<double(double)>& fn, double lo, double hi,
                                     double tolerance, int max_degree);

// Multiplications per round to get u^1..u^d from u: round r forms
// u^(2^(r-1) + 1) .. u^(2^r) as u^(2^(r-1)) * u^i. Returns the rounds needed.
inline int power_rounds(int degree) {
  int rounds = 0;
  for (int have = 1; have < degree; have *= 2) ++rounds;
  return rounds;
}

// The products of power round `round` (1-based) given powers[1..have]:
// appends pairs (u^top, u^i) to `pairs`, and returns the exponents produced.
template <Protocol P>
std::vector<int> power_round_pairs(const std::vector<ShareOf<P>>& powers, int degree,
                                   std::vector<std::pair<const ShareOf<P>*, const ShareOf<P>*>>& pairs) {
  const int have = static_cast<int>(powers.size()) - 1;  // powers[0] unused
  std::vector<int> made;
  for (int i = 1; i <= have && have + i <= degree; ++i) {
    pairs.push_back({&powers[static_cast<std::size_t>(have)], &powers[static_cast<std::size_t>(i)]});
    made.push_back(have + i);
  }
  return made;
}

// sum_i coeffs[i] * powers[i] (powers[0] is unused: coeffs[0] is added as a
// public constant), with coefficients encoded at f bits and one truncation.
template <Protocol P>
ShareOf<P> combine_powers(P& p, const std::vector<ShareOf<P>>& powers, std::span<const double> coeffs) {
  const int f = p.fixed().f;
  ShareOf<P> acc = p.zeros(powers[1].size());
  for (std::size_t i = 1; i < coeffs.size(); ++i) {
    acc = p.add(acc, p.mul_public(powers[i], encode_fixed<RingOf<P>>(coeffs[i], f)));
  }
  acc = p.add_public(acc, encode_fixed<RingOf<P>>(coeffs[0], 2 * f));
  return p.trunc(acc, f);
}

// p(u) = sum coeffs[i] u^i on fixed-point u: power_rounds(d) rounds of
// products plus one truncation.
template <Protocol P>
ShareOf<P> polynomial(P& p, const ShareOf<P>& u, std::span<const double> coeffs) {
  const int degree = static_cast<int>(coeffs.size()) - 1;
  std::vector<ShareOf<P>> powers{p.zeros(0), u};
  while (static_cast<int>(powers.size()) - 1 < degree) {
    std::vector<std::pair<const ShareOf<P>*, const ShareOf<P>*>> pairs;
    const auto made = power_round_pairs<P>(powers, degree, pairs);
    auto z = mul_many<P>(p, pairs, p.fixed().f);
    for (auto& s : z) powers.push_back(std::move(s));
  }
  if (degree == 0) return p.add_public(p.zeros(u.size()), encode_fixed<RingOf<P>>(coeffs[0], p.fixed().f));
  return combine_powers(p, powers, coeffs);
}

}  // namespace sqt::mpc::fx
