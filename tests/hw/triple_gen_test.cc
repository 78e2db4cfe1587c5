// C simulation of triple_gen: expand mode against simd::AesCtrPrg (including
// the 128-bit counter carry), a party's own triple shares (from its seed
// alone) and the dealer's correction against simd::AesCtrPrg streams summed
// by scalar code, and the triple relation itself.
#include "hw/triple_gen.h"

#include <gtest/gtest.h>

#include <array>
#include <limits>
#include <string>
#include <vector>

#include "simd/prg.h"

namespace {

using sqt::hw::kLanes;
using sqt::hw::Word512;
using Seed = std::array<std::uint8_t, 16>;

Seed seed_of(int j) {
  Seed s{};
  for (int i = 0; i < 16; ++i) s[i] = static_cast<std::uint8_t>(31 * j + 7 * i + 1);
  return s;
}

// Seeds first .. first+count-1 in the kernel's seed layout (slot k = seed first+k).
std::vector<Word512> pack_seeds(int count, int first = 0) {
  std::vector<Word512> w(sqt::hw::kSeedWords);
  for (int k = 0; k < count; ++k) {
    const Seed s = seed_of(first + k);
    for (int byte = 0; byte < 16; ++byte) {
      w[k / 4].lane[2 * (k % 4) + byte / 8] |= std::uint64_t{s[byte]} << (8 * (byte % 8));
    }
  }
  return w;
}

std::uint64_t lane(const std::vector<Word512>& w, std::size_t i) { return w[i / kLanes].lane[i % kLanes]; }

struct ExpandCase {
  std::uint64_t counter, first_block;
  std::uint32_t count;
};

class TripleGenExpand : public ::testing::TestWithParam<ExpandCase> {};

TEST_P(TripleGenExpand, MatchesSimdPrgStream) {
  const auto [counter, first_block, count] = GetParam();
  const auto seeds = pack_seeds(1);
  std::vector<Word512> out(sqt::hw::words_for(count) + 1);
  sqt_triple_gen(seeds.data(), out.data(), nullptr, nullptr, sqt::hw::kExpand, 1, counter, first_block,
                 count);
  std::vector<std::uint64_t> want(2 * first_block + count);
  sqt::simd::AesCtrPrg(seed_of(0)).fill(counter, want);
  for (std::uint32_t i = 0; i < count; ++i)
    ASSERT_EQ(lane(out, i), want[2 * first_block + i]) << "word " << i;
}

constexpr std::uint64_t kNearWrap = std::numeric_limits<std::uint64_t>::max() - 4;
INSTANTIATE_TEST_SUITE_P(Counters, TripleGenExpand,
                         ::testing::Values(ExpandCase{0, 0, 1}, ExpandCase{0, 0, 8}, ExpandCase{5, 3, 13},
                                           ExpandCase{123456789, 0, 1001}, ExpandCase{kNearWrap, 1, 37},
                                           ExpandCase{kNearWrap, 0, 8}),
                         [](const ::testing::TestParamInfo<ExpandCase>& info) {
                           const ExpandCase& c = info.param;
                           return (c.counter == kNearWrap ? std::string("near_wrap")
                                                          : "c" + std::to_string(c.counter)) +
                                  "_first" + std::to_string(c.first_block) + "_n" + std::to_string(c.count);
                         });

// Party j's own shares: words 3i, 3i+1, 3i+2 of its simd stream.
struct Shares {
  std::vector<std::uint64_t> a, b, c;
};

Shares own_shares(int j, std::uint64_t counter, std::size_t n) {
  std::vector<std::uint64_t> w(3 * n);
  sqt::simd::AesCtrPrg(seed_of(j)).fill(counter, w);
  Shares s;
  for (std::size_t i = 0; i < n; ++i) {
    s.a.push_back(w[3 * i]);
    s.b.push_back(w[3 * i + 1]);
    s.c.push_back(w[3 * i + 2]);
  }
  return s;
}

TEST(TripleGen, OwnSharesComeFromTheOwnSeedAloneAndTheCorrectionMakesTriples) {
  const std::uint64_t counter = 977;
  for (int parties : {2, 3, 5, 10}) {
    for (std::uint32_t n : {1u, 7u, 8u, 21u}) {
      const std::uint32_t words = sqt::hw::words_for(n);
      std::vector<std::uint64_t> sa(n), sb(n), sc(n);
      for (int party = 0; party < parties; ++party) {
        // Only this party's seed is given to the kernel.
        const auto own_seed = pack_seeds(1, party);
        std::vector<Word512> a(words), b(words), c(words);
        sqt_triple_gen(own_seed.data(), a.data(), b.data(), c.data(), sqt::hw::kTriples, 1, counter, 0, n);
        const Shares want = own_shares(party, counter, n);
        for (std::uint32_t i = 0; i < n; ++i) {
          ASSERT_EQ(lane(a, i), want.a[i]);
          ASSERT_EQ(lane(b, i), want.b[i]);
          ASSERT_EQ(lane(c, i), want.c[i]) << parties << " parties, party " << party << ", triple " << i;
          sa[i] += lane(a, i);
          sb[i] += lane(b, i);
          sc[i] += lane(c, i);
        }
      }
      const auto seeds = pack_seeds(parties);
      std::vector<Word512> d(words);
      sqt_triple_gen(seeds.data(), nullptr, nullptr, d.data(), sqt::hw::kCorrection, parties, counter, 0, n);
      for (std::uint32_t i = 0; i < n; ++i) {
        ASSERT_EQ(lane(d, i), sa[i] * sb[i] - sc[i]) << parties << " parties, triple " << i;
        ASSERT_EQ(sc[i] + lane(d, i), sa[i] * sb[i]) << "triple " << i;
      }
    }
  }
}

TEST(TripleGen, APieceStartingAtAnEvenTripleContinuesTheStream) {
  const int parties = 3;
  const std::uint64_t counter = 40;
  const std::uint32_t skip = 10, n = 9;  // triples 10..18 of the stream
  std::vector<Word512> a(2), b(2), c(2), d(2);
  sqt_triple_gen(pack_seeds(1, 2).data(), a.data(), b.data(), c.data(), sqt::hw::kTriples, 1, counter,
                 skip * 3 / 2, n);
  sqt_triple_gen(pack_seeds(parties).data(), nullptr, nullptr, d.data(), sqt::hw::kCorrection, parties,
                 counter, skip * 3 / 2, n);
  std::vector<Shares> all;
  for (int j = 0; j < parties; ++j) all.push_back(own_shares(j, counter, skip + n));
  for (std::uint32_t i = 0; i < n; ++i) {
    ASSERT_EQ(lane(a, i), all[2].a[skip + i]);
    ASSERT_EQ(lane(c, i), all[2].c[skip + i]);
    std::uint64_t sa = 0, sb = 0, sc = 0;
    for (const Shares& s : all) {
      sa += s.a[skip + i];
      sb += s.b[skip + i];
      sc += s.c[skip + i];
    }
    ASSERT_EQ(lane(d, i), sa * sb - sc);
  }
}

}  // namespace
