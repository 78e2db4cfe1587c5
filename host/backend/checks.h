// Argument checks shared by every backend, so all of them reject the same
// inputs with the same message.
#pragma once

#include <cstddef>
#include <span>

#include "host/backend/backend.h"

namespace sqt::backend {

// Throws ShapeError unless all spans have out's length.
void check_cross_mul_add_sizes(std::span<const Ring> x0, std::span<const Ring> x1, std::span<const Ring> y0,
                               std::span<const Ring> y1, std::span<const Ring> mask, std::span<Ring> out);

// Throws ConfigError unless the dealer was given at least one party's seed.
void check_dealer_seeds(std::span<const PrgSeed> seeds);

// The stream layout of Beaver triples: triple i takes words 3i, 3i+1, 3i+2.
inline constexpr std::size_t kTripleWords = 3;

}  // namespace sqt::backend
