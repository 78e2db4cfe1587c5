// Each oneDNN layer of the float reference against the float64 scalar
// reference (tests/common/float_reference.h), forward and backward, on
// random inputs: dense, convolutions with stride and padding, max-pool with
// and without overlapping windows, ReLU.
#include "host/plain/layers.h"

#include <gtest/gtest.h>

#include <cmath>

#include "tests/common/float_reference.h"
#include "tests/plain/random_fill.h"

namespace sqt::plain {
namespace {

namespace ref = sqt::testing::ref;
using testing::random_vec;
using testing::to_float;

// |got - want| within a relative float32 tolerance of the largest magnitude.
void expect_close(const float* got, const std::vector<double>& want, const char* what, double tol = 2e-5) {
  double scale = 1e-6;
  for (double v : want) scale = std::max(scale, std::abs(v));
  for (std::size_t i = 0; i < want.size(); ++i)
    ASSERT_NEAR(got[i], want[i], tol * scale * 10) << what << " index " << i;
}

TEST(PlainLayers, DenseForwardBackwardAccumulates) {
  DnnlContext ctx;
  const int n = 5, in = 17, out = 9;
  nn::LayerSpec spec{nn::LayerKind::kDense, out};
  const auto x = random_vec(n * in, 1), w = random_vec(in * out, 2), b = random_vec(out, 3),
             dy = random_vec(n * out, 4);
  ParamSlot p{to_float(w), to_float(b), std::vector<float>(w.size()), std::vector<float>(b.size())};
  auto layer = make_layer(ctx, spec, {1, 1, in}, {1, 1, out}, n, p, true);
  const auto xf = to_float(x), dyf = to_float(dy);
  expect_close(layer->forward(xf.data()), ref::dense_forward(x, w, b, n, in, out), "y");
  ref::Vec dw(w.size()), db(b.size());
  const auto dx = ref::dense_backward(x, w, dy, n, in, out, dw, db);
  expect_close(layer->backward(dyf.data()), dx, "dx");
  expect_close(p.grad_weight.data(), dw, "dw");
  expect_close(p.grad_bias.data(), db, "db");
  // A second backward adds the same gradients again.
  layer->backward(dyf.data());
  for (auto& v : dw) v *= 2;
  expect_close(p.grad_weight.data(), dw, "dw twice");
}

struct ConvCase {
  int h, w, c_in, c_out, k, stride, pad, n;
};

class PlainConv : public ::testing::TestWithParam<ConvCase> {};

TEST_P(PlainConv, MatchesReference) {
  const ConvCase t = GetParam();
  DnnlContext ctx;
  nn::LayerSpec spec{nn::LayerKind::kConv, t.c_out, t.k, t.stride, t.pad};
  const ref::Dims xd{t.n, t.h, t.w, t.c_in};
  const auto x = random_vec(xd.size(), 11), w = random_vec(t.k * t.k * t.c_in * t.c_out, 12),
             b = random_vec(t.c_out, 13);
  ref::Dims yd;
  const auto y = ref::conv_forward(x, xd, w, b, t.k, t.c_out, t.stride, t.pad, yd);
  const auto dy = random_vec(yd.size(), 14);
  ParamSlot p{to_float(w), to_float(b), std::vector<float>(w.size()), std::vector<float>(b.size())};
  auto layer = make_layer(ctx, spec, {t.h, t.w, t.c_in}, {yd.h, yd.w, yd.c}, t.n, p, true);
  const auto xf = to_float(x), dyf = to_float(dy);
  expect_close(layer->forward(xf.data()), y, "y");
  ref::Vec dw(w.size()), db(b.size());
  const auto dx = ref::conv_backward(x, xd, w, dy, yd, t.k, t.stride, t.pad, dw, db);
  expect_close(layer->backward(dyf.data()), dx, "dx");
  expect_close(p.grad_weight.data(), dw, "dw");
  expect_close(p.grad_bias.data(), db, "db");
}

INSTANTIATE_TEST_SUITE_P(Shapes, PlainConv,
                         ::testing::Values(ConvCase{12, 12, 1, 4, 5, 1, 0,
                                                    3},                       // network C's first conv, small
                                           ConvCase{8, 8, 3, 5, 5, 1, 0, 2},  // several input channels
                                           ConvCase{14, 14, 1, 5, 5, 2, 2, 2},  // network D: stride 2, "same"
                                           ConvCase{9, 9, 4, 3, 3, 1, 1, 2},    // AlexNet's 3x3 pad 1
                                           ConvCase{20, 20, 3, 4, 11, 4, 9, 1},  // AlexNet's first: s4 p9
                                           ConvCase{7, 7, 2, 3, 3, 2, 0, 2}),  // stride 2 that skips the edge
                         [](const auto& info) {
                           const ConvCase& t = info.param;
                           return "in" + std::to_string(t.h) + "c" + std::to_string(t.c_in) + "_k" +
                                  std::to_string(t.k) + "s" + std::to_string(t.stride) + "p" +
                                  std::to_string(t.pad);
                         });

struct PoolCase {
  int h, w, c, window, stride, n;
};

class PlainMaxPool : public ::testing::TestWithParam<PoolCase> {};

TEST_P(PlainMaxPool, ForwardAndAccumulatingBackward) {
  const PoolCase t = GetParam();
  DnnlContext ctx;
  nn::LayerSpec spec{nn::LayerKind::kMaxPool, 0, 0, t.stride, 0, t.window};
  const ref::Dims xd{t.n, t.h, t.w, t.c};
  const auto x = random_vec(xd.size(), 21);  // distinct values: no ties
  ref::Dims yd;
  std::vector<std::size_t> argmax;
  const auto y = ref::maxpool_forward(x, xd, t.window, t.stride, yd, argmax);
  const auto dy = random_vec(yd.size(), 22);
  ParamSlot none;
  auto layer = make_layer(ctx, spec, {t.h, t.w, t.c}, {yd.h, yd.w, yd.c}, t.n, none, true);
  const auto xf = to_float(x), dyf = to_float(dy);
  expect_close(layer->forward(xf.data()), y, "y", 0);
  const auto dx = ref::maxpool_backward(dy, argmax, xd.size());
  expect_close(layer->backward(dyf.data()), dx, "dx");
}

INSTANTIATE_TEST_SUITE_P(Windows, PlainMaxPool,
                         ::testing::Values(PoolCase{8, 8, 3, 2, 2, 2},   // networks B, C
                                           PoolCase{9, 9, 4, 3, 2, 2},   // AlexNet: 3 stride 2, overlapping
                                           PoolCase{6, 6, 2, 2, 1, 3},   // AlexNet: 2 stride 1, overlapping
                                           PoolCase{7, 7, 1, 3, 1, 1}),  // heavy overlap
                         [](const auto& info) {
                           const PoolCase& t = info.param;
                           return "in" + std::to_string(t.h) + "_w" + std::to_string(t.window) + "s" +
                                  std::to_string(t.stride);
                         });

TEST(PlainLayers, OverlappingPoolAccumulatesOnSharedMaximum) {
  // One 3x3 input whose maximum sits in all four 2x2 stride-1 windows: its
  // gradient is the sum of the four output gradients.
  DnnlContext ctx;
  nn::LayerSpec spec{nn::LayerKind::kMaxPool, 0, 0, 1, 0, 2};
  const std::vector<float> x = {0.1f, 0.2f, 0.3f, 0.4f, 9.0f, 0.5f, 0.6f, 0.7f, 0.8f};
  ParamSlot none;
  auto layer = make_layer(ctx, spec, {3, 3, 1}, {2, 2, 1}, 1, none, true);
  const float* y = layer->forward(x.data());
  for (int j = 0; j < 4; ++j) EXPECT_EQ(y[j], 9.0f);
  const std::vector<float> dy = {1.0f, 2.0f, 3.0f, 4.0f};
  const float* dx = layer->backward(dy.data());
  for (int i = 0; i < 9; ++i) EXPECT_EQ(dx[i], i == 4 ? 10.0f : 0.0f) << i;
}

TEST(PlainLayers, Relu) {
  DnnlContext ctx;
  nn::LayerSpec spec{nn::LayerKind::kRelu};
  const auto x = random_vec(2 * 5 * 5 * 3, 31), dy = random_vec(x.size(), 32);
  ParamSlot none;
  auto layer = make_layer(ctx, spec, {5, 5, 3}, {5, 5, 3}, 2, none, true);
  const auto xf = to_float(x), dyf = to_float(dy);
  expect_close(layer->forward(xf.data()), ref::relu_forward(x), "y", 0);
  expect_close(layer->backward(dyf.data()), ref::relu_backward(x, dy), "dx", 0);
}

}  // namespace
}  // namespace sqt::plain
