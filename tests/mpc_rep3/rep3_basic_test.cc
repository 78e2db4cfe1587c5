// Sharing, local operations, products and the binary domain of rep3,
// checked against scalar arithmetic on the revealed values.
#include <gtest/gtest.h>

#include "host/core/error.h"
#include "host/mpc/rep3/bit_planes.h"
#include "tests/mpc_rep3/rep3_test_util.h"

namespace sqt::test {
namespace {

using mpc::Rep3;
using mpc::Trans;

TEST(Rep3Basic, InputByEveryOwnerRevealsTheValues) {
  const auto values = random_ring(1000, 11);
  for (int owner = 0; owner < 3; ++owner) {
    auto out = run_rep3([&](Rep3& p) {
      const auto before = p.stats();
      auto x = p.input(owner, p.party() == owner ? std::span<const Ring>(values) : std::span<const Ring>(),
                       values.size());
      const auto cost = p.stats() - before;
      EXPECT_EQ(cost.bytes_sent, p.party() == owner ? 8 * values.size() : 0u);
      return p.reveal(x);
    });
    for (int party = 0; party < 3; ++party) EXPECT_EQ(out[party], values) << "owner " << owner;
  }
}

// The rows of `values` (row_len per row) at idx, one after another: the
// scalar reference of gather_rows.
std::vector<Ring> rows_of(const std::vector<Ring>& values, std::size_t row_len,
                          const std::vector<std::uint32_t>& idx) {
  std::vector<Ring> out;
  for (std::uint32_t r : idx)
    out.insert(out.end(), values.begin() + r * row_len, values.begin() + (r + 1) * row_len);
  return out;
}

TEST(Rep3Basic, InputRowsGatherTheRowsOfTheTable) {
  const std::size_t rows = 50;
  const std::vector<std::uint32_t> idx = {7, 0, 49, 7, 13, 1};
  for (const std::size_t row_len : {4u, 3u}) {  // 3: rows that start in the middle of an AES block
    const auto values = random_ring(rows * row_len, 21 + row_len);
    for (int owner = 0; owner < 3; ++owner) {
      SCOPED_TRACE("owner " + std::to_string(owner) + ", row length " + std::to_string(row_len));
      auto out = run_rep3([&](Rep3& p) {
        const auto before = p.stats();
        const auto table =
            p.input_rows(owner, p.party() == owner ? mpc::rows_of_table(values, row_len) : mpc::RowSource{},
                         rows, row_len);
        EXPECT_EQ((p.stats() - before).bytes_sent, p.party() == owner ? 8 * values.size() : 0u);
        // Only party owner+1 stores a component; the owner keeps its row source.
        const int role = (p.party() - owner + 3) % 3;
        EXPECT_EQ(static_cast<bool>(table.source), role == 0);
        EXPECT_EQ(table.component.size(), role == 1 ? values.size() : 0u);
        if (role == 1) {  // what party owner+1 stores looks nothing like the values
          std::size_t equal = 0;
          for (std::size_t e = 0; e < values.size(); ++e) equal += table.component[e] == values[e];
          EXPECT_EQ(equal, 0u);
        }
        const auto g = p.gather_rows(table, idx);
        EXPECT_EQ(g.known_zero, (owner + 2) % 3);
        // A second gather of other rows from the same table.
        const auto h = p.gather_rows(table, std::vector<std::uint32_t>{2, 3});
        auto both = p.reveal(g);
        const auto second = p.reveal(h);
        both.insert(both.end(), second.begin(), second.end());
        return both;
      });
      auto expected = rows_of(values, row_len, idx);
      const auto second = rows_of(values, row_len, {2, 3});
      expected.insert(expected.end(), second.begin(), second.end());
      for (int party = 0; party < 3; ++party) EXPECT_EQ(out[party], expected) << "party " << party;
    }
  }
}

TEST(Rep3Basic, InputRowsOfATableSentInSeveralSlices) {
  // 2^20 values per message: 262,144 rows of 4, so three slices, the last short.
  const std::size_t rows = 600001, row_len = 4;
  const auto values = random_ring(rows * row_len, 51);
  const std::vector<std::uint32_t> idx = {0, 262143, 262144, 524288, 600000};
  auto out = run_rep3([&](Rep3& p) {
    const auto table = p.input_rows(
        1, p.party() == 1 ? mpc::rows_of_table(values, row_len) : mpc::RowSource{}, rows, row_len);
    return p.reveal(p.gather_rows(table, idx));
  });
  for (int party = 0; party < 3; ++party) EXPECT_EQ(out[party], rows_of(values, row_len, idx)) << party;
}

TEST(Rep3Basic, GatheredRowsMultiplyLikeTheirValues) {
  // The gathered share carries input()'s zero component, so products take
  // the three-GEMM path: checked against scalar code.
  const std::size_t rows = 20, row_len = 6, n = 3;
  const std::vector<std::uint32_t> idx = {5, 19, 0, 5};
  const auto values = random_ring(rows * row_len, 31);
  const auto w = random_ring(row_len * n, 32);
  for (int owner = 0; owner < 3; ++owner) {
    auto out = run_rep3([&](Rep3& p) {
      const auto table = p.input_rows(
          owner, p.party() == owner ? mpc::rows_of_table(values, row_len) : mpc::RowSource{}, rows, row_len);
      const auto b =
          p.input(1, p.party() == 1 ? std::span<const Ring>(w) : std::span<const Ring>(), w.size());
      return p.reveal(p.matmul(Trans::kNo, Trans::kNo, idx.size(), n, row_len, p.gather_rows(table, idx), b));
    });
    const auto a = rows_of(values, row_len, idx);
    std::vector<Ring> expected(idx.size() * n, 0);
    for (std::size_t i = 0; i < idx.size(); ++i)
      for (std::size_t j = 0; j < n; ++j)
        for (std::size_t k = 0; k < row_len; ++k) expected[i * n + j] += a[i * row_len + k] * w[k * n + j];
    EXPECT_EQ(out[0], expected) << "owner " << owner;
  }
}

TEST(Rep3Basic, GatherRowsNamesAnIndexPastTheTable) {
  const auto values = random_ring(10 * 2, 41);
  run_rep3([&](Rep3& p) {
    const auto table =
        p.input_rows(0, p.party() == 0 ? mpc::rows_of_table(values, 2) : mpc::RowSource{}, 10, 2);
    try {
      p.gather_rows(table, std::vector<std::uint32_t>{3, 10});
      ADD_FAILURE() << "no error";
    } catch (const ShapeError& e) {
      EXPECT_NE(std::string(e.what()).find("index 10 (position 1) is past the table's 10 rows"),
                std::string::npos)
          << e.what();
    }
    return std::vector<Ring>{};
  });
}

TEST(Rep3Basic, SharesLookRandomToEachParty) {
  const std::vector<Ring> values(256, 42);
  auto parts = run_rep3([&](Rep3& p) {
    auto x =
        p.input(0, p.party() == 0 ? std::span<const Ring>(values) : std::span<const Ring>(), values.size());
    return x.part[0];
  });
  // Every party's first component differs from the secret for nearly every
  // element; P2's (component 2 of an input by P0) is the public zero.
  for (int party = 0; party < 3; ++party) {
    std::size_t equal = 0, zero = 0;
    for (Ring v : parts[party]) {
      equal += v == 42;
      zero += v == 0;
    }
    EXPECT_LT(equal, 3u) << "party " << party;
    if (party == 2) {
      EXPECT_EQ(zero, values.size());
    } else {
      EXPECT_LT(zero, 3u) << "party " << party;
    }
  }
}

TEST(Rep3Basic, RevealToOnePartyOnly) {
  const auto values = random_ring(100, 12);
  for (int to = 0; to < 3; ++to) {
    auto out = run_rep3([&](Rep3& p) {
      auto x =
          p.input(1, p.party() == 1 ? std::span<const Ring>(values) : std::span<const Ring>(), values.size());
      return p.reveal_to(to, x);
    });
    for (int party = 0; party < 3; ++party) {
      if (party == to) {
        EXPECT_EQ(out[party], values);
      } else {
        EXPECT_TRUE(out[party].empty());
      }
    }
  }
}

TEST(Rep3Basic, LocalLinearOperations) {
  const std::size_t n = 300;
  const auto a = random_ring(n, 1), b = random_ring(n, 2), c = random_ring(n, 3);
  auto out = run_rep3([&](Rep3& p) {
    auto in = [&](const std::vector<Ring>& v, int owner) {
      return p.input(owner, p.party() == owner ? std::span<const Ring>(v) : std::span<const Ring>(), n);
    };
    auto x = in(a, 0), y = in(b, 1);
    auto r = p.add(p.mul_public(p.sub(x, y), c), p.neg(y));
    r = p.add_public(p.add_public(r, c), Ring{5});
    r = p.mul_public(r, Ring{3});
    // linear: reverse the order of the elements
    r = p.linear(r, n, [&](const Ring* src, Ring* dst) {
      for (std::size_t e = 0; e < n; ++e) dst[e] = src[n - 1 - e];
    });
    return p.reveal(r);
  });
  for (std::size_t e = 0; e < n; ++e) {
    const std::size_t s = n - 1 - e;
    const Ring expect = ((a[s] - b[s]) * c[s] - b[s] + c[s] + 5) * 3;
    ASSERT_EQ(out[0][e], expect) << e;
  }
  EXPECT_EQ(out[1], out[0]);
  EXPECT_EQ(out[2], out[0]);
}

TEST(Rep3Basic, MultiplicationIsOneRoundAndEightBytesPerElement) {
  for (std::size_t n : {1u, 1000u, 20000u}) {
    const auto a = random_ring(n, 4), b = random_ring(n, 5);
    auto out = run_rep3([&](Rep3& p) {
      auto x = p.input(0, p.party() == 0 ? std::span<const Ring>(a) : std::span<const Ring>(), n);
      auto y = p.input(2, p.party() == 2 ? std::span<const Ring>(b) : std::span<const Ring>(), n);
      p.reveal(x);  // settle the round counter
      const auto before = p.stats();
      auto z = p.mul(x, y);
      const auto cost = p.stats() - before;
      EXPECT_EQ(cost.bytes_sent, 8 * n);
      EXPECT_EQ(cost.messages_sent, 1u);
      p.reveal(z);
      const auto with_reveal = p.stats() - before;
      EXPECT_EQ(with_reveal.rounds, 2u) << "mul + reveal";
      return p.reveal(z);
    });
    for (std::size_t e = 0; e < n; ++e) ASSERT_EQ(out[0][e], a[e] * b[e]);
  }
}

std::vector<Ring> reference_gemm(Trans ta, Trans tb, std::size_t m, std::size_t n, std::size_t k,
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

TEST(Rep3Basic, MatmulAllTranspositions) {
  const std::size_t m = 7, n = 5, k = 9;
  const auto a = random_ring(m * k, 6), b = random_ring(k * n, 7);
  for (Trans ta : {Trans::kNo, Trans::kYes})
    for (Trans tb : {Trans::kNo, Trans::kYes}) {
      auto out = run_rep3([&](Rep3& p) {
        auto x = p.input(0, p.party() == 0 ? std::span<const Ring>(a) : std::span<const Ring>(), a.size());
        auto y = p.input(1, p.party() == 1 ? std::span<const Ring>(b) : std::span<const Ring>(), b.size());
        const auto before = p.stats();
        auto z = p.matmul(ta, tb, m, n, k, x, y);
        EXPECT_EQ((p.stats() - before).bytes_sent, 8 * m * n);
        return p.reveal(z);
      });
      EXPECT_EQ(out[0], reference_gemm(ta, tb, m, n, k, a, b));
    }
}

// An input's sharing has a public zero component, and a product with it
// takes three GEMMs instead of five (rep3.cc, local_matmul): for every owner
// and both transpositions of A, the product equals scalar code and the
// general path (the same A after an addition, which drops the zero mark).
TEST(Rep3Basic, MatmulWithAnInputOperandMatchesTheGeneralPath) {
  const std::size_t m = 6, n = 4, k = 5;
  // Signed values below 2^20: the products stay far inside the truncation's range.
  const auto a = random_signed(m * k, std::int64_t{1} << 20, 16),
             b = random_signed(k * n, std::int64_t{1} << 20, 17);
  for (int owner = 0; owner < 3; ++owner)
    for (Trans ta : {Trans::kNo, Trans::kYes}) {
      auto out = run_rep3([&](Rep3& p) {
        auto x =
            p.input(owner, p.party() == owner ? std::span<const Ring>(a) : std::span<const Ring>(), a.size());
        auto y = p.input((owner + 1) % 3,
                         p.party() == (owner + 1) % 3 ? std::span<const Ring>(b) : std::span<const Ring>(),
                         b.size());
        std::vector<Ring> marks{static_cast<Ring>(x.known_zero)};
        const auto general = p.add(x, p.zeros(x.size()));  // same values, no zero mark
        marks.push_back(static_cast<Ring>(general.known_zero + 1));
        const auto gathered =
            mpc::linear_overwrite(x, 2, [](const Ring* in, Ring* o) { o[0] = in[1], o[1] = in[0]; });
        marks.push_back(static_cast<Ring>(gathered.known_zero));
        marks.push_back(static_cast<Ring>(p.mul_public(x, Ring{3}).known_zero));
        const auto fast = p.reveal(p.matmul(ta, Trans::kNo, m, n, k, x, y));
        const auto slow = p.reveal(p.matmul(ta, Trans::kNo, m, n, k, general, y));
        const auto fast_t = p.reveal(p.matmul_trunc(ta, Trans::kNo, m, n, k, x, y, 16));
        std::vector<Ring> all = marks;
        all.insert(all.end(), fast.begin(), fast.end());
        all.insert(all.end(), slow.begin(), slow.end());
        all.insert(all.end(), fast_t.begin(), fast_t.end());
        return all;
      });
      const auto want = reference_gemm(ta, Trans::kNo, m, n, k, a, b);
      for (int party = 0; party < 3; ++party) {
        const auto& got = out[party];
        ASSERT_EQ(got.size(), 4 + 3 * m * n);
        const Ring zc = static_cast<Ring>((owner + 2) % 3);
        EXPECT_EQ(got[0], zc) << "input marks component (owner + 2) % 3";
        EXPECT_EQ(got[1], 0u) << "an addition drops the mark";
        EXPECT_EQ(got[2], zc) << "a gather keeps it";
        EXPECT_EQ(got[3], zc) << "a public factor keeps it";
        for (std::size_t e = 0; e < m * n; ++e) {
          EXPECT_EQ(got[4 + e], want[e]) << "owner " << owner << ", element " << e;
          EXPECT_EQ(got[4 + m * n + e], want[e]) << "general path, owner " << owner << ", element " << e;
          // Truncated by 16 bits (stochastic rounding): floor or floor + 1.
          const std::int64_t d = as_signed(got[4 + 2 * m * n + e]) - (as_signed(want[e]) >> 16);
          EXPECT_TRUE(d == 0 || d == 1) << "matmul_trunc, owner " << owner << ", element " << e;
        }
      }
    }
}

TEST(Rep3Basic, MatmulRejectsWrongShapes) {
  EXPECT_THROW(run_rep3([&](Rep3& p) {
                 auto x = p.zeros(6), y = p.zeros(6);
                 return p.reveal(p.matmul(Trans::kNo, Trans::kNo, 2, 2, 2, x, y));
               }),
               ShapeError);
}

TEST(Rep3Basic, BitOperationsAndOneRoundAnd) {
  const std::size_t words = 40;
  const auto a = random_ring(words, 8), b = random_ring(words, 9);
  auto out = run_rep3([&](Rep3& p) {
    auto x = p.input(0, p.party() == 0 ? std::span<const Ring>(a) : std::span<const Ring>(), words);
    auto y = p.input(1, p.party() == 1 ? std::span<const Ring>(b) : std::span<const Ring>(), words);
    // XOR sharings with the value in one component: x in component 0, y in 2.
    const auto xv = p.reveal(x), yv = p.reveal(y);
    Rep3::Bits sx(words), sy(words);
    if (p.party() == 0) sx.part[0].assign(xv.begin(), xv.end());  // component 0 = value, others 0
    if (p.party() == 2) sx.part[1].assign(xv.begin(), xv.end());
    if (p.party() == 1) sy.part[1].assign(yv.begin(), yv.end());  // component 2 = value
    if (p.party() == 2) sy.part[0].assign(yv.begin(), yv.end());
    const auto before = p.stats();
    auto z = p.bit_and(sx, sy);
    const auto cost = p.stats() - before;
    EXPECT_EQ(cost.bytes_sent, 8 * words);
    auto r = p.bit_xor(p.bit_not(z), sx);
    return p.reveal_bits(r);
  });
  for (std::size_t w = 0; w < words; ++w) ASSERT_EQ(out[0][w], ~(a[w] & b[w]) ^ a[w]);
}

TEST(Rep3Basic, BitDecomposeAndB2a) {
  const std::size_t n = 1000;
  const auto v = random_signed(n, (std::int64_t{1} << 30) - 1, 10);
  const auto wide = random_ring(n, 11);
  for (int bits : {1, 5, 16, 31}) {
    auto out = run_rep3([&](Rep3& p) {
      auto x = p.input(2, p.party() == 2 ? std::span<const Ring>(v) : std::span<const Ring>(), n);
      auto planes = p.bit_decompose(x, bits);
      EXPECT_EQ(planes.size(), static_cast<std::size_t>(bits));
      std::vector<Ring> result;
      for (auto& plane : planes) {
        auto words = p.reveal_bits(plane);
        auto arith = p.reveal(p.b2a(plane, n));
        for (std::size_t e = 0; e < n; ++e) EXPECT_EQ(arith[e], (words[e / 64] >> (e % 64)) & 1);
        result.insert(result.end(), words.begin(), words.end());
      }
      return result;
    });
    const std::size_t words = mpc::words_for(n);
    for (int j = 0; j < bits; ++j)
      for (std::size_t e = 0; e < n; ++e)
        ASSERT_EQ((out[0][j * words + e / 64] >> (e % 64)) & 1, (v[e] >> j) & 1)
            << "bits " << bits << " j " << j;
  }
  // Low bits are exact for any ring value, not only the fixed-point range.
  auto out = run_rep3([&](Rep3& p) {
    auto x = p.input(0, p.party() == 0 ? std::span<const Ring>(wide) : std::span<const Ring>(), n);
    std::vector<Ring> result;
    for (auto& plane : p.bit_decompose(x, 64)) {
      auto words = p.reveal_bits(plane);
      result.insert(result.end(), words.begin(), words.end());
    }
    return result;
  });
  const std::size_t words = mpc::words_for(n);
  for (int j = 0; j < 64; ++j)
    for (std::size_t e = 0; e < n; ++e)
      ASSERT_EQ((out[0][j * words + e / 64] >> (e % 64)) & 1, (wide[e] >> j) & 1);
}

}  // namespace
}  // namespace sqt::test
