// Beaver triples in the dealer model, split by trust: each party expands its
// own seed (own_triples), and only a dealer outside the computation, holding
// every seed, computes the last party's correction (dealer_correction).
// Checked against an OpenSSL AES-CTR stream and scalar sums, for 2..10
// parties, on cpu and fpga-sim (bit for bit alike).
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <vector>

#include "host/backend/backend.h"
#include "host/backend/offload_backend.h"
#include "host/backend/sim_device.h"
#include "host/core/error.h"
#include "hw/kernel_abi.h"
#include "tests/backend/reference.h"

namespace sqt::backend {
namespace {

std::vector<PrgSeed> seeds_for(int parties) {
  std::vector<PrgSeed> seeds(parties);
  for (int j = 0; j < parties; ++j) {
    for (int i = 0; i < 16; ++i) seeds[j][i] = static_cast<std::uint8_t>(j * 61 + i * 3 + 9);
  }
  return seeds;
}

// Party j's own shares by the stream layout: triple i = words 3i, 3i+1, 3i+2.
TripleShares reference_own(const PrgSeed& seed, std::uint64_t counter, std::size_t n) {
  const std::vector<Ring> w = test::reference_stream(seed, counter, 3 * n);
  TripleShares s;
  for (std::size_t i = 0; i < n; ++i) {
    s.a.push_back(w[3 * i]);
    s.b.push_back(w[3 * i + 1]);
    s.c.push_back(w[3 * i + 2]);
  }
  return s;
}

class Triples : public ::testing::TestWithParam<int> {};

TEST_P(Triples, OwnSharesPlusTheDealersCorrectionMultiply) {
  const int parties = GetParam();
  const auto cpu = make_backend("cpu", 1), sim = make_backend("fpga-sim", 1);
  const auto seeds = seeds_for(parties);
  // One length crossing the kernel's tile, one small odd one.
  for (std::size_t n : {std::size_t{hw::kTripleTileElems} + 3, std::size_t{5}}) {
    const std::uint64_t counter = 1000 + n;
    std::vector<TripleShares> shares;
    for (int j = 0; j < parties; ++j) {
      TripleShares c = cpu->own_triples(seeds[j], counter, n);
      const TripleShares s = sim->own_triples(seeds[j], counter, n);
      const TripleShares want = reference_own(seeds[j], counter, n);
      ASSERT_EQ(c.a, want.a) << "party " << j;
      ASSERT_EQ(c.b, want.b) << "party " << j;
      ASSERT_EQ(c.c, want.c) << "party " << j;
      ASSERT_EQ(s.a, want.a) << "party " << j;
      ASSERT_EQ(s.b, want.b) << "party " << j;
      ASSERT_EQ(s.c, want.c) << "party " << j;
      shares.push_back(std::move(c));
    }
    const std::vector<Ring> d = cpu->dealer_correction(seeds, counter, n);
    ASSERT_EQ(sim->dealer_correction(seeds, counter, n), d);
    ASSERT_EQ(d.size(), n);
    for (std::size_t i = 0; i < n; ++i) shares.back().c[i] += d[i];
    for (std::size_t i = 0; i < n; ++i) {
      Ring sa = 0, sb = 0, sc = 0;
      for (const TripleShares& p : shares) {
        sa += p.a[i];
        sb += p.b[i];
        sc += p.c[i];
      }
      ASSERT_EQ(sc, sa * sb) << "triple " << i << " of " << n;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(TwoToTenParties, Triples, ::testing::Range(2, 11));

TEST(Triples, WithoutTheCorrectionTheSharesAreNotTriples) {
  // The correction is what makes them triples: the seeds' streams alone are
  // independent random words.
  const auto cpu = make_backend("cpu", 1);
  const auto seeds = seeds_for(3);
  const std::size_t n = 64;
  std::vector<TripleShares> shares;
  for (const PrgSeed& s : seeds) shares.push_back(cpu->own_triples(s, 0, n));
  std::size_t products = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const Ring sa = shares[0].a[i] + shares[1].a[i] + shares[2].a[i];
    const Ring sb = shares[0].b[i] + shares[1].b[i] + shares[2].b[i];
    products += shares[0].c[i] + shares[1].c[i] + shares[2].c[i] == sa * sb;
  }
  EXPECT_EQ(products, 0u);
  EXPECT_NE(cpu->dealer_correction(seeds, 0, n), std::vector<Ring>(n, 0));
}

TEST(Triples, ZeroTriplesAndNoSeeds) {
  const auto seeds = seeds_for(3);
  for (const char* name : {"cpu", "fpga-sim"}) {
    const auto be = make_backend(name, 1);
    EXPECT_TRUE(be->own_triples(seeds[0], 0, 0).c.empty()) << name;
    EXPECT_TRUE(be->dealer_correction(seeds, 0, 0).empty()) << name;
    EXPECT_THROW(be->dealer_correction({}, 0, 4), ConfigError) << name;
  }
}

TEST(Triples, APartysSharesDependOnlyOnItsOwnSeed) {
  // Party 0's shares are the same whatever the other parties' seeds are; the
  // dealer's correction changes with any of them.
  for (const char* name : {"cpu", "fpga-sim"}) {
    const auto be = make_backend(name, 1);
    auto seeds = seeds_for(4);
    const TripleShares p0 = be->own_triples(seeds[0], 5, 64);
    const std::vector<Ring> d = be->dealer_correction(seeds, 5, 64);
    for (int other = 1; other < 4; ++other) {
      auto changed = seeds;
      changed[other][3] ^= 0x40;
      EXPECT_EQ(be->own_triples(changed[0], 5, 64).c, p0.c) << name;
      EXPECT_NE(be->dealer_correction(changed, 5, 64), d) << name << ", seed " << other;
    }
  }
}

// Records every seed buffer the orchestration uploads to the (simulated) card.
class RecordingDevice final : public TileDevice {
 public:
  std::string_view name() const override { return inner_.name(); }
  std::span<std::uint64_t> host(Buf b, int slot) override { return inner_.host(b, slot); }
  void to_device(Buf b, int slot, std::size_t words) override {
    if (b == Buf::kSeeds) {
      const auto h = inner_.host(b, slot);
      uploads.emplace_back(h.begin(), h.begin() + static_cast<std::ptrdiff_t>(words * hw::kLanes));
    }
    inner_.to_device(b, slot, words);
  }
  void from_device(Buf b, int slot, std::size_t words) override { inner_.from_device(b, slot, words); }
  void start_gemm(int slot, const GemmTile& tile) override { inner_.start_gemm(slot, tile); }
  void start_mul(int slot, std::uint32_t words) override { inner_.start_mul(slot, words); }
  void start_triples(int slot, const TripleRun& run) override { inner_.start_triples(slot, run); }
  void wait(KernelId kernel, int slot) override { inner_.wait(kernel, slot); }

  std::vector<std::vector<std::uint64_t>> uploads;

 private:
  SimDevice inner_;
};

TEST(Triples, APartyUploadsOnlyItsOwnSeedToTheCard) {
  auto device = std::make_unique<RecordingDevice>();
  RecordingDevice* rec = device.get();
  OffloadBackend be("fpga-sim", std::move(device));
  const auto seeds = seeds_for(3);
  // Two tiles, so both buffer slots are used.
  const std::size_t n = std::size_t{hw::kTripleTileElems} + 9;
  EXPECT_EQ(be.own_triples(seeds[1], 7, n).a, reference_own(seeds[1], 7, n).a);
  ASSERT_EQ(rec->uploads.size(), 2u);
  for (const auto& words : rec->uploads) {
    // Seed 0's slot holds seeds[1] (little-endian lanes 0, 1); everything else is zero.
    for (int byte = 0; byte < 16; ++byte) {
      EXPECT_EQ(static_cast<std::uint8_t>(words[byte / 8] >> (8 * (byte % 8))), seeds[1][byte]);
    }
    EXPECT_TRUE(std::all_of(words.begin() + 2, words.end(), [](std::uint64_t w) { return w == 0; }));
  }
}

TEST(Triples, FpgaSimRefusesMorePartiesThanTheKernelHolds) {
  const auto sim = make_backend("fpga-sim", 1);
  const auto seeds = seeds_for(hw::kMaxParties + 1);
  EXPECT_THROW(sim->dealer_correction(seeds, 0, 8), BackendError);
}

}  // namespace
}  // namespace sqt::backend
