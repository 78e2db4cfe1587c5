// Rep4 against scalar references: sharing and opening, the local
// operations, products, truncation, comparison, bit decomposition, b2a, the
// binary operations, joint randomness and row tables; the message costs of
// a product; refused inputs.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "host/core/error.h"
#include "tests/mpc_rep4/rep4_test_util.h"

namespace sqt::test {
namespace {

using mpc::Rep4;
using mpc::Trans;

// Every party's result must be the same (an opening that differs between
// parties is a bug); returns party 0's.
template <class T>
T agreed(const std::vector<T>& all) {
  for (std::size_t i = 1; i < all.size(); ++i) EXPECT_EQ(all[0], all[i]) << "party " << i << " differs";
  return all[0];
}

TEST(Rep4Basic, InputFromEveryPartyRevealsTheValues) {
  const std::size_t n = 37;
  std::vector<std::vector<Ring>> values;
  for (int owner = 0; owner < 4; ++owner) values.push_back(random_ring(n, 100 + owner));
  const auto out = agreed(run_rep4([&](Rep4& p) {
    std::vector<std::vector<Ring>> got;
    for (int owner = 0; owner < 4; ++owner)
      got.push_back(p.reveal(p.input(owner, owned_by(p, owner, values[owner]), n)));
    return got;
  }));
  for (int owner = 0; owner < 4; ++owner) EXPECT_EQ(out[owner], values[owner]) << "owner " << owner;
}

TEST(Rep4Basic, RevealToOnlyThatParty) {
  const auto v = random_ring(20, 3);
  const auto out = run_rep4([&](Rep4& p) { return p.reveal_to(2, p.input(1, owned_by(p, 1, v), v.size())); });
  for (int i = 0; i < 4; ++i) {
    if (i == 2)
      EXPECT_EQ(out[i], v);
    else
      EXPECT_TRUE(out[i].empty()) << "party " << i;
  }
}

TEST(Rep4Basic, LocalOperations) {
  const std::size_t n = 50;
  const auto a = random_ring(n, 11), b = random_ring(n, 12), c = random_ring(n, 13);
  const auto out = agreed(run_rep4([&](Rep4& p) {
    const auto x = p.input(0, owned_by(p, 0, a), n), y = p.input(3, owned_by(p, 3, b), n);
    auto s = p.add(x, y);
    s = p.sub(s, p.neg(y));                         // a + 2b
    s = p.add_public(s, std::span<const Ring>(c));  // + c
    s = p.add_public(s, Ring{5});
    s = p.mul_public(s, Ring{3});
    s = p.mul_public(s, std::span<const Ring>(c));
    return p.reveal(s);
  }));
  for (std::size_t e = 0; e < n; ++e) EXPECT_EQ(out[e], ((a[e] + 2 * b[e] + c[e] + 5) * 3) * c[e]) << e;
}

TEST(Rep4Basic, MulIsTheRingProductInEveryRotation) {
  const std::size_t n = 65;
  const auto a = random_ring(n, 21), b = random_ring(n, 22);
  const auto out = agreed(run_rep4([&](Rep4& p) {
    const auto x = p.input(1, owned_by(p, 1, a), n), y = p.input(2, owned_by(p, 2, b), n);
    std::vector<std::vector<Ring>> got;
    auto z = x;
    for (int i = 0; i < 5; ++i) {  // five products: every role assignment
      z = p.mul(z, y);
      got.push_back(p.reveal(z));
    }
    return got;
  }));
  std::vector<Ring> want = a;
  for (int i = 0; i < 5; ++i) {
    for (std::size_t e = 0; e < n; ++e) want[e] *= b[e];
    EXPECT_EQ(out[i], want) << "product " << i;
  }
}

std::vector<Ring> reference_matmul(Trans ta, Trans tb, std::size_t m, std::size_t n, std::size_t k,
                                   const std::vector<Ring>& a, const std::vector<Ring>& b) {
  std::vector<Ring> c(m * n, 0);
  for (std::size_t i = 0; i < m; ++i)
    for (std::size_t j = 0; j < n; ++j)
      for (std::size_t l = 0; l < k; ++l) {
        const Ring av = ta == Trans::kNo ? a[i * k + l] : a[l * m + i];
        const Ring bv = tb == Trans::kNo ? b[l * n + j] : b[j * k + l];
        c[i * n + j] += av * bv;
      }
  return c;
}

TEST(Rep4Basic, MatmulEveryTransposition) {
  const std::size_t m = 5, n = 7, k = 9;
  const auto a = random_ring(m * k, 31), b = random_ring(k * n, 32);
  for (Trans ta : {Trans::kNo, Trans::kYes}) {
    for (Trans tb : {Trans::kNo, Trans::kYes}) {
      const auto out = agreed(run_rep4([&](Rep4& p) {
        const auto x = p.input(0, owned_by(p, 0, a), a.size()), y = p.input(2, owned_by(p, 2, b), b.size());
        std::vector<std::vector<Ring>> got;
        for (int i = 0; i < 4; ++i) got.push_back(p.reveal(p.matmul(ta, tb, m, n, k, x, y)));
        return got;
      }));
      const auto want = reference_matmul(ta, tb, m, n, k, a, b);
      for (int i = 0; i < 4; ++i) EXPECT_EQ(out[i], want) << "rotation " << i;
    }
  }
}

// floor(x / 2^bits) + {0, 1} for every |x| < 2^62, and over many elements the
// carry's mean is (x mod 2^bits) / 2^bits (stochastic rounding).
TEST(Rep4Basic, ProbabilisticTruncationWithinOneOfTheFloor) {
  const std::size_t n = 2000;
  auto v = random_signed(n, (std::int64_t{1} << 62) - 1, 41);
  v[0] = static_cast<Ring>(-(std::int64_t{1} << 62));
  v[1] = (Ring{1} << 62) - 1;
  v[2] = 0;
  for (int bits : {1, 16, 40, 61}) {
    const auto out = agreed(run_rep4([&](Rep4& p) {
      const auto x = p.input(3, owned_by(p, 3, v), n);
      std::vector<std::vector<Ring>> got;
      for (int i = 0; i < 4; ++i) got.push_back(p.reveal(p.trunc(x, bits)));  // every rotation
      return got;
    }));
    for (const auto& got : out) {
      for (std::size_t e = 0; e < n; ++e) {
        const std::int64_t floor = as_signed(v[e]) >> bits;
        const std::int64_t d = as_signed(got[e]) - floor;
        ASSERT_TRUE(d == 0 || d == 1)
            << "bits " << bits << " x " << as_signed(v[e]) << " got " << as_signed(got[e]);
      }
    }
  }
  // Rounding up with probability (x mod 2^f) / 2^f: x = 2^16 + 2^14, 4000 times.
  const std::size_t m = 4000;
  const std::vector<Ring> quarter(m, (Ring{1} << 16) + (Ring{1} << 14));
  const auto got = agreed(
      run_rep4([&](Rep4& p) { return p.reveal(p.trunc(p.input(0, owned_by(p, 0, quarter), m), 16)); }));
  const double ups = static_cast<double>(std::count(got.begin(), got.end(), Ring{2}));
  EXPECT_EQ(std::count(got.begin(), got.end(), Ring{1}) + std::count(got.begin(), got.end(), Ring{2}),
            static_cast<std::ptrdiff_t>(m));
  EXPECT_NEAR(ups / m, 0.25, 0.04);
}

TEST(Rep4Basic, ExactTruncationIsTheFloor) {
  const std::size_t n = 300;
  const auto v = random_signed(n, (std::int64_t{1} << 62) - 1, 42);
  Rep4Options opt;
  opt.mode = mpc::TruncMode::kExact;
  for (int bits : {1, 16, 33}) {
    const auto out = agreed(
        run_rep4([&](Rep4& p) { return p.reveal(p.trunc(p.input(1, owned_by(p, 1, v), n), bits)); }, opt));
    for (std::size_t e = 0; e < n; ++e) ASSERT_EQ(as_signed(out[e]), as_signed(v[e]) >> bits) << e;
  }
}

TEST(Rep4Basic, MulTruncAndMatmulsTruncWithTwoShifts) {
  const std::size_t m = 3, n = 4, k = 5;
  const std::int64_t bound = std::int64_t{1} << 24;
  const auto a = random_signed(m * k, bound, 51), b = random_signed(k * n, bound, 52);
  const auto add = random_signed(k * n, bound, 53);
  const auto a2 = random_signed(2 * m * k, bound, 54), b2 = random_signed(2 * k * n, bound, 55);
  const auto add2 = random_signed(2 * m * n, bound, 56);
  for (auto mode : {mpc::TruncMode::kProbabilistic, mpc::TruncMode::kExact}) {
    Rep4Options opt;
    opt.mode = mode;
    const auto out = agreed(run_rep4(
        [&](Rep4& p) {
          const auto x = p.input(0, owned_by(p, 0, a), a.size()), y = p.input(1, owned_by(p, 1, b), b.size());
          const auto z = p.input(2, owned_by(p, 2, add), add.size());
          const auto w2 = p.input(1, owned_by(p, 1, add2), add2.size());
          const auto x2 = p.input(3, owned_by(p, 3, a2), a2.size()), y2 = p.input(0, owned_by(p, 0, b2), b2.size());
          std::vector<mpc::MatmulTerm<Rep4::Share>> terms(3);
          terms[0] = {Trans::kNo, Trans::kNo, m, n, k, &x, &y, m * n};
          terms[1].out_n = k * n;  // an addend alone, at its own shift
          terms[1].addend = &z;
          terms[1].bits = 8;
          terms[2] = {Trans::kNo, Trans::kNo, m, n, k, &x2, &y2, 2 * m * n};  // two blocks plus an addend
          terms[2].blocks = 2;
          terms[2].addend = &w2;
          std::vector<std::vector<Ring>> got;
          got.push_back(p.reveal(p.matmuls_trunc(terms, 16)));
          got.push_back(p.reveal(p.mul_trunc(y, z, 10)));
          got.push_back(p.reveal(p.matmul_trunc(Trans::kNo, Trans::kNo, m, n, k, x, y, 12)));
          return got;
        },
        opt));
    const auto prod = reference_matmul(Trans::kNo, Trans::kNo, m, n, k, a, b);
    auto within = [&](Ring got, Ring x, int bits) {
      const std::int64_t d = as_signed(got) - (as_signed(x) >> bits);
      return mode == mpc::TruncMode::kExact ? d == 0 : (d == 0 || d == 1);
    };
    for (std::size_t e = 0; e < m * n; ++e) EXPECT_TRUE(within(out[0][e], prod[e], 16)) << e;
    for (std::size_t e = 0; e < k * n; ++e) EXPECT_TRUE(within(out[0][m * n + e], add[e], 8)) << e;
    for (std::size_t blk = 0; blk < 2; ++blk) {
      const std::vector<Ring> ab(a2.begin() + blk * m * k, a2.begin() + (blk + 1) * m * k);
      const std::vector<Ring> bb(b2.begin() + blk * k * n, b2.begin() + (blk + 1) * k * n);
      const auto pb = reference_matmul(Trans::kNo, Trans::kNo, m, n, k, ab, bb);
      for (std::size_t e = 0; e < m * n; ++e) {
        const std::size_t at = blk * m * n + e;
        EXPECT_TRUE(within(out[0][m * n + k * n + at], pb[e] + add2[at], 16)) << "block " << blk << " " << e;
      }
    }
    for (std::size_t e = 0; e < k * n; ++e) EXPECT_TRUE(within(out[1][e], b[e] * add[e], 10)) << e;
    for (std::size_t e = 0; e < m * n; ++e) EXPECT_TRUE(within(out[2][e], prod[e], 12)) << e;
  }
}

TEST(Rep4Basic, LtzInTheFixedPointRange) {
  const std::size_t n = 700;
  auto v = random_signed(n, (std::int64_t{1} << 30) - 1, 61);
  v[0] = 0;
  v[1] = static_cast<Ring>(-1);
  v[2] = static_cast<Ring>(-(std::int64_t{1} << 30));
  v[3] = (Ring{1} << 30) - 1;
  const auto out = agreed(run_rep4([&](Rep4& p) {
    const auto x = p.input(2, owned_by(p, 2, v), n);
    std::vector<std::vector<Ring>> got;
    for (int i = 0; i < 4; ++i) got.push_back(p.reveal(p.ltz(x)));
    got.push_back(p.reveal(p.mul_factor(p.ltz_factor(x), x)));
    return got;
  }));
  for (int i = 0; i < 4; ++i)
    for (std::size_t e = 0; e < n; ++e) ASSERT_EQ(out[i][e], as_signed(v[e]) < 0 ? 1u : 0u) << e;
  for (std::size_t e = 0; e < n; ++e) ASSERT_EQ(out[4][e], as_signed(v[e]) < 0 ? v[e] : 0u) << e;
}

TEST(Rep4Basic, BitDecomposeEveryValue) {
  const std::size_t n = 130;
  const auto v = random_ring(n, 71);
  const auto planes = agreed(run_rep4([&](Rep4& p) {
    const auto x = p.input(0, owned_by(p, 0, v), n);
    std::vector<std::vector<std::uint64_t>> got;
    for (const auto& b : p.bit_decompose(x, 64)) got.push_back(p.reveal_bits(b));
    return got;
  }));
  ASSERT_EQ(planes.size(), 64u);
  for (int j = 0; j < 64; ++j)
    for (std::size_t e = 0; e < n; ++e)
      ASSERT_EQ((planes[j][e / 64] >> (e % 64)) & 1, (v[e] >> j) & 1) << "bit " << j << " element " << e;
}

// A boolean sharing of the packed words `w` (owner's input): the words'
// bits input as 0/1 values, then bit 0 of their decomposition.
Rep4::Bits secret_bits(Rep4& p, int owner, const std::vector<Ring>& w) {
  std::vector<Ring> bits(64 * w.size());
  for (std::size_t e = 0; e < bits.size(); ++e) bits[e] = (w[e / 64] >> (e % 64)) & 1;
  return p.bit_decompose(p.input(owner, owned_by(p, owner, bits), bits.size()), 1)[0];
}

TEST(Rep4Basic, BinaryOperationsAndB2a) {
  const std::size_t words = 3, n = 150;
  const auto a = random_ring(words, 81), b = random_ring(words, 82);
  const auto out = agreed(run_rep4([&](Rep4& p) {
    const auto x = secret_bits(p, 1, a), y = secret_bits(p, 3, b);
    std::vector<std::vector<Ring>> got;
    got.push_back(p.reveal_bits(x));
    for (int i = 0; i < 4; ++i) got.push_back(p.reveal_bits(p.bit_and(x, y)));  // every rotation
    got.push_back(p.reveal_bits(p.bit_xor(x, y)));
    got.push_back(p.reveal_bits(p.bit_not(x)));
    got.push_back(p.reveal(p.b2a(p.bit_and(x, y), n)));
    got.push_back(p.reveal(p.b2a(x, n)));
    return got;
  }));
  EXPECT_EQ(out[0], a);
  for (std::size_t w = 0; w < words; ++w) {
    for (int i = 1; i <= 4; ++i) EXPECT_EQ(out[i][w], a[w] & b[w]) << "rotation " << i;
    EXPECT_EQ(out[5][w], a[w] ^ b[w]);
    EXPECT_EQ(out[6][w], ~a[w]);
  }
  for (std::size_t e = 0; e < n; ++e) {
    EXPECT_EQ(out[7][e], ((a[e / 64] & b[e / 64]) >> (e % 64)) & 1) << e;
    EXPECT_EQ(out[8][e], (a[e / 64] >> (e % 64)) & 1) << e;
  }
}

TEST(Rep4Basic, RandomIntUniformInRange) {
  const std::size_t n = 4000;
  for (int bits : {1, 3, 29}) {
    const auto got = agreed(run_rep4([&](Rep4& p) { return p.reveal(p.random_int(n, bits)); }));
    double mean = 0;
    for (Ring v : got) {
      ASSERT_LT(v, Ring{1} << bits);
      mean += static_cast<double>(v);
    }
    mean /= static_cast<double>(n);
    const double want = (std::ldexp(1.0, bits) - 1) / 2, sd = std::ldexp(1.0, bits) / std::sqrt(12.0 * n);
    EXPECT_NEAR(mean, want, 5 * sd) << bits;
  }
}

TEST(Rep4Basic, GatherRowsEqualsTheInputOfThoseRows) {
  const std::size_t rows = 9, len = 5;
  const auto table = random_ring(rows * len, 91);
  const std::vector<std::uint32_t> idx = {4, 0, 8, 4, 1};
  const auto out = agreed(run_rep4([&](Rep4& p) {
    auto source = p.party() == 1 ? mpc::rows_of_table(table, len) : mpc::RowSource{};
    const auto t = p.input_rows(1, source, rows, len);
    return p.reveal(p.gather_rows(t, idx));
  }));
  for (std::size_t i = 0; i < idx.size(); ++i)
    for (std::size_t c = 0; c < len; ++c) EXPECT_EQ(out[i * len + c], table[idx[i] * len + c]);
}

// Each party sends 1.5 elements per product (six pair values of n elements
// per round, every role once in four products), one round each; verify()
// adds two rounds and nothing when there is nothing to check.
TEST(Rep4Basic, ProductCostsOneAndAHalfElementsPerParty) {
  const std::size_t n = 1000;
  const auto a = random_ring(n, 5);
  const auto costs = run_rep4([&](Rep4& p) {
    const auto x = p.input(0, owned_by(p, 0, a), n);
    p.verify();
    const auto before = p.stats();
    auto z = x;
    for (int i = 0; i < 4; ++i) z = p.mul(z, x);
    const auto mul_cost = p.stats() - before;
    const auto before_verify = p.stats();
    p.verify();
    const auto verify_cost = p.stats() - before_verify;
    const auto before_idle = p.stats();
    p.verify();
    const auto idle = p.stats() - before_idle;
    return std::vector<std::uint64_t>{mul_cost.bytes_sent, mul_cost.rounds, verify_cost.rounds, idle.rounds};
  });
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(costs[i][0], 4 * n * 12) << "party " << i << ": 1.5 elements of 8 bytes per product";
    EXPECT_EQ(costs[i][1], 4u) << "party " << i;
    EXPECT_EQ(costs[i][2], 2u) << "party " << i << ": digests and verdicts";
    EXPECT_EQ(costs[i][3], 0u) << "party " << i << ": nothing to check";
  }
}

// Truncation by 16 bits: 4 ring elements (x_s + r twice, U, W) and 6 values
// of 2 bytes (the wrap bit's sharings and cross products) over the four
// parties, 3 rounds; the product fused into it (mul_trunc) 4 more elements. ltz at k = 31: the two summands' 31 planes (2 x 31
// words per 64 elements), G's 30 planes from 4 cross products, 53 ANDs in
// the carry tree (6 pair values each), b2a (2 + 4 elements): 9 rounds deep
// (a party counts a round only where it sent before receiving, so the
// counters may show fewer).
TEST(Rep4Basic, TruncationAndComparisonCostsFollowTheirMessages) {
  const std::size_t n = 64 * 20, words = n / 64;
  const auto v = random_signed(n, std::int64_t{1} << 29, 6);
  const auto costs = run_rep4([&](Rep4& p) {
    const auto x = p.input(0, owned_by(p, 0, v), n);
    p.verify();
    auto before = p.stats();
    (void)p.trunc(x, 16);
    const auto trunc_cost = p.stats() - before;
    before = p.stats();
    (void)p.ltz(x);
    const auto ltz_cost = p.stats() - before;
    before = p.stats();
    (void)p.mul_trunc(x, x, 16);
    const auto mul_trunc_cost = p.stats() - before;
    return std::vector<std::uint64_t>{trunc_cost.bytes_sent,    trunc_cost.rounds, ltz_cost.bytes_sent,
                                      ltz_cost.rounds,          mul_trunc_cost.bytes_sent,
                                      mul_trunc_cost.rounds};
  });
  std::uint64_t trunc_bytes = 0, ltz_bytes = 0, trunc_rounds = 0, ltz_rounds = 0;
  std::uint64_t mul_trunc_bytes = 0, mul_trunc_rounds = 0;
  for (const auto& c : costs) {
    trunc_bytes += c[0];
    trunc_rounds = std::max(trunc_rounds, c[1]);
    ltz_bytes += c[2];
    ltz_rounds = std::max(ltz_rounds, c[3]);
    mul_trunc_bytes += c[4];
    mul_trunc_rounds = std::max(mul_trunc_rounds, c[5]);
  }
  EXPECT_EQ(trunc_bytes, n * (4 * 8 + 6 * 2));
  EXPECT_EQ(trunc_rounds, 3u);
  // The fused product: the four pair values s and t miss, other than
  // {p, q}'s (which rides on the openings), go to them masked: 8 ring
  // elements instead of the product's 6 and the truncation's 4, 3 rounds.
  EXPECT_EQ(mul_trunc_bytes, n * (8 * 8 + 6 * 2));
  EXPECT_EQ(mul_trunc_rounds, 3u);
  EXPECT_EQ(ltz_bytes, 8 * words * (2 * 31 + 4 * 30 + 6 * 53) + 8 * n * (2 + 4));
  EXPECT_LE(ltz_rounds, 9u);
  EXPECT_GE(ltz_rounds, 5u);  // at least the carry tree's levels
}

TEST(Rep4Basic, DifferentSeedsGiveDifferentSharingsAndSeedZeroWorks) {
  const auto v = random_ring(8, 1);
  auto share_of = [&](std::uint64_t seed) {
    Rep4Options opt;
    opt.seed = seed;
    return run_rep4([&](Rep4& p) { return p.input(0, owned_by(p, 0, v), v.size()).part[0]; }, opt);
  };
  EXPECT_NE(share_of(1)[2], share_of(2)[2]);
  Rep4Options os;
  os.seed = 0;
  const auto out =
      agreed(run_rep4([&](Rep4& p) { return p.reveal(p.input(0, owned_by(p, 0, v), v.size())); }, os));
  EXPECT_EQ(out, v);
}

TEST(Rep4Basic, RefusesWrongArguments) {
  EXPECT_THROW(run_parties(3,
                           [](net::Network& net) {
                             auto be = backend::make_backend("cpu", 1);
                             Rep4 p(net, *be, FixedParams{});
                           }),
               NetError);
  EXPECT_THROW(run_rep4([](Rep4& p) { return p.input(4, {}, 1).size(); }), ShapeError);
  EXPECT_THROW(run_rep4([](Rep4& p) { return p.trunc(p.zeros(2), 62).size(); }), ShapeError);
  EXPECT_THROW(run_rep4([](Rep4& p) { return p.mul(p.zeros(2), p.zeros(3)).size(); }), ShapeError);
  EXPECT_THROW(run_rep4([](Rep4& p) { return p.random_int(4, 30).size(); }), ShapeError);
}

}  // namespace
}  // namespace sqt::test
