// ltz_factor / mul_factor: products of shares with a comparison bit kept in
// rep3's factor form, against scalar products, for every lead party and for
// a factor that multiplies several shares; and their fixed cost.
#include <gtest/gtest.h>

#include "host/mpc/fixed/basic.h"
#include "tests/mpc_rep3/rep3_test_util.h"

namespace sqt::test {
namespace {

using mpc::Rep3;

Rep3::Share owned_by(Rep3& p, int owner, const std::vector<Ring>& v) {
  return p.input(owner, p.party() == owner ? std::span<const Ring>(v) : std::span<const Ring>(), v.size());
}

TEST(Rep3Factor, ProductsWithTheComparisonBitMatchScalarProducts) {
  const std::size_t n = 1000;
  const auto x = random_signed(n, (std::int64_t{1} << 30) - 1, 7);
  const auto y = random_ring(n, 8);  // full-width ring values: the product is exact mod 2^64
  const auto z = random_ring(n, 9);
  // Four factors, so that every party leads at least once; each multiplies two shares.
  auto out = run_rep3([&](Rep3& p) {
    const auto sx = owned_by(p, 0, x);
    const auto sy = owned_by(p, 1, y);
    const auto sz = owned_by(p, 2, z);
    std::vector<Ring> all;
    for (int round = 0; round < 4; ++round) {
      const auto f = p.ltz_factor(round % 2 == 0 ? sx : p.neg(sx));
      for (const auto* s : {&sy, &sz}) {
        const auto v = p.reveal(p.mul_factor(f, *s));
        all.insert(all.end(), v.begin(), v.end());
      }
    }
    return all;
  });
  ASSERT_EQ(out[0].size(), 8 * n);
  for (int round = 0; round < 4; ++round) {
    for (int which = 0; which < 2; ++which) {
      const auto& m = which == 0 ? y : z;
      for (std::size_t e = 0; e < n; ++e) {
        const auto xs = as_signed(x[e]);
        const bool bit = round % 2 == 0 ? xs < 0 : -xs < 0;
        ASSERT_EQ(out[0][(2 * round + which) * n + e], bit ? m[e] : Ring{0})
            << "factor " << round << " share " << which << " element " << e << " x " << xs;
      }
    }
  }
  EXPECT_EQ(out[0], out[1]);
  EXPECT_EQ(out[0], out[2]);
}

TEST(Rep3Factor, FactorValueIsTheLtzBit) {
  const auto x = random_signed(700, (std::int64_t{1} << 30) - 1, 11);
  auto out = run_rep3([&](Rep3& p) {
    const auto sx = owned_by(p, 1, x);
    auto a = p.reveal(mpc::fx::factor_value(p, p.ltz_factor(sx)));
    const auto b = p.reveal(p.ltz(sx));
    a.insert(a.end(), b.begin(), b.end());
    return a;
  });
  for (std::size_t e = 0; e < x.size(); ++e) {
    EXPECT_EQ(out[0][e], as_signed(x[e]) < 0 ? 1u : 0u) << e;
    EXPECT_EQ(out[0][x.size() + e], out[0][e]) << e;
  }
}

TEST(Rep3Factor, MulFactorCostsTwoRoundsAndEightBytesPerElement) {
  const std::size_t n = 5000;
  const auto x = random_signed(n, 1000, 12);
  const auto y = random_ring(n, 13);
  auto costs = run_rep3([&](Rep3& p) {
    const auto sx = owned_by(p, 0, x);
    const auto sy = owned_by(p, 0, y);
    const auto f = p.ltz_factor(sx);
    p.reveal(sy);
    const auto before = p.stats();
    const auto prod = p.mul_factor(f, sy);
    p.reveal(prod);
    const auto cost = p.stats() - before;
    // Take the reveal's own round and bytes out.
    return std::vector<std::uint64_t>{cost.rounds - 1, cost.bytes_sent - 8 * n};
  });
  for (int party = 0; party < 3; ++party) {
    EXPECT_LE(costs[party][0], 2u) << "party " << party;
    EXPECT_EQ(costs[party][1], 8 * n) << "party " << party;
  }
}

TEST(Rep3Factor, SizeMismatchIsAShapeError) {
  // Each party reports whether it threw (before anything was sent, so none waits).
  auto out = run_rep3([&](Rep3& p) {
    const auto f = p.ltz_factor(p.zeros(10));
    try {
      p.mul_factor(f, p.zeros(11));
    } catch (const ShapeError&) {
      return true;
    }
    return false;
  });
  for (int party = 0; party < 3; ++party) EXPECT_TRUE(out[party]) << "party " << party << " did not throw";
}

}  // namespace
}  // namespace sqt::test
