// Random double sharings made in batches (shamir_doubles.cc) against a
// scalar reference: the extraction matrix is MDS over GF(16), the degree-t
// sharings reconstruct to a Z_2^64 secret from any t + 1 parties, the
// senders' additive shares sum to it, the secrets look uniform and t
// parties' shares tell nothing about them; products with batched pairs are
// right.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "tests/mpc_shamir/shamir_test_util.h"

namespace sqt::test {
namespace {

using mpc::Shamir;
using mpc::shamir::Gf16;
using mpc::shamir::Gr;

// Rank over GF(16) of a rows x cols matrix (Gaussian elimination).
int gf16_rank(std::vector<std::vector<Gf16>> m) {
  int rank = 0;
  const std::size_t rows = m.size(), cols = m.empty() ? 0 : m[0].size();
  for (std::size_t c = 0; c < cols && rank < static_cast<int>(rows); ++c) {
    std::size_t p = static_cast<std::size_t>(rank);
    while (p < rows && m[p][c] == 0) ++p;
    if (p == rows) continue;
    std::swap(m[p], m[static_cast<std::size_t>(rank)]);
    auto& piv = m[static_cast<std::size_t>(rank)];
    Gf16 inv = 1;
    while (mpc::shamir::gf16_mul(piv[c], inv) != 1) ++inv;
    for (auto& v : piv) v = mpc::shamir::gf16_mul(v, inv);
    for (std::size_t r = 0; r < rows; ++r) {
      if (r == static_cast<std::size_t>(rank) || m[r][c] == 0) continue;
      const Gf16 f = m[r][c];
      for (std::size_t k = 0; k < cols; ++k) m[r][k] ^= mpc::shamir::gf16_mul(f, piv[k]);
    }
    ++rank;
  }
  return rank;
}

TEST(ShamirDoubles, ExtractionMatrixIsMdsModTwo) {
  for (int n = 3; n <= 10; ++n) {
    const int t = (n - 1) / 2, outs = n - t;
    const auto a = Shamir::extraction_matrix(n, t);
    ASSERT_EQ(a.size(), static_cast<std::size_t>(outs * t));
    // Every choice of n - t honest columns of [I | A] is invertible.
    for (unsigned mask = 0; mask < (1u << n); ++mask) {
      if (__builtin_popcount(mask) != outs) continue;
      std::vector<std::vector<Gf16>> m(static_cast<std::size_t>(outs));
      for (int j = 0; j < outs; ++j)
        for (int col = 0; col < n; ++col) {
          if (!(mask >> col & 1)) continue;
          const Gf16 v = col < outs ? Gf16(col == j ? 1 : 0)
                                    : mpc::shamir::mod2(a[static_cast<std::size_t>(j * t + col - outs)]);
          m[static_cast<std::size_t>(j)].push_back(v);
        }
      EXPECT_EQ(gf16_rank(m), outs) << "n " << n << " columns " << mask;
    }
  }
}

Gr share_of(const Shamir::Double& d, std::size_t e) {
  return Gr{{d.r.part[0][e], d.r.part[1][e], d.r.part[2][e], d.r.part[3][e]}};
}

// The secret of element e from the shares of `who` (scalar Lagrange).
Gr reconstruct(const std::vector<Shamir::Double>& all, const std::vector<int>& who, std::size_t e) {
  const auto lambda = mpc::shamir::lagrange_at_zero(who);
  Gr s{};
  for (std::size_t k = 0; k < who.size(); ++k)
    s = s + lambda[k] * share_of(all[static_cast<std::size_t>(who[k])], e);
  return s;
}

// Pairs taken in three calls across batches of 1000 (the leftover of one
// batch goes in front of the next).
std::vector<Shamir::Double> batched(int n, std::size_t each) {
  return run_shamir(n, [&](Shamir& p) {
    p.set_double_source(Shamir::DoubleSource::kBatched, 1000);
    Shamir::Double all{Shamir::Share(0), {}};
    for (int call = 0; call < 3; ++call) {
      auto d = p.take_double(each);
      for (int c = 0; c < 4; ++c)
        all.r.part[c].insert(all.r.part[c].end(), d.r.part[c].begin(), d.r.part[c].end());
      all.additive.insert(all.additive.end(), d.additive.begin(), d.additive.end());
    }
    return all;
  });
}

TEST(ShamirDoubles, BatchedPairsReconstructToOneZ64Secret) {
  for (const int n : {3, 5, 10}) {
    const int t = (n - 1) / 2;
    const auto all = batched(n, 700);
    std::vector<int> low, high;
    for (int i = 0; i <= t; ++i) {
      low.push_back(i);
      high.push_back(n - 1 - i);
    }
    std::size_t nonzero = 0;
    for (std::size_t e = 0; e < 3 * 700; ++e) {
      const Gr a = reconstruct(all, low, e), b = reconstruct(all, high, e);
      ASSERT_EQ(a, b) << n << " parties, element " << e;
      ASSERT_EQ(a.c[1], 0u) << n << " parties, element " << e;
      ASSERT_EQ(a.c[2], 0u);
      ASSERT_EQ(a.c[3], 0u);
      Ring sum = 0;
      for (int i = 0; i <= 2 * t; ++i) sum += all[static_cast<std::size_t>(i)].additive[e];
      ASSERT_EQ(sum, a.c[0]) << n << " parties, element " << e;
      nonzero += a.c[0] != 0;
    }
    EXPECT_EQ(nonzero, 3u * 700u) << n << " parties";
  }
}

// Each bit of the secrets is 1 about half the time, and the low bit of the
// secret is independent of a bit of the view of parties 1..t (the XOR of
// the low bits of their shares and additive shares): chi-square, 3 degrees
// of freedom, below the 0.1 % point.
TEST(ShamirDoubles, SecretsAreUniformAndHiddenFromTParties) {
  for (const int n : {5, 10}) {
    const int t = (n - 1) / 2;
    const std::size_t each = 7000, total = 3 * each;
    const auto all = batched(n, each);
    std::vector<int> low;
    for (int i = 0; i <= t; ++i) low.push_back(i);
    std::vector<std::size_t> ones(64, 0);
    std::size_t cell[2][2] = {};
    for (std::size_t e = 0; e < total; ++e) {
      const Ring r = reconstruct(all, low, e).c[0];
      for (int b = 0; b < 64; ++b) ones[static_cast<std::size_t>(b)] += r >> b & 1;
      Ring view = 0;
      for (int i = 1; i <= t; ++i) {
        const auto& d = all[static_cast<std::size_t>(i)];
        view ^= d.r.part[0][e] ^ d.r.part[1][e] ^ d.r.part[2][e] ^ d.r.part[3][e] ^ d.additive[e];
      }
      ++cell[r & 1][view & 1];
    }
    const double sd = std::sqrt(static_cast<double>(total) / 4);
    for (int b = 0; b < 64; ++b)
      EXPECT_NEAR(static_cast<double>(ones[static_cast<std::size_t>(b)]), total / 2.0, 5 * sd)
          << n << " parties, bit " << b;
    double chi = 0;
    const double expect = static_cast<double>(total) / 4;
    for (const auto& row : cell)
      for (const std::size_t c : row)
        chi += (static_cast<double>(c) - expect) * (static_cast<double>(c) - expect) / expect;
    EXPECT_LT(chi, 16.27) << n << " parties";
  }
}

// Products and ANDs over batched pairs (forced at every n) match Z_2^64
// products and the ANDs of the low bits.
TEST(ShamirDoubles, ProductsWithBatchedPairs) {
  const std::size_t len = 900, words = (len + 63) / 64;
  for (const int n : {3, 4, 5, 10}) {
    const auto a = random_ring(len, 31), b = random_ring(len, 32);
    struct Out {
      std::vector<Ring> prod;
      std::vector<std::uint64_t> ands;
    };
    const auto got = run_shamir(n, [&](Shamir& p) {
      p.set_double_source(Shamir::DoubleSource::kBatched, 500);
      const auto x = p.input(0, owned_by(p, 0, a), len), y = p.input(1, owned_by(p, 1, b), len);
      Out o;
      o.prod = p.reveal(p.mul(x, y));
      o.ands = p.reveal_bits(p.bit_and(Shamir::low_bits(x, 0, len), Shamir::low_bits(y, 0, len)));
      return o;
    });
    for (const auto& o : got) {
      ASSERT_EQ(o.prod.size(), len);
      ASSERT_EQ(o.ands.size(), words);
      for (std::size_t e = 0; e < len; ++e) {
        ASSERT_EQ(o.prod[e], a[e] * b[e]) << n << " parties, element " << e;
        ASSERT_EQ(o.ands[e / 64] >> (e % 64) & 1, a[e] & b[e] & 1) << n << " parties, element " << e;
      }
    }
  }
}

}  // namespace
}  // namespace sqt::test
