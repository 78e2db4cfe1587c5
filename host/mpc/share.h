// Share containers. A protocol's Share is a vector of secret-shared ring
// elements (of type T: Z_2^64 or Z_2^128, ring.h), stored as C component vectors of equal length (structure
// of arrays): rep3 holds two components (x_i, x_{i+1}), additive and Shamir sharings one, the clear emulation
// one (the value itself).
//
// Every public linear map (im2col, transpose, gather, sum over windows) is
// applied to each component independently; that is what Protocol::linear does.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "host/core/error.h"
#include "host/core/ring.h"
#include "host/core/ring_vec.h"

namespace sqt::mpc {

template <int C, class T = Ring>
struct ShareVec {
  static constexpr int kComponents = C;
  using Elem = T;  // the ring's element type (64-bit words for bit planes)
  std::array<RingVecOf<T>, C> part;
  // A protocol's mark of a component that is zero in every element (its
  // global index in the protocol's numbering), or -1. Public knowledge, the
  // same on every party. Only protocols set and read it (rep3: an input's
  // sharing has one, which lets a product with it skip three of the nine
  // cross terms, rep3.cc local_matmul); the helpers of this header keep it
  // (public linear maps map a zero component to zero) or reset it (in-place
  // writes). Generic code (host/mpc/fixed, host/nn) never touches it.
  int known_zero = -1;

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
  out.known_zero = x.known_zero;  // a linear map keeps a zero component zero
  return out;
}

// A public map f(const T* a, const T* b, T* out) of two shares, for
// maps that write each of their out_n outputs: a map of the concatenation
// of a and b without building it.
template <int C, class T, class F>
ShareVec<C, T> linear_overwrite2(const ShareVec<C, T>& a, const ShareVec<C, T>& b, std::size_t out_n, F&& f) {
  auto out = ShareVec<C, T>::uninitialized(out_n);
  for (int c = 0; c < C; ++c) f(a.part[c].data(), b.part[c].data(), out.part[c].data());
  out.known_zero = a.known_zero == b.known_zero ? a.known_zero : -1;
  return out;
}

// Two public maps of x in one pass, f(const T* in, T* out_a, T*
// out_b), each output written: gathers that read the same indices.
template <int C, class T, class F>
std::pair<ShareVec<C, T>, ShareVec<C, T>> linear_overwrite_pair(const ShareVec<C, T>& x, std::size_t a_n,
                                                                std::size_t b_n, F&& f) {
  auto a = ShareVec<C, T>::uninitialized(a_n), b = ShareVec<C, T>::uninitialized(b_n);
  for (int c = 0; c < C; ++c) f(x.part[c].data(), a.part[c].data(), b.part[c].data());
  a.known_zero = b.known_zero = x.known_zero;
  return {std::move(a), std::move(b)};
}

// In-place writers (slices, bias rows, SGD's scaled updates): a write into
// part of a share's components ends any known-zero component it had.

template <int C, class T>
void assign_slice(ShareVec<C, T>& x, std::size_t offset, const ShareVec<C, T>& v) {
  x.known_zero = -1;  // written in place
  for (int c = 0; c < C; ++c) std::copy(v.part[c].begin(), v.part[c].end(), x.part[c].begin() + offset);
}

// x[offset, offset + n) = v[from, from + n), without an intermediate slice.
template <int C, class T>
void copy_range(ShareVec<C, T>& x, std::size_t offset, const ShareVec<C, T>& v, std::size_t from,
                std::size_t n) {
  x.known_zero = -1;
  for (int c = 0; c < C; ++c)
    std::copy_n(v.part[c].begin() + static_cast<std::ptrdiff_t>(from), n, x.part[c].begin() + offset);
}

// x[offset, offset + n) -= c v[from, from + n), in place.
template <int C, class T>
void subtract_scaled_range(ShareVec<C, T>& x, std::size_t offset, const ShareVec<C, T>& v, std::size_t from,
                           std::size_t n, T c) {
  if (x.known_zero != v.known_zero) x.known_zero = -1;
  for (int k = 0; k < C; ++k) {
    T* out = x.part[k].data() + offset;
    const T* in = v.part[k].data() + from;
    for (std::size_t e = 0; e < n; ++e) out[e] -= c * in[e];
  }
}

// x[r * n + j] += row[j] for every row r of x (n = row.size()): the bias of
// a layer, added in place (tile + add would build two full-size vectors).
// Share addition is componentwise for every linear sharing.
template <int C, class T>
void add_to_rows(ShareVec<C, T>& x, const ShareVec<C, T>& row) {
  const std::size_t n = row.size();
  if (n == 0 || x.size() % n != 0) {
    throw ShapeError("add_to_rows: " + std::to_string(x.size()) + " elements are not rows of " +
                     std::to_string(n));
  }
  x.known_zero = -1;
  for (int c = 0; c < C; ++c) {
    T* out = x.part[c].data();
    const T* b = row.part[c].data();
    for (std::size_t i = 0; i < x.size(); i += n)
      for (std::size_t j = 0; j < n; ++j) out[i + j] += b[j];
  }
}

// Elements [at, at + n) of x, as their own share (a block of a batched
// product, protocol.h MatmulTerm).
template <int C, class T>
ShareVec<C, T> block_of(const ShareVec<C, T>& x, std::size_t at, std::size_t n) {
  return linear_overwrite(x, n, [&](const T* src, T* dst) { std::copy_n(src + at, n, dst); });
}

}  // namespace sqt::mpc
