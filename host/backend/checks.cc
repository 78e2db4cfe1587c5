#include "host/backend/checks.h"

#include <string>

#include "host/core/error.h"

namespace sqt::backend {

void check_cross_mul_add_sizes(std::span<const Ring> x0, std::span<const Ring> x1, std::span<const Ring> y0,
                               std::span<const Ring> y1, std::span<const Ring> mask, std::span<Ring> out) {
  const std::size_t n = out.size();
  if (x0.size() != n || x1.size() != n || y0.size() != n || y1.size() != n || mask.size() != n) {
    throw ShapeError("cross_mul_add: span lengths differ (x0 " + std::to_string(x0.size()) + ", x1 " +
                     std::to_string(x1.size()) + ", y0 " + std::to_string(y0.size()) + ", y1 " +
                     std::to_string(y1.size()) + ", mask " + std::to_string(mask.size()) + ", out " +
                     std::to_string(n) + ")");
  }
}

void check_dealer_seeds(std::span<const PrgSeed> seeds) {
  if (seeds.empty()) throw ConfigError("dealer_correction: no party seeds given (needs one per party)");
}

}  // namespace sqt::backend
