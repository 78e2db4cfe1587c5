// Bit-slicing helpers: ring elements <-> bit planes (plane j holds bit j of
// 64 consecutive elements per word), the layout of the boolean shares.
#pragma once

#include <cstddef>
#include <cstdint>

#include "host/core/ring.h"

namespace sqt::mpc {

inline std::size_t words_for(std::size_t n) { return (n + 63) / 64; }

// Planes 0..bits-1 of u[e] = v[e] (+ v2[e] when v2 is not null) + offset, in
// one buffer: out[j * words_for(n) + w] bit e = bit j of u[64 w + e]. The
// last word of a plane is zero-padded.
void to_planes_flat(const Ring* v, const Ring* v2, std::size_t n, int bits, Ring offset, std::uint64_t* out);

// out[e] = bit e of plane (0 or 1), e < n.
void plane_to_ring(const std::uint64_t* plane, std::size_t n, Ring* out);

}  // namespace sqt::mpc
