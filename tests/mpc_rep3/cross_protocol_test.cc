// The clear emulation as rep3's oracle: with exact truncation every
// fixed-point function reveals bit-identical results on both protocols for
// the same inputs (docs/PROTOCOLS.md, "The clear emulation protocol"), and
// both honour the same exactness contract (ExactBits, host/mpc/protocol.h):
// ltz agrees bit for bit inside and outside its k-bit range, bit_decompose
// on every ring value.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "host/backend/backend.h"
#include "host/mpc/clear/clear.h"
#include "host/mpc/fixed/fixed.h"
#include "tests/mpc_rep3/rep3_test_util.h"

namespace sqt::test {
namespace {

using mpc::Clear;
using mpc::Rep3;
using mpc::Trans;
using mpc::TruncMode;
namespace fx = mpc::fx;

constexpr FixedParams kFp{16, 31};

template <class P>
typename P::Share owned(P& p, const std::vector<Ring>& v) {
  return p.input(0, p.party() == 0 ? std::span<const Ring>(v) : std::span<const Ring>(), v.size());
}

std::vector<Ring> encode(const std::vector<double>& xs) {
  std::vector<Ring> out(xs.size());
  for (std::size_t i = 0; i < xs.size(); ++i) out[i] = encode_fixed(xs[i], kFp.f);
  return out;
}

std::vector<double> uniform(std::size_t n, double lo, double hi, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> d(lo, hi);
  std::vector<double> out(n);
  for (auto& v : out) v = d(rng);
  return out;
}

// Positives log-uniform in [lo, hi], with alternating signs if `both_signs`.
std::vector<double> log_uniform(std::size_t n, double lo, double hi, std::uint64_t seed, bool both_signs) {
  auto u = uniform(n, std::log2(lo), std::log2(hi), seed);
  for (std::size_t i = 0; i < n; ++i) u[i] = (both_signs && i % 2 == 1 ? -1.0 : 1.0) * std::exp2(u[i]);
  return u;
}

void append(std::vector<Ring>& all, const std::vector<Ring>& v) { all.insert(all.end(), v.begin(), v.end()); }

// Revealed values of one body on both protocols, and what the emulator
// counted outside the exactness contract.
struct Both {
  std::vector<Ring> clear, rep3;
  mpc::RangeViolations violations;
};

// body(p) -> revealed values, on Clear and on rep3 (three parties over the
// FakeNetwork), both with `mode`; expects the three parties to agree.
template <class Body>
Both on_both(Body&& body, TruncMode mode = TruncMode::kExact) {
  auto backend = backend::make_backend("cpu", 1);
  Clear clear(*backend, kFp, mode, 3);
  Both out;
  out.clear = body(clear);
  out.violations = clear.range_violations();
  auto r = run_rep3([&](Rep3& p) { return body(p); }, Rep3Options{kFp, mode, 11});
  EXPECT_EQ(r[0], r[1]) << "rep3 parties 0 and 1 disagree";
  EXPECT_EQ(r[0], r[2]) << "rep3 parties 0 and 2 disagree";
  out.rep3 = std::move(r[0]);
  return out;
}

// Bit-identical, reported at the first difference; the inputs (inside each
// function's documented domain) kept every ltz, bit_decompose and trunc
// inside the contract.
void expect_identical(const Both& got, const std::string& what) {
  EXPECT_EQ(got.violations.ltz, 0u) << what;
  EXPECT_EQ(got.violations.bit_decompose, 0u) << what;
  EXPECT_EQ(got.violations.trunc, 0u) << what;
  ASSERT_EQ(got.clear.size(), got.rep3.size()) << what;
  ASSERT_FALSE(got.clear.empty()) << what;
  for (std::size_t i = 0; i < got.clear.size(); ++i) {
    ASSERT_EQ(got.clear[i], got.rep3[i])
        << what << ": clear and rep3 differ at element " << i << " of " << got.clear.size();
  }
}

TEST(CrossProtocol, ContractsAreTheSame) {
  auto backend = backend::make_backend("cpu", 1);
  Clear clear(*backend, kFp, TruncMode::kExact, 1);
  auto r = run_rep3([&](Rep3& p) {
    const mpc::ExactBits e = p.exact_bits();
    return std::vector<int>{e.ltz, e.bit_decompose, e.trunc};
  });
  const mpc::ExactBits c = clear.exact_bits();
  EXPECT_EQ(r[0], (std::vector<int>{c.ltz, c.bit_decompose, c.trunc}));
  EXPECT_EQ(c.ltz, kFp.k);
  static_assert(Clear::kTruncExactBits == Rep3::kTruncExactBits);
  static_assert(Clear::kBitDecomposeExactBits == Rep3::kBitDecomposeExactBits);
}

// Random full-width values (nearly all outside the k-bit range), values
// inside it and the range's ends: clear's ltz is rep3's, bit for bit, for
// several k; so is ltz_factor's bit.
TEST(CrossProtocol, LtzAgreesInsideAndOutsideTheRange) {
  for (const int k : {31, 24, 62}) {
    const FixedParams fp{16, k};
    std::vector<Ring> x = random_ring(700, 40 + static_cast<std::uint64_t>(k));
    append(x, random_signed(700, k >= 64 ? INT64_MAX : (std::int64_t{1} << (k - 1)) - 1, 41));
    for (std::int64_t d = -2; d <= 2; ++d) {
      const Ring top = k >= 64 ? Ring{1} << 63 : Ring{1} << (k - 1);
      x.push_back(top + static_cast<Ring>(d));
      x.push_back(Ring{0} - top + static_cast<Ring>(d));
    }
    auto backend = backend::make_backend("cpu", 1);
    Clear clear(*backend, fp, TruncMode::kExact, 1);
    const auto want = clear.reveal(clear.ltz(clear.input(0, x, x.size())));
    std::size_t outside = 0;
    for (std::size_t i = 0; i < x.size(); ++i) outside += mpc::in_exact_range(x[i], k) ? 0 : 1;
    EXPECT_EQ(clear.range_violations().ltz, outside);
    if (k < 64) {
      EXPECT_GT(outside, 500u) << "the test must reach outside the range";
    }
    auto r = run_rep3(
        [&](Rep3& p) {
          const auto sx = owned(p, x);
          auto lt = p.reveal(p.ltz(sx));
          append(lt, p.reveal(fx::factor_value(p, p.ltz_factor(sx))));
          return lt;
        },
        Rep3Options{fp, TruncMode::kExact, 13});
    ASSERT_EQ(r[0].size(), 2 * x.size());
    for (std::size_t i = 0; i < x.size(); ++i) {
      ASSERT_EQ(r[0][i], want[i]) << "k " << k << " ltz of " << static_cast<std::int64_t>(x[i]);
      ASSERT_EQ(r[0][x.size() + i], want[i])
          << "k " << k << " ltz_factor of " << static_cast<std::int64_t>(x[i]);
    }
  }
}

// bit_decompose of full-width values: every bit of every value on both.
TEST(CrossProtocol, BitDecomposeAgreesOnEveryRingValue) {
  const std::vector<Ring> x = random_ring(300, 50);
  const auto got = on_both([&](auto& p) {
    std::vector<Ring> all;
    for (const auto& plane : p.bit_decompose(owned(p, x), 64)) append(all, p.reveal_bits(plane));
    return all;
  });
  expect_identical(got, "bit_decompose");
  const std::size_t words = (x.size() + 63) / 64;
  for (std::size_t e = 0; e < x.size(); ++e)
    for (std::size_t j = 0; j < 64; ++j)
      ASSERT_EQ((got.rep3[j * words + e / 64] >> (e % 64)) & 1, (x[e] >> j) & 1) << e << " bit " << j;
}

TEST(CrossProtocol, TruncMulMatmulAreIdenticalInExactMode) {
  const auto a = encode(uniform(500, -100, 100, 1));
  const auto b = encode(uniform(500, -100, 100, 2));
  const auto big = random_signed(500, std::int64_t{1} << 61, 3);  // near the truncation range's end
  expect_identical(on_both([&](auto& p) {
                     auto out = p.reveal(p.trunc(owned(p, big), 16));
                     append(out, p.reveal(p.trunc(owned(p, big), 3)));
                     return out;
                   }),
                   "trunc");
  expect_identical(on_both([&](auto& p) { return p.reveal(fx::mul(p, owned(p, a), owned(p, b))); }), "mul");
  const std::size_t m = 7, n = 5, k = 33;
  const auto ma = encode(uniform(m * k, -4, 4, 4));
  const auto mb = encode(uniform(k * n, -4, 4, 5));
  for (int variant = 0; variant < 4; ++variant) {
    const auto ta = (variant & 1) ? Trans::kYes : Trans::kNo;
    const auto tb = (variant & 2) ? Trans::kYes : Trans::kNo;
    expect_identical(on_both([&](auto& p) {
                       return p.reveal(fx::matmul(p, ta, tb, m, n, k, owned(p, ma), owned(p, mb)));
                     }),
                     "matmul variant " + std::to_string(variant));
  }
}

TEST(CrossProtocol, ComparisonsAreIdentical) {
  std::vector<double> xs = uniform(600, -1000, 1000, 6);
  for (std::size_t i = 0; i < 40; ++i) xs[i] = 0.0;  // ties and zeros
  const auto x = encode(xs);
  expect_identical(on_both([&](auto& p) { return p.reveal(fx::ltz(p, owned(p, x))); }), "ltz");
  expect_identical(on_both([&](auto& p) {
                     const auto r = fx::relu(p, owned(p, x));
                     auto out = p.reveal(r.y);
                     append(out, p.reveal(fx::factor_value(p, r.mask)));
                     return out;
                   }),
                   "relu");
  // 2x2 windows, stride 2, over 10 x 12 single-channel values (with ties).
  std::vector<std::uint32_t> windows;
  for (std::uint32_t r = 0; r < 10; r += 2)
    for (std::uint32_t c = 0; c < 12; c += 2)
      for (std::uint32_t dr = 0; dr < 2; ++dr)
        for (std::uint32_t dc = 0; dc < 2; ++dc) windows.push_back((r + dr) * 12 + c + dc);
  const std::vector<Ring> pool(x.begin(), x.begin() + 120);
  expect_identical(on_both([&](auto& p) {
                     const auto r = fx::max_windows(p, owned(p, pool), windows, 4);
                     auto out = p.reveal(r.max);
                     append(out, p.reveal(r.onehot));
                     return out;
                   }),
                   "max_windows");
}

TEST(CrossProtocol, ExpAndSoftmaxAreIdentical) {
  auto xs = uniform(500, -20, 9.5, 7);
  xs[0] = 0.0;
  const auto x = encode(xs);
  expect_identical(on_both([&](auto& p) { return p.reveal(fx::exp(p, owned(p, x))); }), "exp");
  auto ns = uniform(500, -30, 0, 8);
  ns[0] = 0.0;
  ns[1] = -std::ldexp(1.0, -16);
  const auto nx = encode(ns);
  expect_identical(on_both([&](auto& p) { return p.reveal(fx::exp_nonpositive(p, owned(p, nx))); }),
                   "exp_nonpositive");
  const std::size_t rows = 40, cols = 10;
  const auto logits = encode(uniform(rows * cols, -8, 8, 9));
  expect_identical(on_both([&](auto& p) { return p.reveal(fx::softmax(p, owned(p, logits), rows, cols)); }),
                   "softmax");
}

TEST(CrossProtocol, ReciprocalDivInvsqrtLogAreIdentical) {
  const auto r = encode(log_uniform(400, std::ldexp(1.0, -8), std::ldexp(1.0, 12), 10, true));
  expect_identical(on_both([&](auto& p) { return p.reveal(fx::reciprocal(p, owned(p, r))); }), "reciprocal");
  const auto num = encode(uniform(400, -50, 50, 11));
  const auto den = encode(log_uniform(400, 0.5, 100, 12, true));
  expect_identical(on_both([&](auto& p) { return p.reveal(fx::div(p, owned(p, num), owned(p, den))); }),
                   "div");
  const auto sums = encode(uniform(400, 1, 10, 13));
  expect_identical(
      on_both([&](auto& p) { return p.reveal(fx::reciprocal_in_range(p, owned(p, sums), 1.0, 10.0)); }),
      "reciprocal_in_range");
  const auto pos = encode(log_uniform(400, std::ldexp(1.0, -14), std::ldexp(1.0, 13.9), 14, false));
  expect_identical(on_both([&](auto& p) { return p.reveal(fx::invsqrt(p, owned(p, pos))); }), "invsqrt");
  expect_identical(on_both([&](auto& p) { return p.reveal(fx::sqrt(p, owned(p, pos))); }), "sqrt");
  const auto lg = encode(log_uniform(400, std::ldexp(1.0, -12), std::ldexp(1.0, 13.9), 15, false));
  expect_identical(on_both([&](auto& p) { return p.reveal(fx::log(p, owned(p, lg))); }), "log");
}

// With probabilistic truncation the rounding draws differ (clear's seeded
// stream, rep3's joint masks), so results may differ by the rounding only:
// here one unit per truncated product.
TEST(CrossProtocol, ProbabilisticMulDiffersByTheRoundingOnly) {
  const auto a = encode(uniform(2000, -100, 100, 16));
  const auto b = encode(uniform(2000, -100, 100, 17));
  const auto got = on_both([&](auto& p) { return p.reveal(fx::mul(p, owned(p, a), owned(p, b))); },
                           TruncMode::kProbabilistic);
  std::size_t differ = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto d = static_cast<std::int64_t>(got.clear[i] - got.rep3[i]);
    ASSERT_LE(std::abs(d), 1) << i;
    differ += d != 0;
  }
  EXPECT_GT(differ, 0u) << "independent rounding draws never differed";
}

}  // namespace
}  // namespace sqt::test
