// Truncation: probabilistic (floor or floor + 1, unbiased, never a wrap
// error even far outside the fixed-point range) and exact, alone and fused
// with the products; costs from the network counters.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>

#include "tests/mpc_rep3/rep3_test_util.h"

namespace sqt::test {
namespace {

using mpc::Rep3;
using mpc::Trans;
using mpc::TruncMode;

std::int64_t floor_shift(std::int64_t x, int bits) { return x >> bits; }  // arithmetic shift = floor

// d = result - floor: exact mode must give the floor, probabilistic mode the
// floor or the floor + 1.
::testing::AssertionResult rounded_as(TruncMode mode, std::int64_t d) {
  if (d == 0 || (mode == TruncMode::kProbabilistic && d == 1)) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "result - floor = " << d
         << (mode == TruncMode::kExact ? " in exact mode" : " in probabilistic mode");
}

// Every got[e] is expected[e] / 2^f rounded as `mode` allows.
// Element e was truncated by shifts[e], or by f when shifts is empty.
::testing::AssertionResult all_rounded_as(TruncMode mode, const std::vector<Ring>& got,
                                          const std::vector<Ring>& expected, int f,
                                          const std::vector<int>& shifts = {}) {
  if (got.size() != expected.size())
    return ::testing::AssertionFailure() << got.size() << " outputs for " << expected.size() << " expected";
  for (std::size_t e = 0; e < expected.size(); ++e) {
    const int shift = shifts.empty() ? f : shifts[e];
    auto r = rounded_as(mode, as_signed(got[e]) - floor_shift(as_signed(expected[e]), shift));
    if (!r) return r << " at element " << e;
  }
  return ::testing::AssertionSuccess();
}

Rep3::Share in0(Rep3& p, const std::vector<Ring>& v) {
  return p.input(0, p.party() == 0 ? std::span<const Ring>(v) : std::span<const Ring>(), v.size());
}

using Terms = std::vector<mpc::MatmulTerm<Rep3::Share>>;

// matmuls_trunc(terms(shares), f) in both truncation modes, where shares are
// party 0's inputs of `values`, against expected / 2^f. With
// forget_known_zeros, the products take the general path (all nine cross
// terms), as for shares that are not inputs.
void expect_matmuls_trunc(const std::vector<std::vector<Ring>>& values,
                          const std::function<Terms(const std::vector<Rep3::Share>&)>& terms,
                          const std::vector<Ring>& expected, int f, const std::vector<int>& shifts = {},
                          bool forget_known_zeros = false) {
  for (TruncMode mode : {TruncMode::kProbabilistic, TruncMode::kExact}) {
    Rep3Options options;
    options.mode = mode;
    auto out = run_rep3(
        [&](Rep3& p) {
          std::vector<Rep3::Share> shares;
          for (const auto& v : values) shares.push_back(in0(p, v));
          if (forget_known_zeros)
            for (auto& sh : shares) sh.known_zero = -1;
          const Terms t = terms(shares);
          return p.reveal(p.matmuls_trunc(std::span<const mpc::MatmulTerm<Rep3::Share>>(t), f));
        },
        options);
    EXPECT_TRUE(all_rounded_as(mode, out[0], expected, f, shifts));
  }
}

std::vector<Ring> edge_values(int k) {
  const std::int64_t lim = std::int64_t{1} << (k - 1);
  return {0,
          1,
          static_cast<Ring>(-1),
          static_cast<Ring>(lim - 1),
          static_cast<Ring>(-lim),
          static_cast<Ring>(-lim + 1),
          static_cast<Ring>(lim - 65536),
          static_cast<Ring>(-(std::int64_t{1} << 16)),
          Ring{1} << 16};
}

TEST(Rep3Trunc, ProbabilisticIsFloorOrFloorPlusOne) {
  const int f = 16, k = 31;
  auto v = random_signed(20000, (std::int64_t{1} << (k - 1)) - 1, 21);
  for (Ring e : edge_values(k)) v.push_back(e);
  auto out = run_rep3([&](Rep3& p) { return p.reveal(p.trunc(in0(p, v), f)); });
  for (std::size_t e = 0; e < v.size(); ++e) {
    const std::int64_t d = as_signed(out[0][e]) - floor_shift(as_signed(v[e]), f);
    ASSERT_TRUE(d == 0 || d == 1) << "x=" << as_signed(v[e]) << " got " << as_signed(out[0][e]);
  }
}

TEST(Rep3Trunc, NoWrapErrorFarOutsideTheFixedPointRange) {
  // The masked opening is exact for |x| < 2^62: no catastrophic failure.
  auto v = random_signed(20000, (std::int64_t{1} << 61), 22);
  v.push_back(static_cast<Ring>((std::int64_t{1} << 62) - 1));
  v.push_back(static_cast<Ring>(-(std::int64_t{1} << 62)));
  for (int bits : {1, 16, 18, 32, 40, 48}) {  // wrap terms of 1, 2, 3, 4, 5 and 6 bytes
    auto out = run_rep3([&](Rep3& p) { return p.reveal(p.trunc(in0(p, v), bits)); });
    for (std::size_t e = 0; e < v.size(); ++e) {
      const std::int64_t d = as_signed(out[0][e]) - floor_shift(as_signed(v[e]), bits);
      ASSERT_TRUE(d == 0 || d == 1) << "bits " << bits << " x=" << as_signed(v[e]);
    }
  }
}

// Wrap terms of 3 and 5 bytes for runs of 1-9 values: the packing's
// byte-by-byte tail (and its 8-byte words from 3 values on) stays in bounds.
TEST(Rep3Trunc, ShortRunsOfOddWidthWrapTerms) {
  for (std::size_t n = 1; n <= 9; ++n) {
    const auto v = random_signed(n, std::int64_t{1} << 50, 60 + n);
    for (int bits : {18, 40}) {
      auto out = run_rep3([&](Rep3& p) { return p.reveal(p.trunc(in0(p, v), bits)); });
      for (std::size_t e = 0; e < n; ++e) {
        const std::int64_t d = as_signed(out[0][e]) - floor_shift(as_signed(v[e]), bits);
        ASSERT_TRUE(d == 0 || d == 1) << "n " << n << " bits " << bits << " x=" << as_signed(v[e]);
      }
    }
  }
}

TEST(Rep3Trunc, ExactModeIsTheFloor) {
  const int f = 16, k = 31;
  auto v = random_signed(5000, (std::int64_t{1} << (k - 1)) - 1, 23);
  for (Ring e : edge_values(k)) v.push_back(e);
  Rep3Options options;
  options.mode = TruncMode::kExact;
  auto out = run_rep3([&](Rep3& p) { return p.reveal(p.trunc(in0(p, v), f)); }, options);
  for (std::size_t e = 0; e < v.size(); ++e) ASSERT_EQ(as_signed(out[0][e]), floor_shift(as_signed(v[e]), f));
}

TEST(Rep3Trunc, FusedProductsMatchTheTwoStepReference) {
  const int f = 16;
  const std::size_t m = 6, n = 4, k = 10;
  // Fixed-point operands with |a|, |b| < 2^(k-f-1) scale: products stay in range.
  const auto a = random_signed(m * k, std::int64_t{1} << 20, 24),
             b = random_signed(k * n, std::int64_t{1} << 20, 25);
  for (TruncMode mode : {TruncMode::kProbabilistic, TruncMode::kExact}) {
    Rep3Options options;
    options.mode = mode;
    auto out = run_rep3(
        [&](Rep3& p) {
          auto x = in0(p, a), y = in0(p, b);
          auto elementwise = p.reveal(p.mul_trunc(
              p.linear(x, k * n, [&](const Ring* s, Ring* d) { std::copy(s, s + k * n, d); }), y, f));
          auto product = p.reveal(p.matmul_trunc(Trans::kNo, Trans::kNo, m, n, k, x, y, f));
          elementwise.insert(elementwise.end(), product.begin(), product.end());
          return elementwise;
        },
        options);
    for (std::size_t e = 0; e < k * n; ++e) {
      const std::int64_t d = as_signed(out[0][e]) - floor_shift(as_signed(a[e] * b[e]), f);
      ASSERT_TRUE(rounded_as(mode, d)) << e;
    }
    for (std::size_t i = 0; i < m; ++i)
      for (std::size_t j = 0; j < n; ++j) {
        Ring sum = 0;
        for (std::size_t l = 0; l < k; ++l) sum += a[i * k + l] * b[l * n + j];
        const std::int64_t d = as_signed(out[0][k * n + i * n + j]) - floor_shift(as_signed(sum), f);
        ASSERT_TRUE(rounded_as(mode, d)) << i << "," << j;
      }
  }
}

// matmuls_trunc: an unmapped product (transposed A) and a product through a
// public accumulating map, truncated together, against scalar code.
TEST(Rep3Trunc, BatchedProductsThroughPublicMapsMatchScalarReference) {
  const int f = 16;
  const std::size_t m = 5, n = 3, k = 7;
  const auto a = random_signed(k * m, std::int64_t{1} << 20, 27),  // stored k x m (op = transpose)
      b = random_signed(k * n, std::int64_t{1} << 20, 28);
  // The map folds the m x n product into m outputs (row sums, accumulating).
  auto row_sums = [&](const Ring* src, Ring* dst) {
    for (std::size_t i = 0; i < m; ++i)
      for (std::size_t j = 0; j < n; ++j) dst[i] += src[i * n + j];
  };
  std::vector<Ring> product(m * n, 0), folded(m, 0);
  for (std::size_t i = 0; i < m; ++i)
    for (std::size_t j = 0; j < n; ++j)
      for (std::size_t l = 0; l < k; ++l) product[i * n + j] += a[l * m + i] * b[l * n + j];
  row_sums(product.data(), folded.data());
  std::vector<Ring> expected = product;
  expected.insert(expected.end(), folded.begin(), folded.end());
  expect_matmuls_trunc(
      {a, b},
      [&](const std::vector<Rep3::Share>& in) {
        return Terms{{Trans::kYes, Trans::kNo, m, n, k, &in[0], &in[1], m * n, {}},
                     {Trans::kYes, Trans::kNo, m, n, k, &in[0], &in[1], m, row_sums}};
      },
      expected, f);
}

// A term of several blocks (a Winograd layer's per-point products): each
// block its own product, the map taking all of them (here the sum over the
// blocks plus, to see the order, the second block alone), with the transposes
// network C's backward uses; with and without A's zero component.
TEST(Rep3Trunc, BlockedTermsMultiplyBlockByBlockBeforeTheMap) {
  const int f = 16;
  const std::size_t blocks = 5, m = 4, n = 3, k = 6;
  const auto a = random_signed(blocks * k * m, std::int64_t{1} << 20,
                               51),                                  // blocks of k x m (op = transpose)
      b = random_signed(blocks * n * k, std::int64_t{1} << 20, 52);  // blocks of n x k (op = transpose)
  std::vector<Ring> product(blocks * m * n, 0);
  for (std::size_t blk = 0; blk < blocks; ++blk)
    for (std::size_t i = 0; i < m; ++i)
      for (std::size_t j = 0; j < n; ++j)
        for (std::size_t l = 0; l < k; ++l)
          product[(blk * m + i) * n + j] += a[blk * k * m + l * m + i] * b[blk * n * k + j * k + l];
  auto sum_and_second = [&](const Ring* src, Ring* dst) {
    for (std::size_t blk = 0; blk < blocks; ++blk)
      for (std::size_t e = 0; e < m * n; ++e) dst[e] += src[blk * m * n + e];
    std::copy_n(src + m * n, m * n, dst + m * n);
  };
  std::vector<Ring> expected(2 * m * n, 0);
  sum_and_second(product.data(), expected.data());
  for (bool general : {false, true}) {
    expect_matmuls_trunc(
        {a, b},
        [&](const std::vector<Rep3::Share>& in) {
          mpc::MatmulTerm<Rep3::Share> t{Trans::kYes, Trans::kYes,   m, n, k, &in[0], &in[1],
                                         2 * m * n,   sum_and_second};
          t.blocks = blocks;
          return Terms{t};
        },
        expected, f, {}, general);
  }
  // Operands that do not hold `blocks` blocks are refused.
  auto caught = run_rep3([&](Rep3& p) {
    auto x = in0(p, a), y = in0(p, b);
    mpc::MatmulTerm<Rep3::Share> t{Trans::kYes, Trans::kYes, m, n, k, &x, &y, 2 * m * n, sum_and_second};
    t.blocks = blocks + 1;
    try {
      p.matmuls_trunc(std::span<const mpc::MatmulTerm<Rep3::Share>>(&t, 1), f);
    } catch (const ShapeError& e) {
      return std::vector<Ring>{std::string(e.what()).find("expected 6 x 4x6") != std::string::npos};
    }
    return std::vector<Ring>{0};
  });
  for (const auto& c : caught) EXPECT_EQ(c, std::vector<Ring>{1});
}

// Products whose A is smaller than B and the reverse: the party after the
// cheap one sums the smaller operand of its two components; general path.
TEST(Rep3Trunc, ProductsSumTheSmallerOperand) {
  const int f = 16;
  for (auto [m, n] : {std::pair<std::size_t, std::size_t>{2, 30}, {30, 2}}) {
    const std::size_t k = 5;
    const auto a = random_signed(m * k, std::int64_t{1} << 20, 70 + m),
               b = random_signed(k * n, std::int64_t{1} << 20, 71 + m);
    std::vector<Ring> expected(m * n, 0);
    for (std::size_t i = 0; i < m; ++i)
      for (std::size_t j = 0; j < n; ++j)
        for (std::size_t l = 0; l < k; ++l) expected[i * n + j] += a[i * k + l] * b[l * n + j];
    // Three products, so that every party is once the one after the cheap one.
    std::vector<Ring> three = expected;
    three.insert(three.end(), expected.begin(), expected.end());
    three.insert(three.end(), expected.begin(), expected.end());
    expect_matmuls_trunc(
        {a, b},
        [&](const std::vector<Rep3::Share>& in) {
          const mpc::MatmulTerm<Rep3::Share> t{Trans::kNo, Trans::kNo, m, n, k, &in[0], &in[1], m * n, {}};
          return Terms{t, t, t};
        },
        three, f, {}, true);
  }
}

// Terms with their own shifts (a dense layer's dX at 2f and dW at f): the
// runs are truncated by 32, 16 and 32 bits, each against scalar code.
TEST(Rep3Trunc, TermsKeepTheirOwnShifts) {
  const int f = 16;
  const std::size_t m = 3, n = 4, k = 6;
  const auto a = random_signed(m * k, std::int64_t{1} << 30, 41),
             b = random_signed(k * n, std::int64_t{1} << 30, 42),
             c = random_signed(5, std::int64_t{1} << 40, 43);
  std::vector<Ring> product(m * n, 0);
  for (std::size_t i = 0; i < m; ++i)
    for (std::size_t j = 0; j < n; ++j)
      for (std::size_t l = 0; l < k; ++l) product[i * n + j] += a[i * k + l] * b[l * n + j];
  std::vector<Ring> expected = product;
  expected.insert(expected.end(), c.begin(), c.end());
  expected.insert(expected.end(), product.begin(), product.end());
  std::vector<int> shifts(m * n, 2 * f);
  shifts.insert(shifts.end(), c.size(), f);
  shifts.insert(shifts.end(), m * n, 2 * f);
  expect_matmuls_trunc(
      {a, b, c},
      [&](const std::vector<Rep3::Share>& in) {
        return Terms{{Trans::kNo, Trans::kNo, m, n, k, &in[0], &in[1], m * n, {}, nullptr, 2 * f},
                     {Trans::kNo, Trans::kNo, 0, 0, 0, nullptr, nullptr, c.size(), {}, &in[2]},
                     {Trans::kNo, Trans::kNo, m, n, k, &in[0], &in[1], m * n, {}, nullptr, 2 * f}};
      },
      expected, f, shifts);
}

// Addends: a product plus a share, and a term that is the share alone (SGD's
// momentum folded into the gradient's truncation), against scalar code.
TEST(Rep3Trunc, AddendsJoinTheBatchedTruncation) {
  const int f = 16;
  const std::size_t m = 4, n = 3, k = 5;
  const auto a = random_signed(m * k, std::int64_t{1} << 20, 31),
             b = random_signed(k * n, std::int64_t{1} << 20, 32),
             c = random_signed(m * n, std::int64_t{1} << 36, 33),
             d = random_signed(6, std::int64_t{1} << 36, 34);
  std::vector<Ring> expected(m * n, 0);
  for (std::size_t i = 0; i < m; ++i)
    for (std::size_t j = 0; j < n; ++j) {
      for (std::size_t l = 0; l < k; ++l) expected[i * n + j] += a[i * k + l] * b[l * n + j];
      expected[i * n + j] += c[i * n + j];
    }
  expected.insert(expected.end(), d.begin(), d.end());
  expect_matmuls_trunc(
      {a, b, c, d},
      [&](const std::vector<Rep3::Share>& in) {
        return Terms{{Trans::kNo, Trans::kNo, m, n, k, &in[0], &in[1], m * n, {}, &in[2]},
                     {Trans::kNo, Trans::kNo, 0, 0, 0, nullptr, nullptr, d.size(), {}, &in[3]}};
      },
      expected, f);
  // An addend of the wrong length, and a term with nothing in it, are refused.
  auto errors = run_rep3([&](Rep3& p) {
    auto x = in0(p, a), y = in0(p, b), addd = in0(p, d);
    std::vector<Ring> caught;
    const std::vector<mpc::MatmulTerm<Rep3::Share>> wrong{
        {Trans::kNo, Trans::kNo, m, n, k, &x, &y, m * n, {}, &addd}};
    try {
      p.matmuls_trunc(std::span<const mpc::MatmulTerm<Rep3::Share>>(wrong), f);
    } catch (const ShapeError& e) {
      caught.push_back(std::string(e.what()).find("addend of 6 values for 12 outputs") != std::string::npos);
    }
    const std::vector<mpc::MatmulTerm<Rep3::Share>> empty{
        {Trans::kNo, Trans::kNo, 0, 0, 0, nullptr, nullptr, 3, {}}};
    try {
      p.matmuls_trunc(std::span<const mpc::MatmulTerm<Rep3::Share>>(empty), f);
    } catch (const ShapeError& e) {
      caught.push_back(std::string(e.what()).find("neither a product nor an addend") != std::string::npos);
    }
    return caught;
  });
  for (const auto& c0 : errors) EXPECT_EQ(c0, (std::vector<Ring>{1, 1}));
}

TEST(Rep3Trunc, CostsAreFixedRoundsAndBytes) {
  const int f = 16;
  for (std::size_t n : {10u, 5000u}) {
    const auto v = random_signed(n, std::int64_t{1} << 30, 26);
    auto costs = run_rep3([&](Rep3& p) {
      auto x = in0(p, v);
      p.reveal(x);
      auto before = p.stats();
      auto y = p.trunc(x, f);
      auto trunc_cost = p.stats() - before;
      p.reveal(y);
      before = p.stats();
      auto z = p.mul_trunc(x, x, f);
      auto fused_cost = p.stats() - before;
      p.reveal(z);
      return std::vector<std::uint64_t>{trunc_cost.bytes_sent, fused_cost.bytes_sent};
    });
    // trunc: P0 sends the masked x_1 (8) and its wrap half (2); P1 its wrap
    // half (2); P2 its share of the opened part (8) and beta (2).
    EXPECT_EQ(costs[0][0], 10 * n);
    EXPECT_EQ(costs[1][0], 2 * n);
    EXPECT_EQ(costs[2][0], 10 * n);
    for (int party = 0; party < 3; ++party)
      EXPECT_EQ(costs[party][1], 10 * n) << "mul_trunc, party " << party;
  }
}

// >= 10^7 inputs including the range ends: never off by more than one unit,
// and the mean error of stochastic rounding is zero within statistical bounds.
TEST(Rep3Trunc, StochasticRoundingIsUnbiasedOverTenMillionInputs) {
  const int f = 16, k = 31;
  const std::size_t batch = 1000000, batches = 10;
  double error_sum = 0, error_sq = 0;
  std::size_t count = 0;
  for (std::size_t b = 0; b < batches; ++b) {
    auto v = random_signed(batch, (std::int64_t{1} << (k - 1)) - 1, 100 + b);
    // a slice of values near +-2^(k-1)
    const std::int64_t lim = std::int64_t{1} << (k - 1);
    for (std::size_t e = 0; e < 1000; ++e) {
      v[e] = static_cast<Ring>(lim - 1 - static_cast<std::int64_t>(e * 977));
      v[1000 + e] = static_cast<Ring>(-lim + static_cast<std::int64_t>(e * 977));
    }
    auto out = run_rep3([&](Rep3& p) { return p.reveal_to(0, p.trunc(in0(p, v), f)); });
    for (std::size_t e = 0; e < batch; ++e) {
      const std::int64_t x = as_signed(v[e]);
      const std::int64_t y = as_signed(out[0][e]);
      const std::int64_t d = y - floor_shift(x, f);
      ASSERT_TRUE(d == 0 || d == 1) << x;
      const double err = static_cast<double>(y) - std::ldexp(static_cast<double>(x), -f);
      error_sum += err;
      error_sq += err * err;
      ++count;
    }
  }
  const double mean = error_sum / count;
  const double sd = std::sqrt(error_sq / count - mean * mean);
  // Standard error of the mean; 6 sigma keeps the false-failure rate negligible.
  EXPECT_LT(std::fabs(mean), 6 * sd / std::sqrt(static_cast<double>(count)))
      << "mean " << mean << " sd " << sd;
}

}  // namespace
}  // namespace sqt::test
