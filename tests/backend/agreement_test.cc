// cpu and fpga-sim agree bit for bit on every interface function, and both
// agree with a scalar reference, on random inputs and ragged sizes (0, 1,
// primes, the tile edges and one past them).
#include <gtest/gtest.h>

#include <memory>
#include <tuple>

#include "host/backend/backend.h"
#include "host/core/error.h"
#include "hw/kernel_abi.h"
#include "tests/backend/reference.h"

namespace sqt::backend {
namespace {

using test::random_ring;
using test::reference_gemm;

struct Backends {
  std::unique_ptr<Backend> cpu = make_backend("cpu", 2);
  std::unique_ptr<Backend> sim = make_backend("fpga-sim", 1);
};

using GemmShape = std::tuple<std::size_t, std::size_t, std::size_t>;

class GemmAgreement : public ::testing::TestWithParam<GemmShape> {};

TEST_P(GemmAgreement, AllTransposesWithAndWithoutAccumulate) {
  const auto [m, n, k] = GetParam();
  Backends be;
  const auto a = random_ring(m * k, 11 + m), b = random_ring(k * n, 13 + n), c0 = random_ring(m * n, 17 + k);
  const bool check_reference = m * n * k <= 300'000;  // keep the scalar loop cheap
  for (Trans ta : {Trans::kNo, Trans::kYes}) {
    for (Trans tb : {Trans::kNo, Trans::kYes}) {
      for (bool acc : {false, true}) {
        auto c_cpu = c0, c_sim = c0, c_ref = c0;
        be.cpu->gemm(ta, tb, m, n, k, a.data(), b.data(), c_cpu.data(), acc);
        be.sim->gemm(ta, tb, m, n, k, a.data(), b.data(), c_sim.data(), acc);
        ASSERT_EQ(c_cpu, c_sim) << "ta " << int(ta) << " tb " << int(tb) << " acc " << acc;
        if (check_reference) {
          reference_gemm(ta, tb, m, n, k, a.data(), b.data(), c_ref.data(), acc);
          ASSERT_EQ(c_sim, c_ref) << "ta " << int(ta) << " tb " << int(tb) << " acc " << acc;
        }
      }
    }
  }
}

constexpr std::size_t kT = hw::kGemmTileM;  // 256: all three tile limits are equal
INSTANTIATE_TEST_SUITE_P(RaggedShapes, GemmAgreement,
                         ::testing::Values(GemmShape{0, 5, 3}, GemmShape{4, 0, 3}, GemmShape{4, 5, 0},
                                           GemmShape{1, 1, 1}, GemmShape{2, 3, 5}, GemmShape{7, 13, 11},
                                           GemmShape{31, 1, 37}, GemmShape{kT, kT, kT},
                                           GemmShape{kT + 1, kT - 1, kT + 1}, GemmShape{3, 2 * kT + 7, 19},
                                           GemmShape{2 * kT + 3, 9, 3 * kT + 1}, GemmShape{128, 500, 800}));

class MulAgreement : public ::testing::TestWithParam<std::size_t> {};

TEST_P(MulAgreement, CrossMulAddMatchesScalarAndAliasesExactly) {
  const std::size_t n = GetParam();
  Backends be;
  const auto x0 = random_ring(n, 1), x1 = random_ring(n, 2), y0 = random_ring(n, 3), y1 = random_ring(n, 4),
             r = random_ring(n, 5);
  std::vector<Ring> want(n), got_cpu(n), got_sim(n);
  for (std::size_t i = 0; i < n; ++i) want[i] = x0[i] * y0[i] + x0[i] * y1[i] + x1[i] * y0[i] + r[i];
  be.cpu->cross_mul_add(x0, x1, y0, y1, r, got_cpu);
  be.sim->cross_mul_add(x0, x1, y0, y1, r, got_sim);
  EXPECT_EQ(got_cpu, want);
  EXPECT_EQ(got_sim, want);
  auto in_place = x0;  // out aliases x0
  be.sim->cross_mul_add(in_place, x1, y0, y1, r, in_place);
  EXPECT_EQ(in_place, want);
}

constexpr std::size_t kM = hw::kMulTileElems;
INSTANTIATE_TEST_SUITE_P(RaggedLengths, MulAgreement,
                         ::testing::Values(0, 1, 7, 8, 9, 97, kM - 1, kM, kM + 1, 2 * kM + 13));

TEST(MulAgreement, MismatchedLengthsNameTheSpans) {
  Backends be;
  std::vector<Ring> a(4), b(3), out(4);
  for (Backend* backend : {be.cpu.get(), be.sim.get()}) {
    try {
      backend->cross_mul_add(a, a, b, a, a, out);
      FAIL() << "no exception from " << backend->name();
    } catch (const ShapeError& e) {
      EXPECT_NE(std::string(e.what()).find("y0 3"), std::string::npos) << e.what();
    }
  }
}

class PrgAgreement : public ::testing::TestWithParam<std::tuple<std::uint64_t, std::size_t>> {};

TEST_P(PrgAgreement, PrgFillIsTheSameStream) {
  const auto [counter, n] = GetParam();
  Backends be;
  PrgSeed seed{};
  for (int i = 0; i < 16; ++i) seed[i] = static_cast<std::uint8_t>(i * 37 + 5);
  std::vector<Ring> cpu(n), sim(n);
  be.cpu->prg_fill(seed, counter, cpu);
  be.sim->prg_fill(seed, counter, sim);
  ASSERT_EQ(cpu, sim);
  if (n >= 4) {  // a later start continues the same stream
    std::vector<Ring> tail(n - 4);
    be.sim->prg_fill(seed, counter + 2, tail);
    EXPECT_TRUE(std::equal(tail.begin(), tail.end(), cpu.begin() + 4));
  }
}

constexpr std::size_t kP = hw::kTripleTileElems;
constexpr std::uint64_t kNearWrap = ~std::uint64_t{0} - 3;
INSTANTIATE_TEST_SUITE_P(CountersAndLengths, PrgAgreement,
                         ::testing::Values(std::make_tuple(0, 0), std::make_tuple(0, 1),
                                           std::make_tuple(9, 3), std::make_tuple(12345, kP - 1),
                                           std::make_tuple(7, kP + 1), std::make_tuple(kNearWrap, 2 * kP + 5),
                                           std::make_tuple(kNearWrap, 11)));

TEST(MakeBackend, NamesAreReported) {
  EXPECT_EQ(make_backend("cpu", 1)->name(), "cpu");
  EXPECT_EQ(make_backend("fpga-sim", 1)->name(), "fpga-sim");
}

TEST(MakeBackend, UnknownNameListsTheChoices) {
  try {
    make_backend("gpu", 1);
    FAIL() << "no exception";
  } catch (const ConfigError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("'gpu'"), std::string::npos) << msg;
    EXPECT_NE(msg.find("fpga-sim"), std::string::npos) << msg;
  }
}

}  // namespace
}  // namespace sqt::backend
