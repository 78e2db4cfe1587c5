// Bit-slicing helpers: ring elements <-> bit planes (plane j holds bit j of
// 64 consecutive elements per word), the layout of the boolean shares.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "host/core/ring.h"

namespace sqt::mpc {

inline std::size_t words_for(std::size_t n) { return (n + 63) / 64; }

// planes[j][w] bit e = bit j of (v[64 w + e] + offset), j < bits.
std::vector<std::vector<std::uint64_t>> to_planes(const Ring* v, std::size_t n, int bits, Ring offset);

// out[e] = bit e of plane (0 or 1), e < n.
void plane_to_ring(const std::uint64_t* plane, std::size_t n, Ring* out);

}  // namespace sqt::mpc
