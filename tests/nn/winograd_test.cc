// The Winograd transforms against the im2col path in the ring: with random
// 64-bit values every identity must hold exactly (2^extra_bits times the
// direct result).
#include "host/nn/winograd.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "host/core/error.h"
#include "host/nn/conv_geometry.h"

namespace sqt::nn {
namespace {

std::vector<Ring> random_ring(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 g(seed);
  std::vector<Ring> v(n);
  for (auto& x : v) x = g();
  return v;
}

// c (m x n) = op(a) op(b), the plain triple loop; a is m x k (or k x m when
// ta), b is k x n (or n x k when tb).
std::vector<Ring> matmul(bool ta, bool tb, std::size_t m, std::size_t n, std::size_t k, const Ring* a,
                         const Ring* b) {
  std::vector<Ring> c(m * n);
  for (std::size_t i = 0; i < m; ++i)
    for (std::size_t j = 0; j < n; ++j) {
      Ring s = 0;
      for (std::size_t p = 0; p < k; ++p)
        s += (ta ? a[p * m + i] : a[i * k + p]) * (tb ? b[j * k + p] : b[p * n + j]);
      c[i * n + j] = s;
    }
  return c;
}

ConvGeometry geometry(int h, int w, int c, int kernel, int padding, int out_c) {
  return ConvGeometry::make(
      Shape{h, w, c},
      LayerSpec{.kind = LayerKind::kConv, .out = out_c, .kernel = kernel, .stride = 1, .padding = padding});
}

struct Case {
  int h, w, c, kernel, padding, out_c;
  int tile = 0;  // outputs per tile and axis; 0: what plan() picks
};

class WinogradConvTest : public ::testing::TestWithParam<Case> {};

TEST_P(WinogradConvTest, ForwardAndBothAdjointsAreAPowerOfTwoTimesIm2col) {
  const Case k = GetParam();
  const ConvGeometry g = geometry(k.h, k.w, k.c, k.kernel, k.padding, k.out_c);
  const auto plan = k.tile == 0 ? WinogradConv::plan(g) : WinogradConv::plan_with_tile(g, k.tile);
  ASSERT_TRUE(plan.has_value());
  if (k.tile != 0) {
    ASSERT_EQ(plan->tile(), k.tile);
  }
  const std::size_t batch = 2, rows = batch * g.positions(), oc = g.out_c, ic = g.in_c;
  const std::size_t pts = plan->points(), tiles = plan->tiles(batch);
  const auto x = random_ring(batch * g.in_size(), 1), w = random_ring(g.patch() * oc, 2);
  const auto dy = random_ring(rows * oc, 3);

  // The im2col path.
  std::vector<Ring> cols(rows * g.patch());
  im2col(g, batch, x.data(), cols.data());
  const auto y_direct = matmul(false, false, rows, oc, g.patch(), cols.data(), w.data());
  const auto dcols = matmul(false, true, rows, g.patch(), oc, dy.data(), w.data());
  std::vector<Ring> dx_direct(batch * g.in_size(), 0);
  col2im(g, batch, dcols.data(), dx_direct.data());
  const auto dw_direct = matmul(true, false, g.patch(), oc, rows, cols.data(), dy.data());

  // The Winograd path: per-point products between the transforms.
  std::vector<Ring> v(pts * tiles * ic), u(pts * ic * oc), yhat(pts * tiles * oc);
  plan->input(batch, x.data(), v.data());
  plan->weights(w.data(), u.data());
  plan->output_adjoint(batch, dy.data(), yhat.data());
  std::vector<Ring> z(pts * tiles * oc), pd(pts * tiles * ic), du(pts * ic * oc);
  for (std::size_t pt = 0; pt < pts; ++pt) {
    const Ring* vp = v.data() + pt * tiles * ic;
    const Ring* up = u.data() + pt * ic * oc;
    const Ring* yp = yhat.data() + pt * tiles * oc;
    const auto zp = matmul(false, false, tiles, oc, ic, vp, up);
    std::copy(zp.begin(), zp.end(), z.begin() + pt * tiles * oc);
    const auto pp = matmul(false, true, tiles, ic, oc, yp, up);
    std::copy(pp.begin(), pp.end(), pd.begin() + pt * tiles * ic);
    const auto dup = matmul(true, false, ic, oc, tiles, vp, yp);
    std::copy(dup.begin(), dup.end(), du.begin() + pt * ic * oc);
  }
  std::vector<Ring> y(rows * oc, 0xdead), dx(batch * g.in_size(), 0), dw(g.patch() * oc, 0xbeef);
  plan->output(batch, z.data(), y.data());
  plan->input_adjoint(batch, pd.data(), dx.data());
  plan->weights_adjoint(du.data(), dw.data());

  ASSERT_LE(plan->extra_bits(), WinogradConv::kMaxExtraBits);
  const Ring scale = Ring{1} << plan->extra_bits();
  for (std::size_t i = 0; i < y.size(); ++i) ASSERT_EQ(y[i], scale * y_direct[i]) << "output " << i;
  for (std::size_t i = 0; i < dx.size(); ++i)
    ASSERT_EQ(dx[i], scale * dx_direct[i]) << "input gradient " << i;
  for (std::size_t i = 0; i < dw.size(); ++i)
    ASSERT_EQ(dw[i], scale * dw_direct[i]) << "weight gradient " << i;
}

INSTANTIATE_TEST_SUITE_P(Shapes, WinogradConvTest,
                         ::testing::Values(Case{12, 12, 20, 5, 0,
                                                6},  // network C's second conv, fewer outputs: F(4, 5)
                                           Case{12, 12, 20, 5, 0, 6, 2},  // the same by F(2, 5)
                                           Case{12, 12, 20, 5, 0, 6, 3},  // F(3, 5): the last tiles overhang
                                           Case{11, 9, 8, 5, 0, 3},     // odd output: the last tiles overhang
                                           Case{11, 9, 8, 5, 0, 3, 4},  // the same by F(4, 5)
                                           Case{7, 8, 9, 3, 1, 4},      // 3x3 with padding
                                           Case{7, 8, 9, 3, 1, 4, 6},   // by F(6, 3): one tile row overhangs
                                           Case{7, 7, 8, 2, 0, 2},      // 2 taps
                                           Case{9, 10, 8, 4, 2, 3},     // 4 taps
                                           Case{9, 10, 8, 4, 2, 3, 4},  // 4 taps by F(4, 4)
                                           Case{10, 9, 8, 7, 3, 2},     // 7 taps
                                           Case{10, 9, 8, 7, 3, 2, 3},  // 7 taps by F(3, 7)
                                           Case{14, 13, 8, 3, 1, 2},    // many tiles: several chunks
                                           Case{14, 13, 8, 3, 1, 2, 2}));

// Every F(m, r) the points allow against the direct correlation, with random
// ring values, in both rings (the odd divisors' inverses differ): exact, up
// to its power of two.
template <RingElement T>
void expect_every_axis_exact() {
  for (int r = 2; r <= 7; ++r)
    for (int m = 1; m + r <= 13; ++m) {
      const WinogradAxis axis = winograd_axis(r, m);
      const WinogradMatrices<T>& a = axis.in<T>();
      ASSERT_EQ(axis.points, m + r - 1);
      const int n = axis.points;
      // Elements of T from pairs of 64-bit draws (the high half only in Z_2^128).
      auto draw = [](int count, int seed) {
        const auto lo = random_ring(count, seed), hi = random_ring(count, seed + 100);
        std::vector<T> v(static_cast<std::size_t>(count));
        for (int i = 0; i < count; ++i) v[i] = (static_cast<T>(hi[i]) << (ring_bits<T> - 64)) ^ lo[i];
        return v;
      };
      const auto d = draw(n, 10 + r), w = draw(r, 20 + r);
      for (int o = 0; o < m; ++o) {
        T direct = 0, fast = 0;
        for (int t = 0; t < r; ++t) direct += d[o + t] * w[t];
        for (int p = 0; p < n; ++p) {
          T gw = 0, bd = 0;
          for (int t = 0; t < r; ++t) gw += a.g[p * r + t] * w[t];
          for (int t = 0; t < n; ++t) bd += a.bt[p * n + t] * d[t];
          fast += a.at[o * n + p] * gw * bd;
        }
        EXPECT_TRUE(fast == (direct << axis.scale_bits))
            << ring_bits<T> << "-bit ring, F(" << m << ", " << r << ") output " << o;
      }
    }
}

TEST(WinogradAxis, EverySizeComputesItsCorrelationOutputs) {
  expect_every_axis_exact<Ring64>();
  expect_every_axis_exact<Ring128>();
  EXPECT_THROW(winograd_axis(1, 2), std::invalid_argument);
  EXPECT_THROW(winograd_axis(3, 0), std::invalid_argument);
  EXPECT_THROW(winograd_axis(7, 7), std::invalid_argument);  // 12 finite points: more than the list
}

// A^T and B^T are small integers (cheap transforms); only G' needs ring
// inverses.
TEST(WinogradAxis, OutputAndInputTransformsAreSmallIntegers) {
  const WinogradMatrices<Ring> a = winograd_axis(5, 4).z64;
  for (const Ring x : a.at) EXPECT_LE(static_cast<std::int64_t>(x) < 0 ? 0 - x : x, Ring{64});
  for (const Ring x : a.bt) EXPECT_LE(static_cast<std::int64_t>(x) < 0 ? 0 - x : x, Ring{64});
}

TEST(ConvAlgorithm, NamesParseAndAWrongOneIsNamedInTheError) {
  EXPECT_EQ(parse_conv_algorithm("auto"), ConvAlgorithm::kAuto);
  EXPECT_EQ(parse_conv_algorithm("im2col"), ConvAlgorithm::kIm2col);
  try {
    parse_conv_algorithm("fft");
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("'fft'"), std::string::npos) << e.what();
  }
}

TEST(WinogradPlan, PerLayerOfANetworkAndNoneWithIm2col) {
  const Architecture c = make_architecture("C");
  const auto plans = winograd_plans(c, ConvAlgorithm::kAuto);
  ASSERT_EQ(plans.size(), c.layers.size());
  for (std::size_t i = 0; i < plans.size(); ++i)
    EXPECT_EQ(plans[i].has_value(), i == 3) << "layer " << i;  // the second conv, 12x12x20 -> 8x8x50
  EXPECT_EQ(plans[3]->geometry().in_c, 20);
  for (const auto& plan : winograd_plans(c, ConvAlgorithm::kIm2col)) EXPECT_FALSE(plan.has_value());
}

TEST(WinogradPlan, NetworkCsSecondConvTakesFourByFourTiles) {
  const auto plan = WinogradConv::plan(geometry(12, 12, 20, 5, 0, 50));
  ASSERT_TRUE(plan.has_value());
  EXPECT_EQ(plan->tile(), 4);
  EXPECT_EQ(plan->points(), 64u);
  EXPECT_EQ(plan->tiles(1), 4u);
  EXPECT_LE(plan->extra_bits(), WinogradConv::kMaxExtraBits);
  // Tiles of 8 would need 2^16: not offered.
  EXPECT_FALSE(WinogradConv::plan_with_tile(geometry(12, 12, 20, 5, 0, 50), 8).has_value());
}

TEST(WinogradPlan, OnlyStrideOneKernelsOfTwoToSevenOverEightChannels) {
  EXPECT_TRUE(WinogradConv::plan(geometry(12, 12, 20, 5, 0, 50)).has_value());
  EXPECT_FALSE(WinogradConv::plan(geometry(28, 28, 1, 5, 0, 20)).has_value());   // one channel
  EXPECT_FALSE(WinogradConv::plan(geometry(12, 12, 20, 1, 0, 50)).has_value());  // 1x1
  EXPECT_FALSE(WinogradConv::plan(geometry(12, 12, 20, 9, 0, 50)).has_value());  // 9x9
  // AlexNet's 3x3 convs on 1x1 maps: one tile of 16 products for 9.
  EXPECT_FALSE(WinogradConv::plan(geometry(1, 1, 256, 3, 1, 384)).has_value());
  // Its 5x5 conv on a 4x4 map (2x2 output): one F(2, 5) tile, 36 products for 100.
  const auto alexnet = WinogradConv::plan(geometry(4, 4, 96, 5, 1, 256));
  ASSERT_TRUE(alexnet.has_value());
  EXPECT_EQ(alexnet->points(), 36u);
  auto strided = LayerSpec{.kind = LayerKind::kConv, .out = 8, .kernel = 3, .stride = 2, .padding = 1};
  EXPECT_FALSE(WinogradConv::plan(ConvGeometry::make(Shape{12, 12, 16}, strided)).has_value());
}

}  // namespace
}  // namespace sqt::nn
