// Bit-slicing helpers: ring elements <-> bit planes (plane j holds bit j of
// 64 consecutive elements per word), the layout of the boolean shares.
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "host/core/ring.h"

namespace sqt::mpc {

inline std::size_t words_for(std::size_t n) { return (n + 63) / 64; }

// Planes 0..bits-1 of u[e] = v[e] (+ v2[e] when v2 is not null) + offset, in
// one buffer: out[j * words_for(n) + w] bit e = bit j of u[64 w + e]. The
// last word of a plane is zero-padded.
// T is the ring's element type (Z_2^64 or Z_2^128; bits up to its width).
template <RingElement T>
void to_planes_flat(const T* v, std::type_identity_t<const T*> v2, std::size_t n, int bits,
                    std::type_identity_t<T> offset, std::uint64_t* out);

// out[e] = bit e of plane (0 or 1), e < n.
template <RingElement T>
void plane_to_ring(const std::uint64_t* plane, std::size_t n, T* out);

}  // namespace sqt::mpc
