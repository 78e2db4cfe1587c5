// Share containers. A protocol's Share is a vector of secret-shared ring
// elements, stored as C component vectors of equal length (structure of
// arrays): rep3 holds two components (x_i, x_{i+1}), additive and Shamir
// sharings one, the clear emulation one (the value itself).
//
// Every public linear map (im2col, transpose, gather, sum over windows) is
// applied to each component independently; that is what Protocol::linear does.
#pragma once

#include <array>
#include <cstddef>
#include <vector>

#include "host/core/ring.h"

namespace sqt::mpc {

template <int C>
struct ShareVec {
  static constexpr int kComponents = C;
  std::array<std::vector<Ring>, C> part;

  ShareVec() = default;
  explicit ShareVec(std::size_t n) {
    for (auto& p : part) p.assign(n, 0);
  }
  std::size_t size() const { return part[0].size(); }
  bool empty() const { return part[0].empty(); }
};

}  // namespace sqt::mpc
