// The layers' products truncate without the masks' carries into bit b
// (ProductRounding::kUnbiased, the default in probabilistic mode): every
// result lies in floor(x / 2^b) + product_error(), and the mean error over
// many elements is -t 2^-(b+1) ulp (docs/PROTOCOLS.md, shamir
// "Truncation"), checked against the exact quotient in 128-bit integers.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "tests/mpc_shamir/shamir_test_util.h"

namespace sqt::test {
namespace {

using mpc::ProductRounding;
using mpc::Shamir;
using mpc::Trans;

class ShamirProductRounding : public ::testing::TestWithParam<int> {};

TEST_P(ShamirProductRounding, ErrorWithinItsRangeAndMeanAsDerived) {
  const int n = GetParam(), t = (n - 1) / 2;
  const std::size_t len = std::size_t{1} << 13;
  auto a = random_ring(len, 91 + static_cast<std::uint64_t>(n));
  for (auto& v : a) v = static_cast<Ring>(static_cast<SignedRing>(v) >> 3);  // |x| < 2^60
  for (const int b : {1, 16, 40}) {
    // x times a shared 1x1 matrix holding the ring element 1, so the
    // product is x and only the truncation rounds.
    const std::vector<Ring> one = {1};
    const auto out = agreed(run_shamir(n, [&](Shamir& p) {
      EXPECT_EQ(p.product_rounding(), ProductRounding::kUnbiased);
      const auto x = p.input(0, owned_by(p, 0, a), len);
      const auto e = p.input(1, owned_by(p, 1, one), 1);
      auto v = p.reveal(p.matmul_trunc(Trans::kNo, Trans::kNo, len, 1, 1, x, e, b));
      const auto range = p.product_error();
      v.push_back(static_cast<Ring>(static_cast<SignedRing>(range.lo)));
      v.push_back(static_cast<Ring>(static_cast<SignedRing>(range.hi)));
      return v;
    }));
    ASSERT_EQ(out.size(), len + 2);
    const auto lo = static_cast<SignedRing>(out[len]), hi = static_cast<SignedRing>(out[len + 1]);
    EXPECT_EQ(lo, -(t + 1) / 2);
    EXPECT_EQ(hi, 1 + (t + 1) / 2);
    double sum = 0;
    for (std::size_t i = 0; i < len; ++i) {
      const auto x = static_cast<SignedRing>(a[i]);
      const SignedRing floor = x >> b;
      const auto q = static_cast<SignedRing>(out[i]);
      EXPECT_TRUE(q >= floor + lo && q <= floor + hi)
          << "b " << b << " element " << i << ": " << q << " vs " << floor;
      // Error against the exact quotient x / 2^b (long double holds 2^60 / 2^b exactly enough).
      const long double exact = static_cast<long double>(x) / std::ldexp(1.0L, b);
      sum += static_cast<double>(static_cast<long double>(q) - exact);
    }
    // The variance of u + C_b (+ the coin at odd t) is below 1/4 + (t + 1) / 12 + 1/4.
    const double mean = sum / static_cast<double>(len), expected = -t * std::ldexp(1.0, -(b + 1));
    const double sigma = std::sqrt((0.5 + (t + 1) / 12.0) / static_cast<double>(len));
    EXPECT_NEAR(mean, expected, 6 * sigma) << n << " parties, b " << b;
  }
}

// Exact mode and ProductRounding::kAsTrunc keep trunc's rounding: floor,
// or floor or floor + 1.
TEST_P(ShamirProductRounding, AsTruncAndExactModeKeepTruncsRounding) {
  const int n = GetParam();
  const std::size_t len = 300;
  auto a = random_ring(len, 5);
  for (auto& v : a) v = static_cast<Ring>(static_cast<SignedRing>(v) >> 3);
  const std::vector<Ring> one = {1};
  for (const auto mode : {mpc::TruncMode::kProbabilistic, mpc::TruncMode::kExact}) {
    const auto out = agreed(run_parties(n, [&](net::Network& network) {
      auto backend = backend::make_backend("cpu", 1);
      Shamir p(network, *backend, FixedParams{16, 31}, mode, 17, ProductRounding::kAsTrunc);
      EXPECT_EQ(p.product_rounding(), ProductRounding::kAsTrunc);
      const auto x = p.input(0, owned_by(p, 0, a), len);
      const auto e = p.input(1, owned_by(p, 1, one), 1);
      return p.reveal(p.matmul_trunc(Trans::kNo, Trans::kNo, len, 1, 1, x, e, 16));
    }));
    for (std::size_t i = 0; i < len; ++i) expect_truncated(out[i], a[i], 16, mode, i);
  }
}

INSTANTIATE_TEST_SUITE_P(Parties, ShamirProductRounding, ::testing::Values(3, 4, 5, 10));

}  // namespace
}  // namespace sqt::test
