#include "host/backend/checks.h"

#include <string>

#include "host/core/error.h"

namespace sqt::backend {

void check_cross_mul_add_sizes(std::size_t x0, std::size_t x1, std::size_t y0, std::size_t y1,
                               std::size_t mask, std::size_t out) {
  if (x0 != out || x1 != out || y0 != out || y1 != out || mask != out) {
    throw ShapeError("cross_mul_add: span lengths differ (x0 " + std::to_string(x0) + ", x1 " +
                     std::to_string(x1) + ", y0 " + std::to_string(y0) + ", y1 " + std::to_string(y1) +
                     ", mask " + std::to_string(mask) + ", out " + std::to_string(out) + ")");
  }
}

void check_dealer_seeds(std::span<const PrgSeed> seeds) {
  if (seeds.empty()) throw ConfigError("dealer_correction: no party seeds given (needs one per party)");
}

}  // namespace sqt::backend
