// Local bookkeeping on share vectors (no communication): slices, concatenation
// and broadcasts, applied to every component of a ShareVec alike. These are
// public linear maps, so they keep any linear sharing valid.
#pragma once

#include <algorithm>
#include <cstddef>
#include <initializer_list>
#include <string>
#include <vector>

#include "host/core/error.h"
#include "host/mpc/share.h"

namespace sqt::nn {

template <int C, class T>
mpc::ShareVec<C, T> slice(const mpc::ShareVec<C, T>& x, std::size_t offset, std::size_t n) {
  mpc::ShareVec<C, T> r;
  for (int c = 0; c < C; ++c) r.part[c].assign(x.part[c].begin() + offset, x.part[c].begin() + offset + n);
  return r;
}

template <int C, class T>
void assign_slice(mpc::ShareVec<C, T>& x, std::size_t offset, const mpc::ShareVec<C, T>& v) {
  x.zero_component = -1;  // written in place (mpc/share.h)
  for (int c = 0; c < C; ++c) std::copy(v.part[c].begin(), v.part[c].end(), x.part[c].begin() + offset);
}

// x[offset, offset + n) = v[from, from + n), without an intermediate slice.
template <int C, class T>
void copy_range(mpc::ShareVec<C, T>& x, std::size_t offset, const mpc::ShareVec<C, T>& v, std::size_t from,
                std::size_t n) {
  x.zero_component = -1;
  for (int c = 0; c < C; ++c)
    std::copy_n(v.part[c].begin() + static_cast<std::ptrdiff_t>(from), n, x.part[c].begin() + offset);
}

// x[offset, offset + n) -= c v[from, from + n), in place.
template <int C, class T>
void subtract_scaled_range(mpc::ShareVec<C, T>& x, std::size_t offset, const mpc::ShareVec<C, T>& v,
                           std::size_t from, std::size_t n, T c) {
  if (x.zero_component != v.zero_component) x.zero_component = -1;
  for (int k = 0; k < C; ++k) {
    T* out = x.part[k].data() + offset;
    const T* in = v.part[k].data() + from;
    for (std::size_t e = 0; e < n; ++e) out[e] -= c * in[e];
  }
}

// The first n elements of x, reusing its storage.
template <int C, class T>
mpc::ShareVec<C, T> keep_prefix(mpc::ShareVec<C, T> x, std::size_t n) {
  for (auto& part : x.part) part.resize(n);
  return x;
}

template <int C, class T>
mpc::ShareVec<C, T> concat(std::initializer_list<const mpc::ShareVec<C, T>*> xs) {
  std::size_t n = 0;
  for (const auto* x : xs) n += x->size();
  mpc::ShareVec<C, T> r;
  for (int c = 0; c < C; ++c) {
    r.part[c].reserve(n);
    for (const auto* x : xs) r.part[c].insert(r.part[c].end(), x->part[c].begin(), x->part[c].end());
  }
  return r;
}

template <int C, class T>
mpc::ShareVec<C, T> concat(const std::vector<mpc::ShareVec<C, T>>& xs) {
  std::size_t n = 0;
  for (const auto& x : xs) n += x.size();
  mpc::ShareVec<C, T> r;
  for (int c = 0; c < C; ++c) {
    r.part[c].reserve(n);
    for (const auto& x : xs) r.part[c].insert(r.part[c].end(), x.part[c].begin(), x.part[c].end());
  }
  return r;
}

// Each of the n elements repeated `times` times, consecutively (x0 x0 x1 x1 ...).
template <int C, class T>
mpc::ShareVec<C, T> repeat_each(const mpc::ShareVec<C, T>& x, std::size_t times) {
  mpc::ShareVec<C, T> r(x.size() * times);
  for (int c = 0; c < C; ++c)
    for (std::size_t i = 0; i < x.size(); ++i)
      std::fill_n(r.part[c].begin() + i * times, times, x.part[c][i]);
  return r;
}

// x[r * n + j] += row[j] for every row r of x (n = row.size()): the bias of
// a layer, added in place (tile + add would build two full-size vectors).
// Share addition is componentwise for every linear sharing.
template <int C, class T>
void add_to_rows(mpc::ShareVec<C, T>& x, const mpc::ShareVec<C, T>& row) {
  const std::size_t n = row.size();
  if (n == 0 || x.size() % n != 0) {
    throw ShapeError("add_to_rows: " + std::to_string(x.size()) + " elements are not rows of " +
                     std::to_string(n));
  }
  x.zero_component = -1;
  for (int c = 0; c < C; ++c) {
    T* out = x.part[c].data();
    const T* b = row.part[c].data();
    for (std::size_t i = 0; i < x.size(); i += n)
      for (std::size_t j = 0; j < n; ++j) out[i + j] += b[j];
  }
}

// Sums the rows of a rows x cols matrix: the bias gradient.
template <int C, class T>
mpc::ShareVec<C, T> sum_rows(const mpc::ShareVec<C, T>& x, std::size_t rows, std::size_t cols) {
  mpc::ShareVec<C, T> r(cols);
  for (int c = 0; c < C; ++c) {
    T* out = r.part[c].data();
    const T* in = x.part[c].data();
    for (std::size_t i = 0; i < rows; ++i)
      for (std::size_t j = 0; j < cols; ++j) out[j] += in[i * cols + j];
  }
  return r;
}

}  // namespace sqt::nn
