// Uses a protocol's fused operations (matmul_trunc, mul_trunc) when it has
// them, else the two-step form: same results, fewer rounds where fused.
#pragma once

#include <cstddef>
#include <cstdint>

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

// This party's communication so far (the network's counters, cumulative
// over protocol instances on the same network; the clear emulation has zeros).
template <class P>
std::uint64_t rounds_of(const P& p) {
  if constexpr (requires { p.stats().rounds; })
    return p.stats().rounds;
  else if constexpr (requires { p.rounds(); })
    return p.rounds();
  else
    return 0;
}

template <class P>
std::uint64_t bytes_sent_of(const P& p) {
  if constexpr (requires { p.stats().bytes_sent; })
    return p.stats().bytes_sent;
  else if constexpr (requires { p.bytes_sent(); })
    return p.bytes_sent();
  else
    return 0;
}

}  // namespace sqt::nn
