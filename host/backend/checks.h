// Argument checks shared by every backend, so all of them reject the same
// inputs with the same message.
#pragma once

#include <cstddef>
#include <span>

#include "host/backend/backend.h"

namespace sqt::backend {

// Throws ShapeError unless all spans have out's length.
void check_cross_mul_add_sizes(std::size_t x0, std::size_t x1, std::size_t y0, std::size_t y1,
                               std::size_t mask, std::size_t out);
template <class T>
void check_cross_mul_add_sizes(std::span<const T> x0, std::span<const T> x1, std::span<const T> y0,
                               std::span<const T> y1, std::span<const T> mask, std::span<T> out) {
  check_cross_mul_add_sizes(x0.size(), x1.size(), y0.size(), y1.size(), mask.size(), out.size());
}

// Throws ConfigError unless the dealer was given at least one party's seed.
void check_dealer_seeds(std::span<const PrgSeed> seeds);

// The stream layout of Beaver triples: triple i takes words 3i, 3i+1, 3i+2.
inline constexpr std::size_t kTripleWords = 3;

}  // namespace sqt::backend
