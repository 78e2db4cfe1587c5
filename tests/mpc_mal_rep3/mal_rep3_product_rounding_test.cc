// mal-rep3's products truncated without the masks' carry
// (ProductRounding::kUnbiased, the default in probabilistic mode): every
// result within [-1, +2] ulp of floor(x / 2^b), [-1, +1] on multiples of
// 2^b; mean error 0 and mean squared error (1 - 4^-b) / 3 ulp^2 over many
// elements; the opening and mask MAC are all it sends. kAsTrunc and exact
// mode keep trunc's rounding.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "tests/mpc_mal_rep3/mal_rep3_test_util.h"

namespace sqt::test {
namespace {

using mpc::MalRep3;
using mpc::ProductRounding;
using mpc::Trans;

// matmuls_trunc of one addend-only term: the products' truncation of x.
MalRep3::Share product_trunc(MalRep3& p, const MalRep3::Share& x, int bits) {
  mpc::MatmulTerm<MalRep3::Share> term;
  term.out_n = x.size();
  term.addend = &x;
  return p.matmuls_trunc(std::span<const mpc::MatmulTerm<MalRep3::Share>>(&term, 1), bits);
}

// Values in the truncation range, every fourth a multiple of 2^b (both
// signs) and some zeros.
std::vector<R128> trunc_inputs(std::size_t n, int bits, std::uint64_t seed) {
  auto a = random_signed(n, (std::int64_t{1} << 61) - 1, seed);
  for (std::size_t e = 0; e < n; e += 4) a[e] = (a[e] >> bits) << bits;
  for (std::size_t e = 1; e < n; e += 97) a[e] = 0;
  return a;
}

// The error e = y - x / 2^b is in (-2, 2], so its mean over n elements has
// standard deviation at most sqrt(E[e^2] / n) and the mean of e^2 at most
// sqrt(4 E[e^2] / n); the bounds are 6 of those (E[e^2] < 1/3). The runs
// are deterministic (seeded keys and data), so they cannot flake; 6 sigma
// says a correct protocol passes for almost every seed.
TEST(MalRep3ProductRounding, ErrorWithinMinusOneToTwoUlpAndUnbiased) {
  constexpr std::size_t n = std::size_t{1} << 16;
  for (int bits : {1, 16, 40}) {
    const auto a = trunc_inputs(n, bits, 40 + bits);
    const auto out = run_mal_rep3(
        [&](MalRep3& p) { return p.reveal(product_trunc(p, p.input(0, owned_by(p, 0, a), n), bits)); });
    double sum = 0, sum_sq = 0;
    for (std::size_t e = 0; e < n; ++e) {
      const S128 fl = floor_shift(as_signed(a[e]), bits);
      const S128 d = as_signed(out[1][e]) - fl;
      const double frac = static_cast<double>(as_signed(a[e]) - (fl << bits)) / std::ldexp(1.0, bits);
      if (frac == 0) {
        ASSERT_TRUE(d >= -1 && d <= 1) << "bits " << bits << ", element " << e << " (a multiple of 2^b)";
      } else {
        ASSERT_TRUE(d >= -1 && d <= 2) << "bits " << bits << ", element " << e;
      }
      const double err = static_cast<double>(d) - frac;
      sum += err;
      sum_sq += err * err;
    }
    const double third = 1.0 / 3;
    EXPECT_LT(std::abs(sum / n), 6 * std::sqrt(third / n)) << "bits " << bits << ": mean error " << sum / n;
    const double want_sq = (1 - std::ldexp(1.0, -2 * bits)) / 3;
    EXPECT_LT(std::abs(sum_sq / n - want_sq), 6 * std::sqrt(4 * third / n))
        << "bits " << bits << ": mean squared error " << sum_sq / n << ", expected " << want_sq;
  }
}

// matmul_trunc against a triple loop, every transposition.
TEST(MalRep3ProductRounding, MatmulTruncWithinMinusOneToTwoUlp) {
  const std::size_t m = 6, n = 5, k = 40;
  const auto a = random_signed(m * k, 1 << 24, 50), b = random_signed(k * n, 1 << 24, 51);
  for (Trans ta : {Trans::kNo, Trans::kYes}) {
    for (Trans tb : {Trans::kNo, Trans::kYes}) {
      const auto out = run_mal_rep3([&](MalRep3& p) {
        const auto x = p.input(0, owned_by(p, 0, a), m * k);
        const auto y = p.input(2, owned_by(p, 2, b), k * n);
        return p.reveal(p.matmul_trunc(ta, tb, m, n, k, x, y, 16));
      });
      for (std::size_t i = 0; i < m; ++i) {
        for (std::size_t j = 0; j < n; ++j) {
          S128 dot = 0;
          for (std::size_t l = 0; l < k; ++l) {
            const R128 av = ta == Trans::kNo ? a[i * k + l] : a[l * m + i];
            const R128 bv = tb == Trans::kNo ? b[l * n + j] : b[j * k + l];
            dot += as_signed(av) * as_signed(bv);
          }
          const S128 d = as_signed(out[0][i * n + j]) - floor_shift(dot, 16);
          EXPECT_TRUE(d >= -1 && d <= 2) << i << "," << j << ": " << static_cast<long>(d);
        }
      }
    }
  }
}

// kAsTrunc (and exact mode, whatever was asked) keep trunc's rounding: the
// product truncation of a multiple of 2^b is exact.
TEST(MalRep3ProductRounding, AsTruncAndExactModeKeepTruncsRounding) {
  constexpr std::size_t n = 2000;
  const int bits = 16;
  const auto a = trunc_inputs(n, bits, 60);
  for (auto mode : {mpc::TruncMode::kProbabilistic, mpc::TruncMode::kExact}) {
    MalRep3Options options;
    options.mode = mode;
    options.products =
        mode == mpc::TruncMode::kExact ? ProductRounding::kUnbiased : ProductRounding::kAsTrunc;
    const auto out = run_mal_rep3(
        [&](MalRep3& p) {
          EXPECT_EQ(mpc::product_rounding(p), ProductRounding::kAsTrunc);
          return p.reveal(product_trunc(p, p.input(0, owned_by(p, 0, a), n), bits));
        },
        options);
    for (std::size_t e = 0; e < n; ++e) {
      const S128 fl = floor_shift(as_signed(a[e]), bits);
      const S128 d = as_signed(out[0][e]) - fl;
      if (mode == mpc::TruncMode::kExact || fl << bits == as_signed(a[e]))
        ASSERT_EQ(d, 0) << "element " << e;
      else
        ASSERT_TRUE(d == 0 || d == 1) << "element " << e;
    }
  }
  EXPECT_EQ(run_mal_rep3([](MalRep3& p) { return mpc::product_rounding(p); })[0], ProductRounding::kUnbiased);
}

// The products' truncation sends the opening and the mask MAC, 32 bytes per
// element in one round, after the product's (or the addends') replication,
// 32 bytes in one round: 64 bytes and 2 rounds per element (trunc with the
// masks' carry alone: 14992 bytes and 11 rounds for 64 elements,
// mal_rep3_basic_test.cc). No AND gates, so the next verify() has five rounds.
TEST(MalRep3ProductRounding, MessageCosts) {
  constexpr std::size_t kN = 64;
  const auto a = random_signed(kN, 1 << 20, 61);
  const auto out = run_mal_rep3([&](MalRep3& p) {
    const auto x = p.input(0, owned_by(p, 0, a), kN);
    p.verify();
    const auto s0 = p.stats();
    const auto y = product_trunc(p, x, 16);
    const auto s1 = p.stats();
    const auto z = p.matmul_trunc(Trans::kNo, Trans::kNo, 8, 8, 1, block_of(x, 0, 8), block_of(x, 8, 8), 16);
    const auto s2 = p.stats();
    p.verify();
    const auto s3 = p.stats();
    return std::vector<net::TrafficStats>{s1 - s0, s2 - s1, s3 - s2};
  });
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(out[i][0].bytes_sent, 64 * kN) << "party " << i;  // replication 32, truncation 32
    EXPECT_EQ(out[i][0].rounds, 2u);
    EXPECT_EQ(out[i][1].bytes_sent, 64 * kN) << "party " << i;  // product 32, truncation 32
    EXPECT_EQ(out[i][1].rounds, 2u);
    EXPECT_EQ(out[i][2].rounds, 5u);
  }
}

}  // namespace
}  // namespace sqt::test
