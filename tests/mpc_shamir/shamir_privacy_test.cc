// What t parties see: the joint distribution of their shares is uniform
// whatever the secret (inputs, reduced products, daBits, edaBit masks), while
// t + 1 shares are not (the control that shows the test can fail); the
// random bits are fair. Chi-square tests on 256 bins (255 degrees of
// freedom: mean 255, standard deviation 22.6; the bound 400 is 6.4 of them).
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <vector>

#include "tests/mpc_shamir/shamir_test_util.h"

namespace sqt::test {
namespace {

using mpc::Shamir;
constexpr double kChiBound = 400;

// The 8-bit pattern of bit `bit` of the four coefficients of the shares of
// parties who[0], who[1] (4 bits each) for element e.
unsigned pattern(const std::vector<Shamir::Share>& shares, const std::array<int, 2>& who, std::size_t e, int bit) {
  unsigned v = 0;
  for (int q = 0; q < 2; ++q)
    for (int j = 0; j < 4; ++j) v = v << 1 | static_cast<unsigned>(shares[static_cast<std::size_t>(who[q])].part[j][e] >> bit & 1);
  return v;
}

double chi_square(const std::vector<Shamir::Share>& shares, const std::array<int, 2>& who, int bit) {
  const std::size_t len = shares[0].size();
  std::array<double, 256> count{};
  for (std::size_t e = 0; e < len; ++e) ++count[pattern(shares, who, e, bit)];
  const double expect = static_cast<double>(len) / 256;
  double chi = 0;
  for (const double c : count) chi += (c - expect) * (c - expect) / expect;
  return chi;
}

// Every party's share of a sharing made by `make` (values revealed too).
template <class F>
std::vector<Shamir::Share> shares_of(int n, F&& make) {
  return run_shamir(n, [&](Shamir& p) { return make(p); });
}

constexpr std::size_t kSamples = 8192;

TEST(ShamirPrivacy, TwoSharesOfFiveRevealNothingAboutInputsOrProducts) {
  for (const Ring secret : {Ring{0}, Ring{1}, (Ring{1} << 63) | 12345}) {
    const std::vector<Ring> values(kSamples, secret);
    const auto inputs = shares_of(5, [&](Shamir& p) { return p.input(4, owned_by(p, 4, values), kSamples); });
    const auto products = shares_of(5, [&](Shamir& p) {
      const auto x = p.input(4, owned_by(p, 4, values), kSamples);
      return p.mul(x, x);
    });
    for (const std::array<int, 2> who : {std::array{0, 1}, std::array{3, 4}, std::array{1, 3}}) {
      for (const int bit : {0, 1, 63}) {
        EXPECT_LT(chi_square(inputs, who, bit), kChiBound) << "input, secret " << secret << " bit " << bit;
        EXPECT_LT(chi_square(products, who, bit), kChiBound) << "product, secret " << secret << " bit " << bit;
      }
    }
  }
}

// At n = 3 (t = 1) two shares reconstruct: their low bits follow the
// secret's low bit, and the same statistic is far above the bound.
TEST(ShamirPrivacy, OneShareOfThreeIsUniformTwoAreNot) {
  const std::vector<Ring> zeros(kSamples, 0);
  const auto shares = shares_of(3, [&](Shamir& p) { return p.input(2, owned_by(p, 2, zeros), kSamples); });
  EXPECT_GT(chi_square(shares, {0, 1}, 0), 10 * kChiBound);  // t + 1 = 2 shares: determined
  // One share (pattern of party 1 with itself is 4 distinct bits doubled):
  std::array<double, 16> count{};
  for (std::size_t e = 0; e < kSamples; ++e) ++count[pattern(shares, {1, 1}, e, 0) & 15];
  double chi = 0;
  for (const double c : count) chi += (c - kSamples / 16.0) * (c - kSamples / 16.0) / (kSamples / 16.0);
  EXPECT_LT(chi, 15 + 6 * 5.5);  // 15 degrees of freedom
}

TEST(ShamirPrivacy, RandomBitsAreFairAndTheirSharesUniform) {
  for (const int n : {3, 5, 10}) {
    const auto out = run_shamir(n, [&](Shamir& p) {
      const auto d = p.dabits(kSamples);
      return std::make_pair(d, p.reveal(d));
    });
    std::size_t ones = 0;
    for (const Ring v : out[0].second) {
      ASSERT_LE(v, 1u);
      ones += v;
    }
    // Binomial(8192, 1/2): standard deviation 45; 6 of them.
    EXPECT_NEAR(static_cast<double>(ones), kSamples / 2.0, 6 * 45.3) << n << " parties";
    std::vector<Shamir::Share> shares;
    for (const auto& r : out) shares.push_back(r.first);
    if (n >= 5) {  // t >= 2: two parties' shares are uniform
      EXPECT_LT(chi_square(shares, {0, n - 1}, 0), kChiBound) << n;
      EXPECT_LT(chi_square(shares, {0, n - 1}, 40), kChiBound) << n;
    }
  }
}

// random_int's values are uniform in [0, 2^bits): chi-square over 256 bins.
TEST(ShamirPrivacy, RandomIntegersAreUniform) {
  for (const int n : {3, 10}) {
    const auto v = agreed(run_shamir(n, [&](Shamir& p) { return p.reveal(p.random_int(kSamples, 8)); }));
    std::array<double, 256> count{};
    for (const Ring x : v) {
      ASSERT_LT(x, 256u);
      ++count[x];
    }
    double chi = 0;
    for (const double c : count) chi += (c - kSamples / 256.0) * (c - kSamples / 256.0) / (kSamples / 256.0);
    EXPECT_LT(chi, kChiBound) << n << " parties";
  }
}

}  // namespace
}  // namespace sqt::test
