// Argument checks shared by the simd kernels: a mismatch throws
// std::invalid_argument whose message names the operation and every size.
#pragma once

#include <cstddef>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <utility>

namespace sqt::simd::internal {

using NamedSize = std::pair<const char*, std::size_t>;

inline void require_equal_sizes(const char* op, std::initializer_list<NamedSize> sizes) {
  const std::size_t first = sizes.begin()->second;
  bool equal = true;
  for (const auto& s : sizes) equal = equal && s.second == first;
  if (equal) return;
  std::string msg = std::string("sqt::simd::") + op + ": span sizes differ:";
  for (const auto& s : sizes) msg += std::string(" ") + s.first + "=" + std::to_string(s.second);
  throw std::invalid_argument(msg);
}

inline void require_shift(const char* op, int bits) {
  if (bits < 0 || bits > 63) {
    throw std::invalid_argument(std::string("sqt::simd::") + op + ": shift by " + std::to_string(bits) +
                                " bits is outside 0..63");
  }
}

}  // namespace sqt::simd::internal
