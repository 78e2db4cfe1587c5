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

// The in-place writers live with the share type (host/mpc/share.h), which
// keeps its known-zero component consistent; nn uses them as its own.
using mpc::add_to_rows;
using mpc::assign_slice;
using mpc::copy_range;
using mpc::subtract_scaled_range;

template <int C, class T>
mpc::ShareVec<C, T> slice(const mpc::ShareVec<C, T>& x, std::size_t offset, std::size_t n) {
  mpc::ShareVec<C, T> r;
  for (int c = 0; c < C; ++c) r.part[c].assign(x.part[c].begin() + offset, x.part[c].begin() + offset + n);
  return r;
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
