// Normalisation by the position of the top bit, shared by reciprocal,
// inverse square root and logarithm.
//
// For positive fixed-point x (encoding v, 0 < v < 2^(k-1)): a bit
// decomposition of the low k - 1 bits, a suffix-OR by log-depth ANDs (in
// negated form: q_j = AND_{i >= j} NOT b_i), and the one-hot of the top bit
// t_j = q_{j+1} XOR q_j, all converted to arithmetic 0/1 by one b2a. Callers
// then form public linear combinations sum_j c_j t_j (scale factors,
// exponents) locally.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "host/mpc/fixed/basic.h"
#include "host/mpc/fixed/planes.h"

namespace sqt::mpc::fx {

template <Protocol P>
struct TopBit {
  ShareOf<P> onehot;       // arithmetic 0/1; plane j (top bit at j) at [j * stride, j * stride + n)
  std::size_t stride = 0;  // elements per plane
  std::size_t n = 0;       // elements of x
  int planes = 0;          // k - 1

  // sum_j coeff[j] * t_j (local).
  ShareOf<P> combine(P& p, std::span<const RingOf<P>> coeff) const {
    return detail::combine_planes(p, onehot, stride, n, 0, coeff);
  }
};

// Rounds: bit decomposition + ceil(log2(k - 1)) ANDs + one b2a.
template <Protocol P>
TopBit<P> top_bit(P& p, const ShareOf<P>& x) {
  using Bits = typename P::Bits;
  constexpr int C = Bits::kComponents;
  const int planes = p.fixed().k - 1;
  const std::vector<Bits> b = p.bit_decompose(x, planes);
  const std::size_t words = b[0].size();
  std::vector<Bits> q;
  q.reserve(b.size());
  for (const auto& plane : b) q.push_back(p.bit_not(plane));
  // Suffix AND, log depth: q_j &= q_{j+shift}, all planes of a level in one call.
  for (std::size_t shift = 1; shift < q.size(); shift *= 2) {
    std::vector<const Bits*> lhs, rhs;
    for (std::size_t j = 0; j + shift < q.size(); ++j) {
      lhs.push_back(&q[j]);
      rhs.push_back(&q[j + shift]);
    }
    const Bits anded =
        p.bit_and(concat<C>(std::span<const Bits* const>(lhs)), concat<C>(std::span<const Bits* const>(rhs)));
    for (std::size_t j = 0; j < lhs.size(); ++j) q[j] = slice<C>(anded, j * words, words);
  }
  std::vector<Bits> t;
  t.reserve(q.size());
  for (std::size_t j = 0; j + 1 < q.size(); ++j) t.push_back(p.bit_xor(q[j + 1], q[j]));
  t.push_back(p.bit_not(q.back()));
  TopBit<P> r;
  r.onehot = detail::planes_to_arith(p, t, r.stride);
  r.n = x.size();
  r.planes = planes;
  return r;
}

// Public coefficients 2^(planes - 1 - j): sum_j t_j 2^(planes-1-j) =
// 2^(k-2-e) for top bit e, which scales x to [2^(k-2), 2^(k-1)).
template <RingElement R>
std::vector<R> scale_to_top_coeffs(int planes) {
  std::vector<R> c(static_cast<std::size_t>(planes));
  for (int j = 0; j < planes; ++j) c[static_cast<std::size_t>(j)] = R{1} << (planes - 1 - j);
  return c;
}

}  // namespace sqt::mpc::fx
