#include "host/mpc/fixed/poly.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace sqt::mpc::fx {

std::vector<double> chebyshev_fit(const std::function<double(double)>& fn, double lo, double hi, int degree) {
  const auto n = static_cast<std::size_t>(degree) + 1;
  const auto nd = static_cast<double>(n);
  // Chebyshev coefficients a_j of the interpolant in s = (2x - lo - hi) / (hi - lo).
  std::vector<double> a(n, 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    const double theta = std::numbers::pi * (static_cast<double>(i) + 0.5) / nd;
    const double y = fn(0.5 * (lo + hi) + 0.5 * (hi - lo) * std::cos(theta));
    for (std::size_t j = 0; j < n; ++j) a[j] += 2.0 / nd * y * std::cos(static_cast<double>(j) * theta);
  }
  a[0] *= 0.5;
  // T_j as monomials in x: T_0 = 1, T_1 = s, T_{j+1} = 2 s T_j - T_{j-1},
  // with s = alpha x + beta.
  const double alpha = 2.0 / (hi - lo);
  const double beta = -(lo + hi) / (hi - lo);
  std::vector<double> coeffs(n, 0.0);
  std::vector<double> t_prev(n, 0.0);
  std::vector<double> t_cur(n, 0.0);
  t_prev[0] = 1.0;
  coeffs[0] += a[0];
  if (n > 1) {
    t_cur[0] = beta;
    t_cur[1] = alpha;
    for (std::size_t i = 0; i < n; ++i) coeffs[i] += a[1] * t_cur[i];
  }
  for (std::size_t j = 2; j < n; ++j) {
    std::vector<double> t_next(n, 0.0);
    for (std::size_t i = 0; i < n; ++i) {
      t_next[i] += 2.0 * beta * t_cur[i] - t_prev[i];
      if (i + 1 < n) t_next[i + 1] += 2.0 * alpha * t_cur[i];
    }
    for (std::size_t i = 0; i < n; ++i) coeffs[i] += a[j] * t_next[i];
    t_prev = std::move(t_cur);
    t_cur = std::move(t_next);
  }
  return coeffs;
}

double max_abs_error(std::span<const double> coeffs, const std::function<double(double)>& fn, double lo,
                     double hi) {
  constexpr int kGrid = 4096;
  double worst = 0.0;
  for (int g = 0; g <= kGrid; ++g) {
    const double x = lo + (hi - lo) * g / kGrid;
    double y = 0.0;
    for (std::size_t i = coeffs.size(); i-- > 0;) y = y * x + coeffs[i];
    worst = std::max(worst, std::abs(y - fn(x)));
  }
  return worst;
}

std::vector<double> fit_to_tolerance(const std::function<double(double)>& fn, double lo, double hi,
                                     double tolerance, int max_degree) {
  std::vector<double> best;
  for (int d = 1; d <= max_degree; ++d) {
    best = chebyshev_fit(fn, lo, hi, d);
    if (max_abs_error(best, fn, lo, hi) <= tolerance) break;
  }
  return best;
}

}  // namespace sqt::mpc::fx
