// Uses a protocol's fused operations (matmul_trunc, mul_trunc) when it has
// them, else the two-step form: same results, fewer rounds where fused.
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "host/mpc/protocol.h"

namespace sqt::nn {

template <class P>
typename P::Share matmul_trunc(P& p, mpc::Trans ta, mpc::Trans tb, std::size_t m, std::size_t n,
                               std::size_t k, const typename P::Share& a, const typename P::Share& b,
                               int bits) {
  if constexpr (requires { p.matmul_trunc(ta, tb, m, n, k, a, b, bits); })
    return p.matmul_trunc(ta, tb, m, n, k, a, b, bits);
  else
    return p.trunc(p.matmul(ta, tb, m, n, k, a, b), bits);
}

template <class P>
typename P::Share mul_trunc(P& p, const typename P::Share& a, const typename P::Share& b, int bits) {
  if constexpr (requires { p.mul_trunc(a, b, bits); })
    return p.mul_trunc(a, b, bits);
  else
    return p.trunc(p.mul(a, b), bits);
}

// Reseeds a protocol that has a reseedable PRG stream (the clear emulation:
// Clear::reseed); secure protocols draw from their keys and ignore this.
template <class P>
void reseed_if_emulated(P& p, std::uint64_t seed) {
  if constexpr (requires { p.reseed(seed); }) p.reseed(seed);
}

// The inputs outside the exact ranges since the last call, for a protocol
// that counts them (the clear emulation: Clear::take_range_violations);
// secure protocols cannot see their inputs and give nothing.
template <class P>
std::optional<mpc::RangeViolations> take_range_violations_if_counted(P& p) {
  if constexpr (requires {
                  { p.take_range_violations() } -> std::same_as<mpc::RangeViolations>;
                })
    return p.take_range_violations();
  else
    return std::nullopt;
}

}  // namespace sqt::nn
