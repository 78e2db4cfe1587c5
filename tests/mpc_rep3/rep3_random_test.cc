// Rep3::random_int: jointly drawn integers, uniform in [0, 2^bits), that no
// party's components reveal, at a cost independent of their number; and the
// clear emulation's draw over the same range.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <span>

#include "host/mpc/clear/clear.h"
#include "tests/mpc_rep3/rep3_test_util.h"

namespace sqt::test {
namespace {

using mpc::Rep3;

// Chi-square of the values' counts over their 2^bits possible values.
double chi_square(std::span<const Ring> v, int bits) {
  std::vector<double> count(std::size_t{1} << bits, 0);
  for (Ring x : v) count.at(x) += 1;
  const double expected = static_cast<double>(v.size()) / static_cast<double>(count.size());
  double chi2 = 0;
  for (double c : count) chi2 += (c - expected) * (c - expected) / expected;
  return chi2;
}

TEST(Rep3Random, SmallRangeIsUniform) {
  const std::size_t n = 40000;
  auto out = run_rep3([&](Rep3& p) { return p.reveal(p.random_int(n, 3)); });
  ASSERT_EQ(out[0], out[1]);
  ASSERT_EQ(out[0], out[2]);
  for (Ring x : out[0]) ASSERT_LT(x, 8u);
  EXPECT_LT(chi_square(out[0], 3), 36.1);  // 7 degrees of freedom, p about 1e-5
}

// 29 = k - 2 bits for k = 31: the widest range, whose wrap comparisons reach
// the ends of the fixed-point range.
TEST(Rep3Random, WideRangeStaysInRangeAndSpreads) {
  for (int bits : {16, 29}) {
    const std::size_t n = 20000;
    auto out = run_rep3([&](Rep3& p) { return p.reveal(p.random_int(n, bits)); });
    double mean = 0;
    for (Ring x : out[0]) {
      ASSERT_LT(x, Ring{1} << bits) << bits << " bits";
      mean += static_cast<double>(x);
    }
    mean /= static_cast<double>(n) * static_cast<double>(Ring{1} << bits);
    EXPECT_NEAR(mean, 0.5, 5 * std::sqrt(1.0 / 12 / static_cast<double>(n))) << bits << " bits";
    // The top bit is set about half the time.
    const auto top = std::count_if(out[0].begin(), out[0].end(), [&](Ring x) { return x >> (bits - 1); });
    EXPECT_NEAR(static_cast<double>(top) / static_cast<double>(n), 0.5, 0.02) << bits << " bits";
  }
}

TEST(Rep3Random, NoPartysComponentsHoldTheValue) {
  const std::size_t n = 5000;
  struct View {
    std::vector<Ring> part0, part1, value;
  };
  auto views = run_rep3([&](Rep3& p) {
    const auto s = p.random_int(n, 24);
    return View{{s.part[0].begin(), s.part[0].end()}, {s.part[1].begin(), s.part[1].end()}, p.reveal(s)};
  });
  for (int party = 0; party < 3; ++party) {
    std::size_t equal = 0;
    for (std::size_t e = 0; e < n; ++e) {
      const View& v = views[party];
      equal += v.part0[e] == v.value[e] || v.part1[e] == v.value[e] || v.part0[e] + v.part1[e] == v.value[e];
    }
    EXPECT_EQ(equal, 0u) << "party " << party;
  }
}

TEST(Rep3Random, CostIsIndependentOfTheCount) {
  std::vector<std::uint64_t> rounds;
  for (std::size_t n : {64u, 6400u}) {
    auto costs = run_rep3([&](Rep3& p) {
      const auto before = p.stats();
      const auto s = p.random_int(n, 24);
      p.reveal(s);
      return (p.stats() - before).rounds;
    });
    rounds.push_back(*std::max_element(costs.begin(), costs.end()));
  }
  EXPECT_EQ(rounds[0], rounds[1]);
}

TEST(Rep3Random, RejectsRangesBeyondTheComparison) {
  EXPECT_THROW(run_rep3([&](Rep3& p) { return p.random_int(4, 30).size(); }), ShapeError);
  EXPECT_THROW(run_rep3([&](Rep3& p) { return p.random_int(4, 0).size(); }), ShapeError);
}

TEST(ClearRandom, DrawsUniformValuesFromItsSeed) {
  auto be = backend::make_backend("cpu", 1);
  mpc::Clear a(*be, FixedParams{}, mpc::TruncMode::kProbabilistic, 4);
  mpc::Clear b(*be, FixedParams{}, mpc::TruncMode::kProbabilistic, 4);
  const auto x = a.random_int(40000, 3), y = b.random_int(40000, 3);
  EXPECT_EQ(x.part[0], y.part[0]);  // seeded: reproducible
  for (Ring v : x.part[0]) ASSERT_LT(v, 8u);
  EXPECT_LT(chi_square(x.part[0], 3), 36.1);
  EXPECT_THROW(a.random_int(4, 30), ShapeError);
}

}  // namespace
}  // namespace sqt::test
