// The clear emulation protocol against scalar references: truncation
// semantics (stochastic rounding unbiased, exact = floor, seeded and
// reproducible), comparison, bit decomposition, the binary domain, products.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <memory>
#include <random>
#include <vector>

#include "host/backend/backend.h"
#include "host/core/error.h"
#include "host/mpc/clear/clear.h"

namespace sqt::test {
namespace {

using mpc::Clear;
using mpc::Trans;
using mpc::TruncMode;

std::vector<Ring> random_words(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<Ring> v(n);
  for (auto& x : v) x = rng();
  return v;
}

std::vector<Ring> random_signed(std::size_t n, std::int64_t bound, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<std::int64_t> d(-bound, bound);
  std::vector<Ring> v(n);
  for (auto& x : v) x = static_cast<Ring>(d(rng));
  return v;
}

class ClearProtocol : public ::testing::Test {
 protected:
  std::unique_ptr<backend::Backend> backend_ = backend::make_backend("cpu", 1);
  Clear make(TruncMode mode, std::uint64_t seed = 1) { return Clear(*backend_, {16, 31}, mode, seed); }
};

TEST_F(ClearProtocol, InputRowsGatherTheRowsOfTheTable) {
  Clear p = make(TruncMode::kExact);
  const auto values = random_words(5 * 3, 7);
  const auto table = p.input_rows(0, mpc::rows_of_table(values, 3), 5, 3);
  const std::vector<std::uint32_t> idx = {4, 0, 4};
  std::vector<Ring> expected;
  for (std::uint32_t r : idx)
    expected.insert(expected.end(), values.begin() + r * 3, values.begin() + r * 3 + 3);
  EXPECT_EQ(p.reveal(p.gather_rows(table, idx)), expected);
  EXPECT_THROW(p.gather_rows(table, std::vector<std::uint32_t>{5}), ShapeError);
  EXPECT_THROW(p.input_rows(0, mpc::RowSource{}, 5, 3), ShapeError);  // the owner without rows
}

TEST_F(ClearProtocol, ProbabilisticTruncationIsUnbiasedStochasticRounding) {
  Clear p = make(TruncMode::kProbabilistic);
  const std::size_t n = 200000;
  for (const SignedRing v :
       {SignedRing{5 * 65536 + 16384}, SignedRing{-3 * 65536 - 49152}, SignedRing{12345}}) {
    const std::vector<Ring> x(n, static_cast<Ring>(v));
    const auto y = p.reveal(p.trunc(p.input(0, x, n), 16));
    const SignedRing lo = v >> 16;
    double sum = 0.0;
    for (Ring r : y) {
      const auto q = static_cast<SignedRing>(r);
      ASSERT_TRUE(q == lo || q == lo + 1) << q << " for " << v;
      sum += static_cast<double>(q);
    }
    // Mean within 6 standard deviations (sd of one draw <= 1/2) of v / 2^16.
    EXPECT_NEAR(sum / n, std::ldexp(static_cast<double>(v), -16), 6 * 0.5 / std::sqrt(n)) << v;
  }
}

TEST_F(ClearProtocol, TruncationOfExactMultiplesIsExact) {
  Clear p = make(TruncMode::kProbabilistic);
  const auto x = random_signed(5000, 1 << 20, 3);
  std::vector<Ring> scaled(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) scaled[i] = x[i] << 16;
  EXPECT_EQ(p.reveal(p.trunc(p.input(0, scaled, scaled.size()), 16)), x);
}

TEST_F(ClearProtocol, ExactTruncationIsFloor) {
  Clear p = make(TruncMode::kExact);
  const auto x = random_signed(5000, SignedRing{1} << 46, 4);
  const auto y = p.reveal(p.trunc(p.input(0, x, x.size()), 16));
  for (std::size_t i = 0; i < x.size(); ++i) {
    EXPECT_EQ(static_cast<SignedRing>(y[i]), static_cast<SignedRing>(std::floor(std::ldexp(
                                                 static_cast<double>(static_cast<SignedRing>(x[i])), -16))));
  }
}

TEST_F(ClearProtocol, SeedMakesTruncationReproducible) {
  const auto x = random_signed(3000, SignedRing{1} << 40, 5);
  Clear a = make(TruncMode::kProbabilistic, 42);
  Clear b = make(TruncMode::kProbabilistic, 42);
  Clear c = make(TruncMode::kProbabilistic, 43);
  const auto ya = a.reveal(a.trunc(a.input(0, x, x.size()), 16));
  EXPECT_EQ(ya, b.reveal(b.trunc(b.input(0, x, x.size()), 16)));
  EXPECT_NE(ya, c.reveal(c.trunc(c.input(0, x, x.size()), 16)));
  // The stream advances: a second call draws fresh randomness.
  EXPECT_NE(ya, a.reveal(a.trunc(a.input(0, x, x.size()), 16)));
}

TEST_F(ClearProtocol, FusedFormsEqualTheTwoSteps) {
  const auto x = random_signed(999, 1 << 20, 6);
  const auto y = random_signed(999, 1 << 20, 7);
  Clear a = make(TruncMode::kProbabilistic, 9);
  Clear b = make(TruncMode::kProbabilistic, 9);
  const auto sx = a.input(0, x, x.size());
  const auto sy = a.input(0, y, y.size());
  EXPECT_EQ(a.reveal(a.mul_trunc(sx, sy, 16)), b.reveal(b.trunc(b.mul(sx, sy), 16)));
  EXPECT_EQ(a.reveal(a.matmul_trunc(Trans::kNo, Trans::kYes, 27, 27, 37, a.input(0, x, 27 * 37),
                                    a.input(0, x, 27 * 37), 16)),
            b.reveal(b.trunc(
                b.matmul(Trans::kNo, Trans::kYes, 27, 27, 37, b.input(0, x, 27 * 37), b.input(0, x, 27 * 37)),
                16)));
}

TEST_F(ClearProtocol, MatmulMatchesScalarRingProduct) {
  Clear p = make(TruncMode::kExact);
  const std::size_t m = 9, n = 11, k = 70;
  const auto a = random_words(m * k, 8);
  const auto b = random_words(k * n, 9);
  const auto c =
      p.reveal(p.matmul(Trans::kYes, Trans::kNo, m, n, k, p.input(0, a, a.size()), p.input(0, b, b.size())));
  for (std::size_t i = 0; i < m; ++i) {
    for (std::size_t j = 0; j < n; ++j) {
      Ring acc = 0;
      for (std::size_t l = 0; l < k; ++l) acc += a[l * m + i] * b[l * n + j];
      EXPECT_EQ(c[i * n + j], acc) << i << "," << j;
    }
  }
  EXPECT_THROW(
      p.matmul(Trans::kNo, Trans::kNo, m, n, k + 1, p.input(0, a, a.size()), p.input(0, b, b.size())),
      ShapeError);
}

TEST_F(ClearProtocol, LocalOperationsMatchScalar) {
  Clear p = make(TruncMode::kExact);
  const auto x = random_words(333, 10);
  const auto y = random_words(333, 11);
  const auto sx = p.input(0, x, x.size());
  const auto sy = p.input(0, y, y.size());
  const auto add = p.reveal(p.add(sx, sy));
  const auto sub = p.reveal(p.sub(sx, sy));
  const auto neg = p.reveal(p.neg(sx));
  const auto mulp = p.reveal(p.mul_public(sx, y));
  const auto addc = p.reveal(p.add_public(sx, Ring{77}));
  const auto mul = p.reveal(p.mul(sx, sy));
  for (std::size_t i = 0; i < x.size(); ++i) {
    EXPECT_EQ(add[i], x[i] + y[i]);
    EXPECT_EQ(sub[i], x[i] - y[i]);
    EXPECT_EQ(neg[i], Ring{0} - x[i]);
    EXPECT_EQ(mulp[i], x[i] * y[i]);
    EXPECT_EQ(mul[i], x[i] * y[i]);
    EXPECT_EQ(addc[i], x[i] + 77);
  }
  const auto rev = p.reveal(p.linear(sx, 3, [&](const Ring* in, Ring* out) {
    out[0] = in[332];
    out[2] = in[0] + in[1];
  }));
  EXPECT_EQ(rev, (std::vector<Ring>{x[332], 0, x[0] + x[1]}));
  EXPECT_THROW(p.add(sx, p.zeros(3)), ShapeError);
  EXPECT_THROW(p.input(0, x, x.size() + 1), ShapeError);
}

TEST_F(ClearProtocol, LtzAndSelect) {
  Clear p = make(TruncMode::kExact);
  std::vector<Ring> x = random_signed(500, SignedRing{1} << 40, 12);
  x.push_back(0);
  x.push_back(static_cast<Ring>(SignedRing{-1}));
  x.push_back(Ring{1} << 63);
  const auto lt = p.ltz(p.input(0, x, x.size()));
  const auto got = p.reveal(lt);
  for (std::size_t i = 0; i < x.size(); ++i) EXPECT_EQ(got[i], static_cast<SignedRing>(x[i]) < 0 ? 1u : 0u);
  const auto a = random_words(x.size(), 13);
  const auto b = random_words(x.size(), 14);
  const auto sel = p.reveal(p.select(lt, p.input(0, a, a.size()), p.input(0, b, b.size())));
  for (std::size_t i = 0; i < x.size(); ++i) EXPECT_EQ(sel[i], got[i] ? a[i] : b[i]);
}

TEST_F(ClearProtocol, BitDecompositionAndBinaryDomain) {
  Clear p = make(TruncMode::kExact);
  const std::size_t n = 200;  // not a multiple of 64
  const auto x = random_signed(n, SignedRing{1} << 30, 15);
  const auto planes = p.bit_decompose(p.input(0, x, n), 31);
  ASSERT_EQ(planes.size(), 31u);
  for (int j = 0; j < 31; ++j) {
    const auto words = p.reveal_bits(planes[static_cast<std::size_t>(j)]);
    ASSERT_EQ(words.size(), (n + 63) / 64);
    for (std::size_t e = 0; e < n; ++e)
      EXPECT_EQ((words[e / 64] >> (e % 64)) & 1, (x[e] >> j) & 1) << j << "," << e;
    const auto arith = p.reveal(p.b2a(planes[static_cast<std::size_t>(j)], n));
    for (std::size_t e = 0; e < n; ++e) EXPECT_EQ(arith[e], (x[e] >> j) & 1);
  }
  const auto& a = planes[3];
  const auto& b = planes[30];
  const auto wa = p.reveal_bits(a);
  const auto wb = p.reveal_bits(b);
  const auto wand = p.reveal_bits(p.bit_and(a, b));
  const auto wxor = p.reveal_bits(p.bit_xor(a, b));
  const auto wnot = p.reveal_bits(p.bit_not(a));
  for (std::size_t w = 0; w < wa.size(); ++w) {
    EXPECT_EQ(wand[w], wa[w] & wb[w]);
    EXPECT_EQ(wxor[w], wa[w] ^ wb[w]);
    EXPECT_EQ(wnot[w], ~wa[w]);
  }
  EXPECT_THROW(p.b2a(a, 64 * wa.size() + 1), ShapeError);
}

TEST_F(ClearProtocol, CountsNothing) {
  Clear p = make(TruncMode::kProbabilistic);
  const auto x = random_signed(100, 1000, 16);
  p.trunc(p.mul(p.input(0, x, x.size()), p.input(0, x, x.size())), 16);
  EXPECT_EQ(p.rounds(), 0u);
  EXPECT_EQ(p.bytes_sent(), 0u);
}

}  // namespace
}  // namespace sqt::test
