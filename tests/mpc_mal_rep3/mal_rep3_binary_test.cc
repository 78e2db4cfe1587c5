// MalRep3's binary domain without a fault: ltz, bit_decompose, bit_and,
// b2a and reveal_bits against scalar references, and the AND gates'
// verification passing for honest parties at every size.
#include <gtest/gtest.h>

#include <vector>

#include "host/mpc/rep3/bit_planes.h"
#include "tests/mpc_mal_rep3/mal_rep3_test_util.h"

namespace sqt::test {
namespace {

using mpc::MalRep3;

// Bit e of a packed plane.
int bit_of(const std::vector<std::uint64_t>& plane, std::size_t e) { return (plane[e / 64] >> (e % 64)) & 1; }

TEST(MalRep3Binary, LtzMatchesTheSignOverTheKBitRange) {
  constexpr std::size_t n = 300;  // not a multiple of 64
  auto a = random_signed(n, (std::int64_t{1} << 30) - 1, 21);
  a[0] = 0;
  a[1] = static_cast<R128>(S128{-1});
  a[2] = static_cast<R128>(S128{-(std::int64_t{1} << 30)});
  a[3] = (R128{1} << 30) - 1;
  const auto out =
      run_mal_rep3([&](MalRep3& p) { return p.reveal(p.ltz(p.input(0, owned_by(p, 0, a), n))); });
  for (std::size_t e = 0; e < n; ++e) EXPECT_EQ(out[1][e], R128(as_signed(a[e]) < 0 ? 1 : 0)) << e;
}

TEST(MalRep3Binary, BitDecomposeGivesTheLowBits) {
  constexpr std::size_t n = 130;
  const auto a = random_signed(n, std::int64_t{1} << 62, 22);
  for (int bits : {1, 17, 64}) {
    const auto out = run_mal_rep3([&](MalRep3& p) {
      const auto planes = p.bit_decompose(p.input(2, owned_by(p, 2, a), n), bits);
      std::vector<std::vector<std::uint64_t>> opened;
      for (const auto& b : planes) opened.push_back(p.reveal_bits(b));
      return opened;
    });
    ASSERT_EQ(out[0].size(), static_cast<std::size_t>(bits));
    for (int j = 0; j < bits; ++j)
      for (std::size_t e = 0; e < n; ++e)
        EXPECT_EQ(bit_of(out[0][j], e), static_cast<int>((a[e] >> j) & 1))
            << "bits " << bits << " plane " << j;
  }
}

TEST(MalRep3Binary, BitAndXorNotAndB2a) {
  constexpr std::size_t n = 200;
  const auto a = random_signed(n, 1 << 20, 23), b = random_signed(n, 1 << 20, 24);
  const auto out = run_mal_rep3([&](MalRep3& p) {
    const auto pa = p.bit_decompose(p.input(0, owned_by(p, 0, a), n), 1)[0];
    const auto pb = p.bit_decompose(p.input(1, owned_by(p, 1, b), n), 1)[0];
    const auto both = p.bit_and(pa, pb);
    const auto either = p.bit_not(p.bit_and(p.bit_not(pa), p.bit_not(pb)));
    const auto diff = p.bit_xor(pa, pb);
    std::vector<std::vector<R128>> r;
    for (const auto* bits : {&both, &either, &diff}) r.push_back(p.reveal(p.b2a(*bits, n)));
    return r;
  });
  for (std::size_t e = 0; e < n; ++e) {
    const int x = static_cast<int>(a[e] & 1), y = static_cast<int>(b[e] & 1);
    EXPECT_EQ(out[2][0][e], R128(x & y)) << e;
    EXPECT_EQ(out[2][1][e], R128(x | y)) << e;
    EXPECT_EQ(out[2][2][e], R128(x ^ y)) << e;
  }
}

// Honest runs pass the gates' check for one gate word and for many (the
// bucket size changes with the count).
TEST(MalRep3Binary, HonestGatesPassAtEverySize) {
  for (std::size_t n : {std::size_t{1}, std::size_t{64 * 1000}}) {
    const auto a = random_signed(n, 1 << 20, 25);
    const auto out = run_mal_rep3([&](MalRep3& p) {
      const auto x = p.input(0, owned_by(p, 0, a), n);
      const auto lt = p.ltz(x);
      p.verify();
      return p.reveal(lt);
    });
    for (std::size_t e = 0; e < n; ++e) ASSERT_EQ(out[0][e], R128(as_signed(a[e]) < 0 ? 1 : 0)) << e;
  }
}

// The comparison's costs at k = 31 (the header's): 111 AND planes (carry-save
// 30, g 29 without the known-zero plane 0, carry tree 52) in 7 rounds, b2a
// 96 bytes per element (MAC parts 32, two products 64) in 3 rounds. verify()
// then sends per gate word B triple words and 2 B opened words, and the
// sacrifices' results not at all (only digests and the MAC check's few
// hundred bytes on top).
TEST(MalRep3Binary, ComparisonCosts) {
  constexpr std::size_t n = 640, words = n / 64, gate_words = 111 * words;
  const auto a = random_signed(n, 1 << 20, 26);
  const auto out = run_mal_rep3([&](MalRep3& p) {
    const auto x = p.input(0, owned_by(p, 0, a), n);
    p.verify();
    const auto s0 = p.stats();
    const auto lt = p.ltz(x);
    const auto s1 = p.stats();
    p.verify();
    const auto s2 = p.stats();
    return std::vector<net::TrafficStats>{s1 - s0, s2 - s1};
  });
  constexpr std::size_t bucket = 5;  // for 1110 gate words: the smallest B with B!/(B^B G^(B-1)) <= 2^-40
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(out[i][0].bytes_sent, 8 * gate_words + 96 * n) << "party " << i;
    EXPECT_EQ(out[i][0].rounds, 10u) << "party " << i;
    const std::size_t gate_check = 8 * 3 * bucket * gate_words;
    EXPECT_GE(out[i][1].bytes_sent, gate_check) << "party " << i;
    EXPECT_LT(out[i][1].bytes_sent, gate_check + 1500) << "party " << i;
  }
}

}  // namespace
}  // namespace sqt::test
