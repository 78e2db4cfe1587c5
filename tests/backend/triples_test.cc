// Beaver triples: for n = 2..10 parties, every party's shares agree between
// cpu and fpga-sim, and the shares reconstruct triples: sum c = (sum a)(sum b).
#include <gtest/gtest.h>

#include <memory>

#include "host/backend/backend.h"
#include "host/core/error.h"
#include "hw/kernel_abi.h"

namespace sqt::backend {
namespace {

std::vector<PrgSeed> seeds_for(int parties) {
  std::vector<PrgSeed> seeds(parties);
  for (int j = 0; j < parties; ++j) {
    for (int i = 0; i < 16; ++i) seeds[j][i] = static_cast<std::uint8_t>(j * 61 + i * 3 + 9);
  }
  return seeds;
}

class Triples : public ::testing::TestWithParam<int> {};

TEST_P(Triples, SharesAgreeAndReconstructProducts) {
  const int parties = GetParam();
  const auto cpu = make_backend("cpu", 1), sim = make_backend("fpga-sim", 1);
  const auto seeds = seeds_for(parties);
  // One length crossing the kernel's tile, one small odd one.
  for (std::size_t n : {std::size_t{hw::kTripleTileElems} + 3, std::size_t{5}}) {
    const std::uint64_t counter = 1000 + n;
    std::vector<Ring> sa(n), sb(n), sc(n);
    for (int party = 0; party < parties; ++party) {
      const TripleShares c = cpu->beaver_triples(seeds, party, counter, n);
      const TripleShares s = sim->beaver_triples(seeds, party, counter, n);
      ASSERT_EQ(c.a, s.a) << "party " << party;
      ASSERT_EQ(c.b, s.b) << "party " << party;
      ASSERT_EQ(c.c, s.c) << "party " << party;
      ASSERT_EQ(c.a.size(), n);
      for (std::size_t i = 0; i < n; ++i) {
        sa[i] += c.a[i];
        sb[i] += c.b[i];
        sc[i] += c.c[i];
      }
    }
    for (std::size_t i = 0; i < n; ++i) ASSERT_EQ(sc[i], sa[i] * sb[i]) << "triple " << i << " of " << n;
  }
}

INSTANTIATE_TEST_SUITE_P(TwoToTenParties, Triples, ::testing::Range(2, 11));

TEST(Triples, ZeroTriplesAndBadPartyIndex) {
  const auto seeds = seeds_for(3);
  for (const char* name : {"cpu", "fpga-sim"}) {
    const auto be = make_backend(name, 1);
    EXPECT_TRUE(be->beaver_triples(seeds, 2, 0, 0).c.empty());
    EXPECT_THROW(be->beaver_triples(seeds, 3, 0, 4), ConfigError) << name;
    EXPECT_THROW(be->beaver_triples(seeds, -1, 0, 4), ConfigError) << name;
  }
}

TEST(Triples, ThePartySharesLookIndependentOfEachOther) {
  // A non-dealer party's shares come from its own seed only: changing another
  // party's seed leaves them unchanged, but changes the dealer's c.
  const auto sim = make_backend("fpga-sim", 1);
  auto seeds = seeds_for(4);
  const TripleShares p0 = sim->beaver_triples(seeds, 0, 5, 64), last = sim->beaver_triples(seeds, 3, 5, 64);
  seeds[1][0] ^= 1;
  EXPECT_EQ(sim->beaver_triples(seeds, 0, 5, 64).c, p0.c);
  EXPECT_NE(sim->beaver_triples(seeds, 3, 5, 64).c, last.c);
}

TEST(Triples, FpgaSimRefusesMorePartiesThanTheKernelHolds) {
  const auto sim = make_backend("fpga-sim", 1);
  const auto seeds = seeds_for(hw::kMaxParties + 1);
  EXPECT_THROW(sim->beaver_triples(seeds, 0, 0, 8), BackendError);
}

}  // namespace
}  // namespace sqt::backend
