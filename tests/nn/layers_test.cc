// Every layer's forward and backward on the clear protocol against the
// float64 reference of tests/common/reference_net.h, on random inputs.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "host/backend/backend.h"
#include "host/mpc/clear/clear.h"
#include "host/nn/model.h"
#include "host/nn/optimizer.h"
#include "host/nn/softmax_ce.h"
#include "tests/common/reference_net.h"

namespace sqt::nn {
namespace {

using mpc::Clear;
using sqt::testing::ref::ReferenceNet;

constexpr int kF = 16;

struct Fixture {
  std::unique_ptr<backend::Backend> be = backend::make_backend("cpu", 1);
  Clear p{*be, FixedParams{}, mpc::TruncMode::kExact, 7};

  Clear::Share share(const std::vector<double>& v) {
    std::vector<Ring> e(v.size());
    for (std::size_t i = 0; i < v.size(); ++i) e[i] = encode_fixed(v[i], kF);
    return p.input(0, e, e.size());
  }
  std::vector<double> open(const Clear::Share& s) {
    std::vector<double> r;
    for (Ring v : p.reveal(s)) r.push_back(decode_fixed(v, kF));
    return r;
  }
};

std::vector<double> random_vec(std::size_t n, std::uint64_t seed, double lo = -1, double hi = 1) {
  std::mt19937_64 g(seed);
  std::uniform_real_distribution<double> u(lo, hi);
  std::vector<double> v(n);
  for (double& x : v) x = u(g);
  return v;
}

void expect_near(const std::vector<double>& got, const std::vector<double>& want, double tol,
                 const char* what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (std::size_t i = 0; i < got.size(); ++i) ASSERT_NEAR(got[i], want[i], tol) << what << " index " << i;
}

// Runs one architecture through Model<Clear> and ReferenceNet with the same
// parameters, input and output gradient, and compares output, parameter
// gradients and input gradient.
void check_arch(const Architecture& arch, int batch, double tol, ConvAlgorithm conv = ConvAlgorithm::kAuto) {
  Fixture fx;
  ReferenceNet ref(arch, glorot_init(arch, 3));
  for (auto& lp : ref.params)
    for (std::size_t j = 0; j < lp.bias.size(); ++j) lp.bias[j] = 0.1 * static_cast<double>(j % 5) - 0.2;
  Model<Clear> model(fx.p, arch, conv);
  model.set_public(ref.params);
  const auto x = random_vec(batch * arch.input.size(), 11);
  const auto y_ref = ref.forward(x, batch);
  const auto y = fx.open(model.forward(fx.share(x), batch, true));
  expect_near(y, y_ref, tol, "forward");
  const auto dy = random_vec(y_ref.size(), 12);
  const auto dx_ref = ref.backward(dy, batch);
  const auto dx = fx.open(model.backward(fx.share(dy), batch, true));
  expect_near(dx, dx_ref, tol, "input gradient");
  auto expect_param_grads = [&](const char* what) {
    ModelParams g = model.decode(fx.p.reveal(model.grads()), /*gradients=*/true);
    for (std::size_t i = 0; i < arch.layers.size(); ++i) {
      if (ref.grads[i].weight.empty()) continue;
      expect_near(g[i].weight, ref.grads[i].weight, tol * batch, what);
      expect_near(g[i].bias, ref.grads[i].bias, tol * batch, what);
    }
  };
  expect_param_grads("parameter gradient");
  // A training step asks for no input gradient: the layers before the first
  // parameter layer are skipped, the parameter gradients stay the same.
  model.forward(fx.share(x), batch, true);
  EXPECT_EQ(model.backward(fx.share(dy), batch).size(), 0u);
  expect_param_grads("parameter gradient without the input gradient");
}

Architecture single(Shape in, LayerSpec l) { return {"test", in, 10, {l}}; }

TEST(Layers, Dense) { check_arch(single({1, 1, 20}, {.kind = LayerKind::kDense, .out = 7}), 5, 2e-3); }

TEST(Layers, FlattenThenDense) {
  check_arch({"test", {2, 2, 3}, 10, {{.kind = LayerKind::kFlatten}, {.kind = LayerKind::kDense, .out = 5}}},
             4, 2e-3);
}

TEST(Layers, ConvStride1NoPadding) {
  check_arch(single({6, 6, 2}, {.kind = LayerKind::kConv, .out = 3, .kernel = 3}), 3, 3e-3);
}

TEST(Layers, ConvStride2Padding) {
  check_arch(single({7, 7, 3}, {.kind = LayerKind::kConv, .out = 4, .kernel = 3, .stride = 2, .padding = 1}),
             2, 3e-3);
}

TEST(Layers, ConvStride2SamePaddingLikeNetD) {
  check_arch(single({9, 9, 1}, {.kind = LayerKind::kConv, .out = 2, .kernel = 5, .stride = 2, .padding = 2}),
             2, 3e-3);
}

// Stride 1 over 8 or more channels: Winograd (host/nn/winograd.h).
TEST(Layers, ConvWinograd5x5LikeNetC) {
  ASSERT_TRUE(WinogradConv::plan(
      ConvGeometry::make({12, 12, 20}, {.kind = LayerKind::kConv, .out = 6, .kernel = 5})));
  check_arch(single({12, 12, 20}, {.kind = LayerKind::kConv, .out = 6, .kernel = 5}), 2, 5e-3);
  // --conv im2col: the same layer through im2col.
  check_arch(single({12, 12, 20}, {.kind = LayerKind::kConv, .out = 6, .kernel = 5}), 2, 5e-3,
             ConvAlgorithm::kIm2col);
}

TEST(Layers, ConvWinograd3x3PaddingOddOutput) {
  ASSERT_TRUE(WinogradConv::plan(
      ConvGeometry::make({7, 8, 9}, {.kind = LayerKind::kConv, .out = 4, .kernel = 3, .padding = 1})));
  check_arch(single({7, 8, 9}, {.kind = LayerKind::kConv, .out = 4, .kernel = 3, .padding = 1}), 2, 3e-3);
}

TEST(Layers, MaxPoolNonOverlapping) {
  check_arch(single({6, 6, 3}, {.kind = LayerKind::kMaxPool, .stride = 2, .window = 2}), 2, 1e-4);
}

TEST(Layers, MaxPoolOverlappingAccumulates) {
  // Window 3 stride 1: every interior input lies in up to nine windows.
  check_arch(single({5, 5, 2}, {.kind = LayerKind::kMaxPool, .stride = 1, .window = 3}), 2, 1e-4);
  check_arch(single({7, 7, 2}, {.kind = LayerKind::kMaxPool, .stride = 2, .window = 3}), 2, 1e-4);
}

TEST(Layers, Relu) { check_arch(single({1, 1, 50}, {.kind = LayerKind::kRelu}), 4, 1e-4); }

TEST(Layers, SmallConvNetEndToEnd) {
  Architecture a{"tiny",
                 {8, 8, 1},
                 10,
                 {{.kind = LayerKind::kConv, .out = 4, .kernel = 3},
                  {.kind = LayerKind::kMaxPool, .stride = 2, .window = 2},
                  {.kind = LayerKind::kRelu},
                  {.kind = LayerKind::kFlatten},
                  {.kind = LayerKind::kDense, .out = 10}}};
  check_arch(a, 3, 5e-3);
}

// Average pooling between parameter layers: the conv's weight gradient
// passes through the pooling's backward (2x2: one truncation by 2 bits; 3x3
// overlapping: a product with 1/9 at f bits).
TEST(Layers, SmallConvNetWithAveragePooling) {
  for (const auto& [window, stride] : {std::pair{2, 2}, std::pair{3, 1}}) {
    Architecture a{"tiny-avg",
                   {8, 8, 1},
                   10,
                   {{.kind = LayerKind::kConv, .out = 4, .kernel = 3},
                    {.kind = LayerKind::kAvgPool, .stride = stride, .window = window},
                    {.kind = LayerKind::kRelu},
                    {.kind = LayerKind::kFlatten},
                    {.kind = LayerKind::kDense, .out = 10}}};
    check_arch(a, 3, 5e-3);
  }
}

TEST(Loss, SoftmaxCrossEntropyGradient) {
  Fixture fx;
  const int rows = 6, cols = 10;
  auto x = random_vec(rows * cols, 5, -6, 6);
  std::vector<double> onehot(rows * cols, 0.0);
  for (int r = 0; r < rows; ++r) onehot[r * cols + (r * 3) % cols] = 1;
  const auto g = fx.open(softmax_ce_grad(fx.p, fx.share(x), fx.share(onehot), rows, cols));
  for (int r = 0; r < rows; ++r) {
    double mx = -1e300, s = 0;
    for (int c = 0; c < cols; ++c) mx = std::max(mx, x[r * cols + c]);
    for (int c = 0; c < cols; ++c) s += std::exp(x[r * cols + c] - mx);
    for (int c = 0; c < cols; ++c) {
      const double want = std::exp(x[r * cols + c] - mx) / s - onehot[r * cols + c];
      EXPECT_NEAR(g[r * cols + c], want, 5e-3) << r << "," << c;
    }
  }
}

TEST(Loss, CountCorrectMatchesArgmax) {
  Fixture fx;
  const int rows = 40, cols = 10;
  auto x = random_vec(rows * cols, 9, -3, 3);
  std::vector<double> onehot(rows * cols, 0.0);
  std::size_t want = 0;
  for (int r = 0; r < rows; ++r) {
    const int label = (r * 7) % cols;
    onehot[r * cols + label] = 1;
    int best = 0;
    for (int c = 1; c < cols; ++c)
      if (x[r * cols + c] > x[r * cols + best]) best = c;
    want += best == label;
    if (r % 3 == 0) x[r * cols + label] = 5;  // make some rows correct
    if (r % 3 == 0) want += best != label;
  }
  EXPECT_EQ(count_correct(fx.p, fx.share(x), fx.share(onehot), rows, cols), want);
}

// SGD on a flat parameter vector stored per `runs` (fractional bits f or 2f,
// as Model::param_runs gives them) against float64.
void check_sgd_layout(const std::vector<ParamRun>& runs) {
  Fixture fx;
  const std::size_t n = 200, batch = 128;
  auto theta = random_vec(n, 1);
  std::vector<Ring> enc(n);
  for (std::size_t i = 0, at = 0; at < n; at += runs[i++].count)
    for (std::size_t j = at; j < at + runs[i].count; ++j) enc[j] = encode_fixed(theta[j], runs[i].frac_bits);
  Clear::Share th = fx.p.input(0, enc, n);
  Optimizer<Clear> opt({.kind = OptimizerKind::kSgd, .lr = 0.05}, n);
  std::vector<double> v(n, 0.0);
  for (int step = 0; step < 3; ++step) {
    const auto g = random_vec(n, 100 + step, -20, 20);  // summed over the batch
    opt.step(fx.p, th, fx.share(g), batch, runs);
    for (std::size_t i = 0; i < n; ++i) {
      v[i] = 0.9 * v[i] + g[i];
      theta[i] -= 0.05 / batch * v[i];
    }
  }
  const auto got = fx.p.reveal(th);
  for (std::size_t i = 0, at = 0; at < n; at += runs[i++].count)
    for (std::size_t j = at; j < at + runs[i].count; ++j)
      ASSERT_NEAR(decode_fixed(got[j], runs[i].frac_bits), theta[j], 5e-4) << "parameter " << j;
}

TEST(Optimizer, SgdMomentumMatchesFloat64) { check_sgd_layout({{200, kF}}); }

TEST(Optimizer, SgdOnParametersAt2fAndMixedLayouts) {
  check_sgd_layout({{200, 2 * kF}});
  check_sgd_layout({{70, kF}, {50, 2 * kF}, {80, kF}});
}

// Adam or AMSGrad on a mixed f / 2f layout against the float64 formula of
// host/nn/optimizer.h (summed gradients, epsilon scaled by the batch).
void check_adaptive_layout(OptimizerKind kind) {
  Fixture fx;
  const std::vector<ParamRun> runs{{60, kF}, {60, 2 * kF}};
  const std::size_t n = 120, batch = 64;
  const double lr = 0.01, b1 = 0.9, b2 = 0.999, eps = 1e-8;
  auto theta = random_vec(n, 3);
  std::vector<Ring> enc(n);
  for (std::size_t j = 0; j < n; ++j) enc[j] = encode_fixed(theta[j], j < 60 ? kF : 2 * kF);
  Clear::Share th = fx.p.input(0, enc, n);
  Optimizer<Clear> opt({.kind = kind, .lr = lr}, n);
  std::vector<double> m(n, 0.0), v(n, 0.0), vmax(n, 0.0);
  for (int step = 1; step <= 3; ++step) {
    auto g = random_vec(n, 200 + step, 1, 20);  // summed over the batch; magnitudes invsqrt covers
    for (std::size_t i = 0; i < n; i += 2) g[i] = -g[i];
    opt.step(fx.p, th, fx.share(g), batch, runs);
    const double c1 = 1 - std::pow(b1, step), c2 = 1 - std::pow(b2, step);
    const double e = eps * batch * std::sqrt(c2);
    for (std::size_t i = 0; i < n; ++i) {
      m[i] = b1 * m[i] + (1 - b1) * g[i];
      v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
      vmax[i] = std::max(vmax[i], v[i]);
      const double vv = kind == OptimizerKind::kAmsgrad ? vmax[i] : v[i];
      theta[i] -= lr * std::sqrt(c2) / c1 * m[i] / std::sqrt(vv + e * e);
    }
  }
  const auto got = fx.p.reveal(th);
  for (std::size_t j = 0; j < n; ++j)
    ASSERT_NEAR(decode_fixed(got[j], j < 60 ? kF : 2 * kF), theta[j], 5e-4) << "parameter " << j;
}

TEST(Optimizer, AdamOnAMixedLayoutMatchesFloat64) { check_adaptive_layout(OptimizerKind::kAdam); }
TEST(Optimizer, AmsgradOnAMixedLayoutMatchesFloat64) { check_adaptive_layout(OptimizerKind::kAmsgrad); }

TEST(Optimizer, PublicStochasticRateIsUnbiased) {
  // 51.3 units: the draws are 51 or 52 and average 51.3 over many steps.
  const double rate = 51.3 / 65536.0;
  double sum = 0;
  for (std::uint64_t t = 0; t < 20000; ++t) {
    const Ring c = encode_fixed_public_stochastic<Ring>(rate, kF, t);
    ASSERT_TRUE(c == 51 || c == 52) << c;
    sum += static_cast<double>(c);
  }
  EXPECT_NEAR(sum / 20000, 51.3, 0.02);
  EXPECT_EQ(encode_fixed_public_stochastic<Ring>(rate, kF, 7),
            encode_fixed_public_stochastic<Ring>(rate, kF, 7));
}

}  // namespace
}  // namespace sqt::nn
