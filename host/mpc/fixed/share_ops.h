// Component-wise helpers on share vectors (ShareVec<C>, used for both Share
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
template <int C>
ShareVec<C> concat(std::span<const ShareVec<C>* const> parts) {
  std::size_t total = 0;
  for (const auto* s : parts) total += s->size();
  ShareVec<C> out;
  for (int c = 0; c < C; ++c) {
    out.part[c].reserve(total);
    for (const auto* s : parts) out.part[c].insert(out.part[c].end(), s->part[c].begin(), s->part[c].end());
  }
  return out;
}

template <int C, class... Rest>
ShareVec<C> concat(const ShareVec<C>& first, const Rest&... rest) {
  const ShareVec<C>* parts[] = {&first, &rest...};
  return concat<C>(std::span<const ShareVec<C>* const>(parts));
}

// Elements [offset, offset + n) of x.
template <int C>
ShareVec<C> slice(const ShareVec<C>& x, std::size_t offset, std::size_t n) {
  if (offset + n > x.size()) {
    throw ShapeError("fx::slice: elements [" + std::to_string(offset) + ", " + std::to_string(offset + n) +
                     ") of a vector of " + std::to_string(x.size()));
  }
  ShareVec<C> out;
  for (int c = 0; c < C; ++c) {
    out.part[c].assign(x.part[c].begin() + static_cast<std::ptrdiff_t>(offset),
                       x.part[c].begin() + static_cast<std::ptrdiff_t>(offset + n));
  }
  return out;
}

// Splits x into consecutive pieces of the given sizes (which must add up).
template <int C>
std::vector<ShareVec<C>> split(const ShareVec<C>& x, std::span<const std::size_t> sizes) {
  std::vector<ShareVec<C>> out;
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
template <int C>
ShareVec<C> repeat_each(const ShareVec<C>& x, std::size_t cols) {
  ShareVec<C> out(x.size() * cols);
  for (int c = 0; c < C; ++c) {
    const Ring* in = x.part[c].data();
    Ring* o = out.part[c].data();
    for (std::size_t r = 0; r < x.size(); ++r) {
      for (std::size_t j = 0; j < cols; ++j) o[r * cols + j] = in[r];
    }
  }
  return out;
}

}  // namespace sqt::mpc::fx
