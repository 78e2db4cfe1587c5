// Component-wise helpers on share vectors (ShareVec<C, T>, used for both Share
// and Bits): concatenation, slicing, broadcasting. They are local: a
// concatenation lets one protocol call (one round) serve several operands.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "host/core/error.h"
#include "host/mpc/share.h"

namespace sqt::mpc::fx {

// Concatenation of the operands, in order.
template <int C, class T>
ShareVec<C, T> concat(std::span<const ShareVec<C, T>* const> parts) {
  std::size_t total = 0;
  for (const auto* s : parts) total += s->size();
  ShareVec<C, T> out;
  for (int c = 0; c < C; ++c) {
    out.part[c].reserve(total);
    for (const auto* s : parts) out.part[c].insert(out.part[c].end(), s->part[c].begin(), s->part[c].end());
  }
  return out;
}

template <int C, class T, class... Rest>
ShareVec<C, T> concat(const ShareVec<C, T>& first, const Rest&... rest) {
  const ShareVec<C, T>* parts[] = {&first, &rest...};
  return concat<C>(std::span<const ShareVec<C, T>* const>(parts));
}

// Elements [offset, offset + n) of x.
template <int C, class T>
ShareVec<C, T> slice(const ShareVec<C, T>& x, std::size_t offset, std::size_t n) {
  if (offset + n > x.size()) {
    throw ShapeError("fx::slice: elements [" + std::to_string(offset) + ", " + std::to_string(offset + n) +
                     ") of a vector of " + std::to_string(x.size()));
  }
  ShareVec<C, T> out;
  for (int c = 0; c < C; ++c) {
    out.part[c].assign(x.part[c].begin() + static_cast<std::ptrdiff_t>(offset),
                       x.part[c].begin() + static_cast<std::ptrdiff_t>(offset + n));
  }
  return out;
}

// Splits x into consecutive pieces of the given sizes (which must add up).
template <int C, class T>
std::vector<ShareVec<C, T>> split(const ShareVec<C, T>& x, std::span<const std::size_t> sizes) {
  std::vector<ShareVec<C, T>> out;
  out.reserve(sizes.size());
  std::size_t offset = 0;
  for (std::size_t n : sizes) {
    out.push_back(slice(x, offset, n));
    offset += n;
  }
  if (offset != x.size()) {
    throw ShapeError("fx::split: pieces add up to " + std::to_string(offset) + " elements, vector has " +
                     std::to_string(x.size()));
  }
  return out;
}

// Each element of x (size rows) repeated `cols` times: out[r * cols + c] = x[r].
template <int C, class T>
ShareVec<C, T> repeat_each(const ShareVec<C, T>& x, std::size_t cols) {
  ShareVec<C, T> out(x.size() * cols);
  for (int c = 0; c < C; ++c) {
    const T* in = x.part[c].data();
    T* o = out.part[c].data();
    for (std::size_t r = 0; r < x.size(); ++r) {
      for (std::size_t j = 0; j < cols; ++j) o[r * cols + j] = in[r];
    }
  }
  return out;
}

}  // namespace sqt::mpc::fx
