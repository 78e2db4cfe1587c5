// Share containers. A protocol's Share is a vector of secret-shared ring
// elements (of type T: Z_2^64 or Z_2^128, ring.h), stored as C component vectors of equal length (structure of
// arrays): rep3 holds two components (x_i, x_{i+1}), additive and Shamir
// sharings one, the clear emulation one (the value itself).
//
// Every public linear map (im2col, transpose, gather, sum over windows) is
// applied to each component independently; that is what Protocol::linear does.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <utility>
#include <vector>

#include "host/core/ring.h"
#include "host/core/ring_vec.h"

namespace sqt::mpc {

template <int C, class T = Ring>
struct ShareVec {
  static constexpr int kComponents = C;
  using Elem = T;  // the ring's element type (64-bit words for bit planes)
  std::array<RingVecOf<T>, C> part;
  // The global index of a component that is zero in every element, or -1.
  // Public knowledge, the same on every party: rep3 inputs have one (the
  // owner shares the value over two components), which lets a product with
  // them skip three of the nine cross terms (rep3.cc, local_matmul). Set by
  // Rep3::input only; kept by copies and the public linear maps (they map a
  // zero component to zero); every operation that writes into a share's
  // components in place resets it.
  int zero_component = -1;

  ShareVec() = default;
  explicit ShareVec(std::size_t n) {  // zeros
    for (auto& p : part) p.assign(n, 0);
  }
  // n elements of unspecified value, for outputs that are written in full.
  static ShareVec uninitialized(std::size_t n) {
    ShareVec s;
    for (auto& p : s.part) p.resize(n);
    return s;
  }
  std::size_t size() const { return part[0].size(); }
  bool empty() const { return part[0].empty(); }
};

// The public linear map f(const T* in, T* out) applied to every
// component, for maps that write each of their out_n outputs (gathers,
// permutations, differences of inputs): unlike Protocol::linear, the output
// is not zeroed first. Maps that accumulate (+=) must use Protocol::linear.
template <int C, class T, class F>
ShareVec<C, T> linear_overwrite(const ShareVec<C, T>& x, std::size_t out_n, F&& f) {
  auto out = ShareVec<C, T>::uninitialized(out_n);
  for (int c = 0; c < C; ++c) f(x.part[c].data(), out.part[c].data());
  out.zero_component = x.zero_component;  // a linear map keeps a zero component zero
  return out;
}

// A public map f(const T* a, const T* b, T* out) of two shares, for
// maps that write each of their out_n outputs: a map of the concatenation
// of a and b without building it.
template <int C, class T, class F>
ShareVec<C, T> linear_overwrite2(const ShareVec<C, T>& a, const ShareVec<C, T>& b, std::size_t out_n, F&& f) {
  auto out = ShareVec<C, T>::uninitialized(out_n);
  for (int c = 0; c < C; ++c) f(a.part[c].data(), b.part[c].data(), out.part[c].data());
  out.zero_component = a.zero_component == b.zero_component ? a.zero_component : -1;
  return out;
}

// Two public maps of x in one pass, f(const T* in, T* out_a, T*
// out_b), each output written: gathers that read the same indices.
template <int C, class T, class F>
std::pair<ShareVec<C, T>, ShareVec<C, T>> linear_overwrite_pair(const ShareVec<C, T>& x, std::size_t a_n,
                                                          std::size_t b_n, F&& f) {
  auto a = ShareVec<C, T>::uninitialized(a_n), b = ShareVec<C, T>::uninitialized(b_n);
  for (int c = 0; c < C; ++c) f(x.part[c].data(), a.part[c].data(), b.part[c].data());
  a.zero_component = b.zero_component = x.zero_component;
  return {std::move(a), std::move(b)};
}

// Elements [at, at + n) of x, as their own share (a block of a batched
// product, protocol.h MatmulTerm).
template <int C, class T>
ShareVec<C, T> block_of(const ShareVec<C, T>& x, std::size_t at, std::size_t n) {
  return linear_overwrite(x, n, [&](const T* src, T* dst) { std::copy_n(src + at, n, dst); });
}

}  // namespace sqt::mpc
