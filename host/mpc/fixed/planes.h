// Bit planes to arithmetic values: one b2a for many planes, then public
// linear combinations of the planes (local).
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "host/mpc/fixed/basic.h"

namespace sqt::mpc::fx {

namespace detail {

// Packs bit planes into one Bits so one b2a converts them all; plane j of an
// n-element operand occupies elements [j * stride, j * stride + n).
template <Protocol P>
ShareOf<P> planes_to_arith(P& p, const std::vector<typename P::Bits>& planes, std::size_t& stride) {
  using Bits = typename P::Bits;
  constexpr int C = Bits::kComponents;
  std::vector<const Bits*> ptrs;
  ptrs.reserve(planes.size());
  for (const auto& b : planes) ptrs.push_back(&b);
  const Bits all = concat<C>(std::span<const Bits* const>(ptrs));
  stride = planes.empty() ? 0 : planes[0].size() * 64;
  return p.b2a(all, planes.size() * stride);
}

// out[e] = sum_j coeff[j] * arith[(first + j) * stride + e] for e < n.
template <Protocol P>
ShareOf<P> combine_planes(P& p, const ShareOf<P>& arith, std::size_t stride, std::size_t n, std::size_t first,
                          std::span<const RingOf<P>> coeff) {
  return p.linear(arith, n, [&](const RingOf<P>* in, RingOf<P>* out) {
    for (std::size_t j = 0; j < coeff.size(); ++j) {
      const RingOf<P> c = coeff[j];
      if (c == 0) continue;
      const RingOf<P>* plane = in + (first + j) * stride;
      for (std::size_t e = 0; e < n; ++e) out[e] += c * plane[e];
    }
  });
}

}  // namespace detail

}  // namespace sqt::mpc::fx
