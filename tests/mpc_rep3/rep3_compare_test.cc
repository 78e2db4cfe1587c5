// Comparison (ltz) against scalar signs, its fixed cost, and the cross test
// with the clear emulation protocol: identical comparisons and ReLU masks.
#include <gtest/gtest.h>

#include "host/mpc/clear/clear.h"
#include "host/mpc/fixed/basic.h"
#include "tests/mpc_rep3/rep3_test_util.h"

namespace sqt::test {
namespace {

using mpc::Rep3;

std::vector<Ring> comparison_inputs(std::size_t n, int k, std::uint64_t seed) {
  auto v = random_signed(n, (std::int64_t{1} << (k - 1)) - 1, seed);
  const std::int64_t lim = std::int64_t{1} << (k - 1);
  for (std::int64_t e : {std::int64_t{0}, std::int64_t{1}, std::int64_t{-1}, lim - 1, -lim + 1, -lim, lim / 2,
                         -lim / 2, std::int64_t{65536}, std::int64_t{-65536}})
    v.push_back(static_cast<Ring>(e));
  return v;
}

Rep3::Share in1(Rep3& p, const std::vector<Ring>& v) {
  return p.input(1, p.party() == 1 ? std::span<const Ring>(v) : std::span<const Ring>(), v.size());
}

TEST(Rep3Compare, LtzMatchesTheSign) {
  for (int k : {31, 20, 40}) {
    Rep3Options options;
    options.fixed = {16, k};
    const auto v = comparison_inputs(3000, k, 31 + k);
    auto out = run_rep3([&](Rep3& p) { return p.reveal(p.ltz(in1(p, v))); }, options);
    for (std::size_t e = 0; e < v.size(); ++e)
      ASSERT_EQ(out[0][e], as_signed(v[e]) < 0 ? 1u : 0u) << "k " << k << " x " << as_signed(v[e]);
  }
}

TEST(Rep3Compare, LtzCostIsIndependentOfTheBatchSize) {
  std::vector<std::vector<std::uint64_t>> per_size;
  for (std::size_t n : {64u, 6400u}) {
    const auto v = comparison_inputs(n - 10, 31, 40);
    auto costs = run_rep3([&](Rep3& p) {
      auto x = in1(p, v);
      p.reveal(x);
      const auto before = p.stats();
      auto s = p.ltz(x);
      p.reveal(s);  // closes the last round for every party
      const auto cost = p.stats() - before;
      return std::vector<std::uint64_t>{cost.rounds, cost.bytes_sent - 8 * n};
    });
    std::uint64_t max_rounds = 0, max_bytes = 0;
    for (auto& c : costs) {
      max_rounds = std::max(max_rounds, c[0]);
      max_bytes = std::max(max_bytes, c[1]);
    }
    per_size.push_back({max_rounds, max_bytes, n});
  }
  EXPECT_EQ(per_size[0][0], per_size[1][0]) << "rounds";
  // k = 31: at most 84 bits of AND/input traffic and 8 bytes of b2a per element.
  for (auto& s : per_size) EXPECT_LE(s[1], s[2] * 8 + s[2] / 64 * 8 * 84 + 8 * 84) << "n " << s[2];
}

TEST(Rep3Compare, AgreesWithClearOnComparisonsAndReluMasks) {
  // -2^(k-1) is outside the fixed-point range once negated by ReLU: leave it out.
  auto v = comparison_inputs(5000, 31, 50);
  std::erase(v, static_cast<Ring>(-(std::int64_t{1} << 30)));
  auto backend = backend::make_backend("cpu", 1);
  mpc::Clear clear(*backend, FixedParams{}, mpc::TruncMode::kProbabilistic, 1);
  const auto cx = clear.input(0, v, v.size());
  const auto clear_ltz = clear.reveal(clear.ltz(cx));
  const auto clear_relu = mpc::fx::relu(clear, cx);
  const auto clear_mask = clear.reveal(mpc::fx::factor_value(clear, clear_relu.mask));
  const auto clear_y = clear.reveal(clear_relu.y);
  auto out = run_rep3([&](Rep3& p) {
    auto x = in1(p, v);
    auto ltz = p.reveal(p.ltz(x));
    auto relu = mpc::fx::relu(p, x);
    auto mask = p.reveal(mpc::fx::factor_value(p, relu.mask));
    auto y = p.reveal(relu.y);
    ltz.insert(ltz.end(), mask.begin(), mask.end());
    ltz.insert(ltz.end(), y.begin(), y.end());
    return ltz;
  });
  const std::size_t n = v.size();
  EXPECT_EQ(std::vector<Ring>(out[0].begin(), out[0].begin() + n), clear_ltz);
  EXPECT_EQ(std::vector<Ring>(out[0].begin() + n, out[0].begin() + 2 * n), clear_mask);
  EXPECT_EQ(std::vector<Ring>(out[0].begin() + 2 * n, out[0].end()), clear_y);
}

}  // namespace
}  // namespace sqt::test
