// Shamir on 3, 5 and 10 parties against plain Z_2^64 arithmetic: sharing
// and opening, local operations, products and matrix products (degree
// reduction), truncation, the binary domain, comparison, bit decomposition,
// b2a, joint randomness; refused inputs.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "host/core/error.h"
#include "tests/mpc_shamir/shamir_test_util.h"

namespace sqt::test {
namespace {

using mpc::Shamir;
using mpc::Trans;

class ShamirParties : public ::testing::TestWithParam<int> {};

INSTANTIATE_TEST_SUITE_P(N, ShamirParties, ::testing::Values(3, 4, 5, 10));

TEST_P(ShamirParties, InputFromEveryPartyRevealsTheValues) {
  const int n = GetParam();
  const std::size_t len = 21;
  std::vector<std::vector<Ring>> values;
  for (int owner = 0; owner < n; ++owner) values.push_back(random_ring(len, 100 + owner));
  const auto out = agreed(run_shamir(n, [&](Shamir& p) {
    EXPECT_EQ(p.threshold(), (n - 1) / 2);
    std::vector<std::vector<Ring>> got;
    for (int owner = 0; owner < n; ++owner)
      got.push_back(p.reveal(p.input(owner, owned_by(p, owner, values[owner]), len)));
    return got;
  }));
  for (int owner = 0; owner < n; ++owner) EXPECT_EQ(out[owner], values[owner]) << "owner " << owner;
}

TEST_P(ShamirParties, RevealToOnlyThatParty) {
  const int n = GetParam();
  const auto v = random_ring(20, 3);
  const auto out =
      run_shamir(n, [&](Shamir& p) { return p.reveal_to(n - 1, p.input(1, owned_by(p, 1, v), v.size())); });
  for (int i = 0; i < n; ++i) {
    if (i == n - 1) {
      EXPECT_EQ(out[i], v);
    } else {
      EXPECT_TRUE(out[i].empty()) << "party " << i;
    }
  }
}

TEST_P(ShamirParties, LocalOperations) {
  const int n = GetParam();
  const std::size_t len = 50;
  const auto a = random_ring(len, 11), b = random_ring(len, 12), c = random_ring(len, 13);
  const auto out = agreed(run_shamir(n, [&](Shamir& p) {
    const auto x = p.input(0, owned_by(p, 0, a), len), y = p.input(n - 1, owned_by(p, n - 1, b), len);
    auto s = p.add(x, y);
    s = p.sub(s, p.neg(y));                         // a + 2b
    s = p.add_public(s, std::span<const Ring>(c));  // + c
    s = p.add_public(s, Ring{5});
    s = p.mul_public(s, std::span<const Ring>(c));
    s = p.mul_public(s, Ring{3});
    // a linear map: reverse
    s = p.linear(s, len, [&](const Ring* in, Ring* o) {
      for (std::size_t e = 0; e < len; ++e) o[e] = in[len - 1 - e];
    });
    return p.reveal(s);
  }));
  for (std::size_t e = 0; e < len; ++e) {
    const std::size_t i = len - 1 - e;
    EXPECT_EQ(out[e], (a[i] + 2 * b[i] + c[i] + 5) * c[i] * 3) << e;
  }
}

TEST_P(ShamirParties, ProductsAreExactInTheRing) {
  const int n = GetParam();
  const std::size_t len = 1000;
  const auto a = random_ring(len, 21), b = random_ring(len, 22);
  const auto out = agreed(run_shamir(n, [&](Shamir& p) {
    const auto x = p.input(0, owned_by(p, 0, a), len), y = p.input(1, owned_by(p, 1, b), len);
    // A product of products: the reduced sharing has degree t again.
    const auto xy = p.mul(x, y);
    return std::make_pair(p.reveal(xy), p.reveal(p.mul(xy, x)));
  }));
  for (std::size_t e = 0; e < len; ++e) {
    EXPECT_EQ(out.first[e], a[e] * b[e]) << e;
    EXPECT_EQ(out.second[e], a[e] * b[e] * a[e]) << e;
  }
}

std::vector<Ring> plain_gemm(Trans ta, Trans tb, std::size_t m, std::size_t n, std::size_t k,
                             const std::vector<Ring>& a, const std::vector<Ring>& b) {
  std::vector<Ring> c(m * n, 0);
  for (std::size_t i = 0; i < m; ++i)
    for (std::size_t j = 0; j < n; ++j)
      for (std::size_t q = 0; q < k; ++q) {
        const Ring av = ta == Trans::kNo ? a[i * k + q] : a[q * m + i];
        const Ring bv = tb == Trans::kNo ? b[q * n + j] : b[j * k + q];
        c[i * n + j] += av * bv;
      }
  return c;
}

TEST_P(ShamirParties, MatrixProductsInEveryLayout) {
  const int n = GetParam();
  const std::size_t m = 7, cols = 5, k = 9;
  const auto a = random_ring(m * k, 31), b = random_ring(k * cols, 32);
  for (const Trans ta : {Trans::kNo, Trans::kYes})
    for (const Trans tb : {Trans::kNo, Trans::kYes}) {
      const auto out = agreed(run_shamir(n, [&](Shamir& p) {
        const auto x = p.input(0, owned_by(p, 0, a), a.size()), y = p.input(2, owned_by(p, 2, b), b.size());
        return p.reveal(p.matmul(ta, tb, m, cols, k, x, y));
      }));
      EXPECT_EQ(out, plain_gemm(ta, tb, m, cols, k, a, b));
    }
}

std::vector<Ring> fixed_values(std::size_t len, std::uint64_t seed, int bits) {
  auto v = random_ring(len, seed);
  for (auto& x : v) x = static_cast<Ring>(static_cast<SignedRing>(x) >> (64 - bits));  // signed, `bits` wide
  return v;
}

TEST_P(ShamirParties, TruncationProbabilisticAndExact) {
  const int n = GetParam();
  const std::size_t len = 300;
  auto a = fixed_values(len, 41, 63);
  a[0] = Ring{1} << 61;
  a[1] = static_cast<Ring>(-(SignedRing{1} << 62));  // the range's ends
  a[2] = (Ring{1} << 62) - 1;
  for (const auto mode : {mpc::TruncMode::kProbabilistic, mpc::TruncMode::kExact}) {
    const auto out = agreed(run_shamir(
        n, [&](Shamir& p) { return p.reveal(p.trunc(p.input(0, owned_by(p, 0, a), len), 16)); }, mode));
    for (std::size_t e = 0; e < len; ++e) {
      expect_truncated(out[e], a[e], 16, mode, e);
    }
  }
}

TEST_P(ShamirParties, ComparisonDecompositionAndB2a) {
  const int n = GetParam();
  const std::size_t len = 130;  // three words
  auto a = random_ring(len, 51);
  a[0] = 0;
  a[1] = ~Ring{0};
  a[2] = Ring{1} << 63;
  a[3] = (Ring{1} << 63) - 1;
  const auto out = agreed(run_shamir(n, [&](Shamir& p) {
    const auto x = p.input(1, owned_by(p, 1, a), len);
    const auto lt = p.reveal(p.ltz(x));
    const auto planes = p.bit_decompose(x, 64);
    std::vector<std::vector<std::uint64_t>> bits;
    for (const auto& pl : planes) bits.push_back(p.reveal_bits(pl));
    // b2a of plane 5, and AND/XOR/NOT of planes 0 and 1.
    const auto b5 = p.reveal(p.b2a(planes[5], len));
    const auto andv = p.reveal_bits(p.bit_and(planes[0], planes[1]));
    const auto xorv = p.reveal_bits(p.bit_xor(planes[0], planes[1]));
    const auto notv = p.reveal_bits(p.bit_not(planes[0]));
    return std::make_tuple(lt, bits, b5, andv, xorv, notv);
  }));
  const auto& [lt, bits, b5, andv, xorv, notv] = out;
  for (std::size_t e = 0; e < len; ++e) {
    auto bit = [&](const std::vector<std::uint64_t>& w) { return w[e / 64] >> (e % 64) & 1; };
    EXPECT_EQ(lt[e], a[e] >> 63) << e;
    for (int j = 0; j < 64; ++j) EXPECT_EQ(bit(bits[j]), a[e] >> j & 1) << e << " bit " << j;
    EXPECT_EQ(b5[e], a[e] >> 5 & 1) << e;
    EXPECT_EQ(bit(andv), (a[e] & a[e] >> 1) & 1) << e;
    EXPECT_EQ(bit(xorv), (a[e] ^ a[e] >> 1) & 1) << e;
    EXPECT_EQ(bit(notv), ~a[e] & 1) << e;
  }
}

TEST_P(ShamirParties, FusedAndBatchedProducts) {
  const int n = GetParam();
  const std::size_t m = 3, cols = 4, k = 5;
  auto a = fixed_values(m * k, 61, 20), b = fixed_values(k * cols, 62, 20),
       add = fixed_values(m * cols, 63, 30);
  const auto out = agreed(run_shamir(
      n,
      [&](Shamir& p) {
        const auto x = p.input(0, owned_by(p, 0, a), a.size()), y = p.input(1, owned_by(p, 1, b), b.size());
        const auto z = p.input(2, owned_by(p, 2, add), add.size());
        std::vector<mpc::MatmulTerm<Shamir::Share>> terms(2);
        terms[0] = {Trans::kNo, Trans::kNo, m, cols, k, &x, &y, m * cols, {}, &z, 0, 1};
        terms[1] = {Trans::kNo, Trans::kNo, 0, 0, 0, nullptr, nullptr, m * cols, {}, &z, 3, 1};
        return std::make_pair(p.reveal(p.matmuls_trunc(terms, 8)), p.reveal(p.mul_trunc(x, x, 4)));
      },
      mpc::TruncMode::kExact));
  const auto prod = plain_gemm(Trans::kNo, Trans::kNo, m, cols, k, a, b);
  for (std::size_t e = 0; e < m * cols; ++e) {
    EXPECT_EQ(out.first[e], static_cast<Ring>(static_cast<SignedRing>(prod[e] + add[e]) >> 8)) << e;
    EXPECT_EQ(out.first[m * cols + e], static_cast<Ring>(static_cast<SignedRing>(add[e]) >> 3)) << e;
  }
  for (std::size_t e = 0; e < m * k; ++e)
    EXPECT_EQ(out.second[e], static_cast<Ring>(static_cast<SignedRing>(a[e] * a[e]) >> 4)) << e;
}

TEST_P(ShamirParties, RandomIntegersInRange) {
  const int n = GetParam();
  const std::size_t len = 2000;
  const auto out = agreed(run_shamir(n, [&](Shamir& p) { return p.reveal(p.random_int(len, 6)); }));
  std::vector<int> count(64, 0);
  for (const Ring v : out) {
    ASSERT_LT(v, 64u);
    ++count[v];
  }
  // Every value appears (expected 31 times each; missing one has probability < 1e-10).
  for (int v = 0; v < 64; ++v) EXPECT_GT(count[v], 5) << v;
}

TEST_P(ShamirParties, RowTables) {
  const int n = GetParam();
  const std::size_t rows = 6, row_len = 3;
  const auto table = random_ring(rows * row_len, 71);
  const std::vector<std::uint32_t> idx = {4, 0, 4, 5};
  const auto out = agreed(run_shamir(n, [&](Shamir& p) {
    const auto t = p.input_rows(
        n - 1, p.party() == n - 1 ? mpc::rows_of_table(table, row_len) : mpc::RowSource{}, rows, row_len);
    return p.reveal(p.gather_rows(t, idx));
  }));
  for (std::size_t i = 0; i < idx.size(); ++i)
    for (std::size_t j = 0; j < row_len; ++j) EXPECT_EQ(out[i * row_len + j], table[idx[i] * row_len + j]);
}

TEST(ShamirErrors, RefusedInputs) {
  EXPECT_THROW(run_parties(2,
                           [](net::Network& network) {
                             auto backend = backend::make_backend("cpu", 1);
                             mpc::Shamir p(network, *backend, FixedParams{16, 31});
                           }),
               NetError);
  run_shamir(3, [](Shamir& p) {
    EXPECT_THROW(p.input(5, {}, 1), ShapeError);
    EXPECT_THROW(p.mul(p.zeros(2), p.zeros(3)), ShapeError);
    EXPECT_THROW(p.trunc(p.zeros(2), 63), ShapeError);
    EXPECT_THROW(p.random_int(2, 40), ShapeError);
    EXPECT_THROW(p.bit_decompose(p.zeros(2), 65), ShapeError);
    return 0;
  });
}

}  // namespace
}  // namespace sqt::test
