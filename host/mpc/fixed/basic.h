// Basic fixed-point operations over any Protocol P: multiplication with
// truncation, matrix products, selection, comparison and ReLU. The fused
// protocol members (mul_trunc, matmul_trunc, select) are used when P offers
// them, otherwise the two-step forms.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "host/core/error.h"
#include "host/core/ring.h"
#include "host/mpc/fixed/share_ops.h"
#include "host/mpc/protocol.h"

namespace sqt::mpc::fx {

template <class P>
using ShareOf = typename P::Share;
template <class P>
using FactorOf = typename P::BitFactor;
// The element type of P's ring (Z_2^64 or Z_2^128): public values and
// constants of P's computations.
template <class P>
using RingOf = typename P::Ring;

namespace detail {

// Marks a scope whose lanes outside the exactness contract are discarded by
// construction (multiplied by an exact 0 afterwards, so whatever a secure
// protocol computes there cannot matter): the emulator does not count them
// (Clear::begin_discarded_lanes); other protocols ignore it.
template <class P>
class DiscardedLanes {
 public:
  explicit DiscardedLanes(P& p) : p_(p) {
    if constexpr (requires { p.begin_discarded_lanes(); }) p_.begin_discarded_lanes();
  }
  ~DiscardedLanes() {
    if constexpr (requires { p_.end_discarded_lanes(); }) p_.end_discarded_lanes();
  }
  DiscardedLanes(const DiscardedLanes&) = delete;
  DiscardedLanes& operator=(const DiscardedLanes&) = delete;

 private:
  P& p_;
};

}  // namespace detail

// A public real constant in the fixed-point encoding of P.
template <Protocol P>
RingOf<P> constant(const P& p, double v) {
  return encode_fixed<RingOf<P>>(v, p.fixed().f);
}

// x * y truncated by `bits` (one fused call when P has mul_trunc).
template <Protocol P>
ShareOf<P> mul_trunc(P& p, const ShareOf<P>& x, const ShareOf<P>& y, int bits) {
  if constexpr (requires { p.mul_trunc(x, y, bits); }) {
    return p.mul_trunc(x, y, bits);
  } else {
    return p.trunc(p.mul(x, y), bits);
  }
}

// Fixed-point product: a * b / 2^f.
template <Protocol P>
ShareOf<P> mul(P& p, const ShareOf<P>& a, const ShareOf<P>& b) {
  return mul_trunc(p, a, b, p.fixed().f);
}

// Fixed-point matrix product op(A) (m x k) * op(B) (k x n), truncated once
// per output element.
template <Protocol P>
ShareOf<P> matmul(P& p, Trans ta, Trans tb, std::size_t m, std::size_t n, std::size_t k, const ShareOf<P>& a,
                  const ShareOf<P>& b) {
  const int f = p.fixed().f;
  if constexpr (requires { p.matmul_trunc(ta, tb, m, n, k, a, b, f); }) {
    return p.matmul_trunc(ta, tb, m, n, k, a, b, f);
  } else {
    return p.trunc(p.matmul(ta, tb, m, n, k, a, b), f);
  }
}

// x times a public real constant c (one truncation).
template <Protocol P>
ShareOf<P> mul_public(P& p, const ShareOf<P>& x, double c) {
  return p.trunc(p.mul_public(x, constant(p, c)), p.fixed().f);
}

// bit ? a : b for an arithmetic 0/1 share `bit` (one multiplication).
template <Protocol P>
ShareOf<P> select(P& p, const ShareOf<P>& bit, const ShareOf<P>& a, const ShareOf<P>& b) {
  if constexpr (requires { p.select(bit, a, b); }) {
    return p.select(bit, a, b);
  } else {
    return p.add(b, p.mul(bit, p.sub(a, b)));
  }
}

// Several elementwise products (untruncated when bits == 0) in one call:
// returns x_i * y_i >> bits for every pair.
template <Protocol P>
std::vector<ShareOf<P>> mul_many(P& p, std::span<const std::pair<const ShareOf<P>*, const ShareOf<P>*>> pairs,
                                 int bits) {
  constexpr int C = ShareOf<P>::kComponents;
  std::vector<const ShareOf<P>*> xs, ys;
  std::vector<std::size_t> sizes;
  for (const auto& [x, y] : pairs) {
    if (x->size() != y->size()) {
      throw ShapeError("fx::mul_many: operands of " + std::to_string(x->size()) + " and " +
                       std::to_string(y->size()) + " elements");
    }
    xs.push_back(x);
    ys.push_back(y);
    sizes.push_back(x->size());
  }
  const auto x = concat<C>(std::span<const ShareOf<P>* const>(xs));
  const auto y = concat<C>(std::span<const ShareOf<P>* const>(ys));
  const auto z = bits == 0 ? p.mul(x, y) : mul_trunc(p, x, y, bits);
  return split<C>(z, sizes);
}

// Arithmetic 0/1 share of [x < 0].
template <Protocol P>
ShareOf<P> ltz(P& p, const ShareOf<P>& x) {
  return p.ltz(x);
}

// Arithmetic 0/1 share of [a < b].
template <Protocol P>
ShareOf<P> less_than(P& p, const ShareOf<P>& a, const ShareOf<P>& b) {
  return p.ltz(p.sub(a, b));
}

// Arithmetic 0/1 share of a factor's bit (one product with a public 1).
template <Protocol P>
ShareOf<P> factor_value(P& p, const FactorOf<P>& f) {
  return p.mul_factor(f, p.add_public(p.zeros(f.size()), RingOf<P>{1}));
}

template <Protocol P>
struct ReluResult {
  ShareOf<P> y;      // max(x, 0)
  FactorOf<P> mask;  // [x > 0], kept for the backward pass (dX = mask * dY)
};

// ReLU: mask = [x > 0] = [-x < 0], y = mask * x (one comparison, one product).
template <Protocol P>
ReluResult<P> relu(P& p, const ShareOf<P>& x) {
  ReluResult<P> r;
  r.mask = p.ltz_factor(p.neg(x));
  r.y = p.mul_factor(r.mask, x);
  return r;
}

}  // namespace sqt::mpc::fx
