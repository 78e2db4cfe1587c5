// The clear emulation protocol against scalar references: truncation
// semantics (stochastic rounding unbiased, exact = floor, seeded and
// reproducible), comparison, bit decomposition, the binary domain, products.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <random>
#include <vector>

#include "host/backend/backend.h"
#include "host/core/error.h"
#include "host/mpc/clear/clear.h"
#include "host/mpc/fixed/exp.h"

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

// The shifts rep3 refuses (outside [1, 61]) are refused here too, through
// every truncating operation, and the boundary shifts work.
TEST_F(ClearProtocol, RefusesTheShiftsRep3Refuses) {
  for (const TruncMode mode : {TruncMode::kExact, TruncMode::kProbabilistic}) {
    Clear p = make(mode);
    // The last value is outside the 63-bit range, so a truncation that ran
    // before its refusal would be seen in the counts.
    const std::vector<Ring> x{Ring{5} << 40, Ring{0} - (Ring{3} << 20), Ring{1} << 62};
    const std::vector<Ring> one{1};
    const auto sx = p.input(0, x, x.size());
    const auto s1 = p.input(0, one, 1);
    for (const int bad : {-1, 0, 62, 63, 64}) {
      EXPECT_THROW(p.trunc(sx, bad), ShapeError) << bad;
      EXPECT_THROW(p.mul_trunc(sx, sx, bad), ShapeError) << bad;
      EXPECT_THROW(p.matmul_trunc(Trans::kNo, Trans::kNo, x.size(), 1, 1, sx, s1, bad), ShapeError) << bad;
      std::vector<mpc::MatmulTerm<Clear::Share>> terms(2);
      terms[0].out_n = terms[1].out_n = x.size();
      terms[0].addend = terms[1].addend = &sx;
      EXPECT_THROW(p.matmuls_trunc(terms, bad), ShapeError) << bad;
      if (bad <= 0) continue;  // a term's shift <= 0 means the call's
      terms[1].bits = bad;     // one term's own shift, after a valid one
      EXPECT_THROW(p.matmuls_trunc(terms, 16), ShapeError) << bad;
    }
    // Refused work counts nothing: term lists are checked before any work.
    EXPECT_EQ(p.range_violations(), mpc::RangeViolations{});
    EXPECT_EQ(p.reveal(p.trunc(sx, 1)).size(), x.size());
    EXPECT_EQ(p.take_range_violations().trunc, 1u);
    const auto y = p.reveal(p.trunc(sx, 61));
    EXPECT_LE(static_cast<SignedRing>(y[0]), 1);
    EXPECT_GE(static_cast<SignedRing>(y[1]), -1);
  }
}

// Nothing is communicated: stats() is all zeros after interactive work.
TEST_F(ClearProtocol, StatsAreZero) {
  Clear p = make(TruncMode::kProbabilistic);
  const auto x = random_signed(100, SignedRing{1} << 30, 9);
  const auto sx = p.input(0, x, x.size());
  p.reveal(p.mul_trunc(sx, sx, 16));
  p.reveal(p.ltz(sx));
  const mpc::CommStats s = p.stats();
  EXPECT_EQ(s.bytes_sent, 0u);
  EXPECT_EQ(s.bytes_received, 0u);
  EXPECT_EQ(s.messages_sent, 0u);
  EXPECT_EQ(s.rounds, 0u);
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

// The fused forms against scalar floors (exact), and within one of them
// drawing the very stream the two steps draw (probabilistic).
TEST_F(ClearProtocol, FusedFormsMatchScalarTruncatedProducts) {
  const std::size_t m = 27, n = 23, k = 37;
  const auto x = random_signed(m * k, 1 << 20, 6);
  const auto y = random_signed(m * k, 1 << 20, 7);
  const auto b = random_signed(k * n, 1 << 20, 8);
  const auto addend = random_signed(m * n, SignedRing{1} << 40, 9);
  auto floor_shift = [](__int128 v, int bits) {
    return static_cast<Ring>(static_cast<SignedRing>(v >> bits));
  };
  std::vector<Ring> want_mul(x.size()), want_mm(m * n), want_terms(x.size() + m * n);
  for (std::size_t i = 0; i < x.size(); ++i) {
    const __int128 prod =
        static_cast<__int128>(static_cast<SignedRing>(x[i])) * static_cast<SignedRing>(y[i]);
    want_mul[i] = floor_shift(prod, 16);
    want_terms[i] = floor_shift(prod, 20);  // the first term's own shift
  }
  for (std::size_t i = 0; i < m; ++i) {
    for (std::size_t j = 0; j < n; ++j) {
      __int128 acc = 0;
      for (std::size_t l = 0; l < k; ++l)
        acc += static_cast<__int128>(static_cast<SignedRing>(x[i * k + l])) *
               static_cast<SignedRing>(b[l * n + j]);
      want_mm[i * n + j] = floor_shift(acc, 16);
      want_terms[x.size() + i * n + j] = floor_shift(acc + static_cast<SignedRing>(addend[i * n + j]), 16);
    }
  }
  for (const TruncMode mode : {TruncMode::kExact, TruncMode::kProbabilistic}) {
    Clear a = make(mode, 9);
    Clear c = make(mode, 9);
    const auto sx = a.input(0, x, x.size()), sy = a.input(0, y, y.size()), sb = a.input(0, b, b.size());
    const auto sadd = a.input(0, addend, addend.size());
    const auto got_mul = a.reveal(a.mul_trunc(sx, sy, 16));
    const auto got_mm = a.reveal(a.matmul_trunc(Trans::kNo, Trans::kNo, m, n, k, sx, sb, 16));
    // A diagonal product (the elementwise x * y as a 1 x 1 x 1 block each) at
    // 20 bits, then x B plus the addend at the call's 16 bits.
    std::vector<mpc::MatmulTerm<Clear::Share>> terms(2);
    terms[0].m = terms[0].n = terms[0].k = 1;
    terms[0].blocks = x.size();
    terms[0].a = &sx;
    terms[0].b = &sy;
    terms[0].out_n = x.size();
    terms[0].bits = 20;
    terms[1].m = m;
    terms[1].n = n;
    terms[1].k = k;
    terms[1].a = &sx;
    terms[1].b = &sb;
    terms[1].out_n = m * n;
    terms[1].addend = &sadd;
    const auto got_terms = a.reveal(a.matmuls_trunc(terms, 16));
    if (mode == TruncMode::kExact) {
      EXPECT_EQ(got_mul, want_mul);
      EXPECT_EQ(got_mm, want_mm);
      EXPECT_EQ(got_terms, want_terms);
    } else {
      auto within_one = [](const std::vector<Ring>& got, const std::vector<Ring>& floor, const char* what) {
        ASSERT_EQ(got.size(), floor.size()) << what;
        for (std::size_t i = 0; i < got.size(); ++i)
          EXPECT_TRUE(got[i] == floor[i] || got[i] == floor[i] + 1) << what << " " << i;
      };
      within_one(got_mul, want_mul, "mul_trunc");
      within_one(got_mm, want_mm, "matmul_trunc");
      within_one(got_terms, want_terms, "matmuls_trunc");
      // The same stream as the two steps: a run is reproducible whichever form a layer uses.
      EXPECT_EQ(got_mul, c.reveal(c.trunc(c.mul(sx, sy), 16)));
      EXPECT_EQ(got_mm, c.reveal(c.trunc(c.matmul(Trans::kNo, Trans::kNo, m, n, k, sx, sb), 16)));
    }
  }
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
  std::vector<Ring> x = random_signed(500, (SignedRing{1} << 30) - 1, 12);
  x.push_back(0);
  x.push_back(static_cast<Ring>(SignedRing{-1}));
  x.push_back(static_cast<Ring>(-(SignedRing{1} << 30)));  // the k-bit range's ends
  x.push_back(static_cast<Ring>((SignedRing{1} << 30) - 1));
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

// The scalar reference of the contract's ranges: -2^(w-1) <= x < 2^(w-1).
bool inside(Ring x, int w) {
  if (w >= 64) return true;
  const auto v = static_cast<SignedRing>(x);
  return v >= -(SignedRing{1} << (w - 1)) && v < (SignedRing{1} << (w - 1));
}

std::uint64_t outside_count(const std::vector<Ring>& v, int w) {
  std::uint64_t n = 0;
  for (Ring x : v) n += inside(x, w) ? 0 : 1;
  return n;
}

// Values at and around the ends of the w-bit range, plus random full-width ones.
std::vector<Ring> around_range(int w, std::uint64_t seed) {
  std::vector<Ring> v = random_words(300, seed);
  const auto top = w >= 64 ? std::numeric_limits<SignedRing>::max() : (SignedRing{1} << (w - 1)) - 1;
  const auto bottom = w >= 64 ? std::numeric_limits<SignedRing>::min() : -(SignedRing{1} << (w - 1));
  for (SignedRing d = -3; d <= 3; ++d) {
    v.push_back(static_cast<Ring>(top) + static_cast<Ring>(d));
    v.push_back(static_cast<Ring>(bottom) + static_cast<Ring>(d));
  }
  const auto small = random_signed(200, (SignedRing{1} << (std::min(w, 63) - 2)), seed + 1);
  v.insert(v.end(), small.begin(), small.end());
  return v;
}

TEST_F(ClearProtocol, ReportsRep3sContract) {
  Clear p = make(TruncMode::kExact);
  EXPECT_EQ(p.exact_bits().ltz, 31);
  EXPECT_EQ(p.exact_bits().bit_decompose, 64);
  EXPECT_EQ(p.exact_bits().trunc, 63);
  EXPECT_GE(p.exact_bits().trunc, mpc::kMinTruncExactBits);
  EXPECT_EQ(p.range_violations(), mpc::RangeViolations{});
  EXPECT_THROW(p.set_exact_bits({1, 64, 63}), ConfigError);
  EXPECT_THROW(p.set_exact_bits({31, 65, 63}), ConfigError);
}

// Outside the k-bit range ltz is bit k-1 of x (what rep3's adder computes;
// rep3_contract_test.cc compares the two), inside it [x < 0].
TEST_F(ClearProtocol, LtzIsTheComparisonOfTheLowKBits) {
  for (const int k : {31, 20, 64}) {
    Clear p(*backend_, {16, k}, TruncMode::kExact, 1);
    const auto x = around_range(k, 20 + static_cast<std::uint64_t>(k));
    const auto got = p.reveal(p.ltz(p.input(0, x, x.size())));
    const auto factor = p.reveal(p.ltz_factor(p.input(0, x, x.size())));
    for (std::size_t i = 0; i < x.size(); ++i) {
      const Ring want = inside(x[i], k) ? (static_cast<SignedRing>(x[i]) < 0 ? 1 : 0) : (x[i] >> (k - 1)) & 1;
      ASSERT_EQ(got[i], want) << "k " << k << " x " << static_cast<SignedRing>(x[i]);
    }
    EXPECT_EQ(factor, got);
    EXPECT_EQ(p.range_violations().ltz, 2 * outside_count(x, k)) << "k " << k;
  }
}

// Every count equals a scalar count of the inputs outside the range, per kind,
// through every operation that reaches it; take_ returns and resets.
TEST_F(ClearProtocol, RangeViolationsCountExactlyTheInputsOutsideTheContract) {
  for (const TruncMode mode : {TruncMode::kExact, TruncMode::kProbabilistic}) {
    Clear p = make(mode);
    const auto lx = around_range(31, 30);
    const auto tx = around_range(63, 31);
    p.ltz(p.input(0, lx, lx.size()));
    p.trunc(p.input(0, tx, tx.size()), 16);
    // mul_trunc of x by 1 truncates x itself; matmul_trunc of a column by a 1 x 1 one too.
    const std::vector<Ring> ones(tx.size(), 1), one{1};
    p.mul_trunc(p.input(0, tx, tx.size()), p.input(0, ones, ones.size()), 8);
    p.matmul_trunc(Trans::kNo, Trans::kNo, tx.size(), 1, 1, p.input(0, tx, tx.size()), p.input(0, one, 1), 3);
    const auto st = p.input(0, tx, tx.size());
    std::vector<mpc::MatmulTerm<Clear::Share>> terms(1);
    terms[0].out_n = tx.size();
    terms[0].addend = &st;
    p.matmuls_trunc(terms, 5);
    p.bit_decompose(p.input(0, tx, tx.size()), 64);  // every value is inside 64 bits
    const mpc::RangeViolations want{outside_count(lx, 31), 0, 4 * outside_count(tx, 63)};
    ASSERT_GT(want.ltz, 0u);
    ASSERT_GT(want.trunc, 0u);
    EXPECT_EQ(p.range_violations(), want);
    EXPECT_EQ(p.take_range_violations(), want);
    EXPECT_EQ(p.range_violations(), mpc::RangeViolations{});
    EXPECT_EQ(p.range_violations().total(), 0u);

    // A narrower contract (as a protocol still to be built would have) is
    // counted at its widths.
    p.set_exact_bits({31, 40, 50});
    const auto bx = around_range(40, 32);
    p.bit_decompose(p.input(0, bx, bx.size()), 12);
    p.trunc(p.input(0, bx, bx.size()), 16);
    const mpc::RangeViolations narrow{0, outside_count(bx, 40), outside_count(bx, 50)};
    ASSERT_GT(narrow.bit_decompose, 0u);
    EXPECT_EQ(p.take_range_violations(), narrow);
  }
}

// Inside the fixed-point range nothing is counted.
TEST_F(ClearProtocol, InRangeWorkCountsNothing) {
  Clear p = make(TruncMode::kProbabilistic);
  const auto x = random_signed(1000, (SignedRing{1} << 30) - 1, 16);
  const auto sx = p.input(0, x, x.size());
  p.ltz(sx);
  p.bit_decompose(sx, 31);
  p.mul_trunc(sx, sx, 16);
  EXPECT_EQ(p.range_violations(), mpc::RangeViolations{});
}

// exp_nonpositive decomposes y - 2^-f + 2^(n+f) + 2^(k-1), which for y near
// 0 is past 2^(k-1): it needs bit_decompose exact on k + 1 bits. Under a
// contract of k bits it must stay inside (falling back to exp2) and keep
// its accuracy; under rep3's (64 bits) it takes its own path, also clean.
TEST_F(ClearProtocol, ExpNonpositiveStaysInsideTheBitDecomposeContract) {
  std::vector<double> xs(2000);
  std::mt19937_64 rng(17);
  std::uniform_real_distribution<double> d(-11000.0, 0.0);
  for (std::size_t i = 0; i < xs.size(); ++i) xs[i] = i < 1000 ? d(rng) / 500.0 : d(rng);  // most on [-22, 0]
  xs[0] = 0.0;
  xs[1] = -std::ldexp(1.0, -16);
  std::vector<Ring> x(xs.size());
  for (std::size_t i = 0; i < xs.size(); ++i) x[i] = encode_fixed(xs[i], 16);
  for (const int width : {64, 31}) {
    Clear p = make(TruncMode::kExact);
    p.set_exact_bits({31, width, 63});
    const auto got = p.reveal(mpc::fx::exp_nonpositive(p, p.input(0, x, x.size())));
    EXPECT_EQ(p.range_violations(), mpc::RangeViolations{})
        << "bit_decompose contract of " << width << " bits";
    for (std::size_t i = 0; i < x.size(); ++i) {
      const double want = std::exp(decode_fixed(x[i], 16));
      EXPECT_NEAR(decode_fixed(got[i], 16), want, 2e-4 * want + 3 * std::ldexp(1.0, -16))
          << "x " << xs[i] << " width " << width;
    }
  }
}

}  // namespace
}  // namespace sqt::test
