// The run-time polynomial fits behind exp, log and the inverse square root.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "host/mpc/fixed/poly.h"

namespace sqt::mpc::fx {
namespace {

TEST(PolyFit, RecoversAPolynomialExactly) {
  const auto c =
      chebyshev_fit([](double x) { return 1.0 - 2.0 * x + 3.0 * x * x - 0.5 * x * x * x; }, -1.5, 2.5, 3);
  ASSERT_EQ(c.size(), 4u);
  EXPECT_NEAR(c[0], 1.0, 1e-12);
  EXPECT_NEAR(c[1], -2.0, 1e-12);
  EXPECT_NEAR(c[2], 3.0, 1e-12);
  EXPECT_NEAR(c[3], -0.5, 1e-12);
}

TEST(PolyFit, Exp2FractionMeetsTolerance) {
  const auto fn = [](double u) { return std::exp2(u); };
  const auto c = fit_to_tolerance(fn, 0.0, 1.0, std::ldexp(1.0, -17), 16);
  EXPECT_LE(max_abs_error(c, fn, 0.0, 1.0), std::ldexp(1.0, -17));
  // Independent check at points off the fitting grid.
  for (double u = 0.0001; u < 1.0; u += 0.0123) {
    double y = 0.0;
    for (std::size_t i = c.size(); i-- > 0;) y = y * u + c[i];
    EXPECT_NEAR(y, std::exp2(u), std::ldexp(1.0, -17));
  }
  EXPECT_LE(c.size(), 7u) << "degree should be small at f = 16";
}

TEST(PolyFit, InverseSqrtQuadraticBelowPointFourPercent) {
  const auto c = chebyshev_fit([](double u) { return 1.0 / std::sqrt(u); }, 0.25, 0.5, 2);
  for (double u = 0.25; u <= 0.5; u += 0.0005) {
    const double y = c[0] + c[1] * u + c[2] * u * u;
    EXPECT_LT(std::abs(y * std::sqrt(u) - 1.0), 0.004) << u;
  }
}

TEST(PolyFit, PowerRounds) {
  EXPECT_EQ(power_rounds(1), 0);
  EXPECT_EQ(power_rounds(2), 1);
  EXPECT_EQ(power_rounds(4), 2);
  EXPECT_EQ(power_rounds(5), 3);
  EXPECT_EQ(power_rounds(8), 3);
}

}  // namespace
}  // namespace sqt::mpc::fx
