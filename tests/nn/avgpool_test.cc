// Average pooling on the clear protocol against a scalar float64 reference:
// forward (the window means) and backward (dY / window scattered over each
// window, overlaps accumulated), for a power-of-two window (one truncation
// by log2) and for 3x3 windows (a product with 1/9, then one truncation).
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "host/backend/backend.h"
#include "host/mpc/clear/clear.h"
#include "host/nn/model.h"

namespace sqt::nn {
namespace {

constexpr int kF = 16;

std::vector<double> random_vec(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 g(seed);
  std::uniform_real_distribution<double> u(-3, 3);
  std::vector<double> v(n);
  for (double& x : v) x = u(g);
  return v;
}

struct Reference {
  std::vector<double> y, dx;
};

// NHWC, no padding: y[n][oh][ow][c] = mean of the window; dx by the chain rule.
Reference reference(Shape in, int window, int stride, int batch, const std::vector<double>& x,
                    const std::vector<double>& dy) {
  const int oh_n = (in.h - window) / stride + 1, ow_n = (in.w - window) / stride + 1;
  const double inv = 1.0 / (window * window);
  Reference r{std::vector<double>(static_cast<std::size_t>(batch) * oh_n * ow_n * in.c, 0.0),
              std::vector<double>(x.size(), 0.0)};
  std::size_t o = 0;
  for (int n = 0; n < batch; ++n)
    for (int oh = 0; oh < oh_n; ++oh)
      for (int ow = 0; ow < ow_n; ++ow)
        for (int c = 0; c < in.c; ++c, ++o)
          for (int kh = 0; kh < window; ++kh)
            for (int kw = 0; kw < window; ++kw) {
              const std::size_t at =
                  ((static_cast<std::size_t>(n) * in.h + oh * stride + kh) * in.w + ow * stride + kw) * in.c +
                  c;
              r.y[o] += x[at] * inv;
              r.dx[at] += dy[o] * inv;
            }
  return r;
}

void check(Shape in, int window, int stride, double tol) {
  SCOPED_TRACE(::testing::Message() << "window " << window << " stride " << stride);
  constexpr int kBatch = 2;
  auto be = backend::make_backend("cpu", 1);
  mpc::Clear p(*be, FixedParams{}, mpc::TruncMode::kExact, 7);
  const Architecture arch{
      "avgpool", in, 10, {{.kind = LayerKind::kAvgPool, .stride = stride, .window = window}}};
  const Shape out = layer_output_shapes(arch).back();
  const auto x = random_vec(kBatch * in.size(), 1), dy = random_vec(kBatch * out.size(), 2);
  auto share = [&](const std::vector<double>& v) {
    std::vector<Ring> e(v.size());
    for (std::size_t i = 0; i < v.size(); ++i) e[i] = encode_fixed(v[i], kF);
    return p.input(0, e, e.size());
  };
  auto open = [&](const mpc::Clear::Share& s) {
    std::vector<double> r;
    for (Ring v : p.reveal(s)) r.push_back(decode_fixed(v, kF));
    return r;
  };
  Model<mpc::Clear> model(p, arch);
  const auto y = open(model.forward(share(x), kBatch, true));
  const auto dx = open(model.backward(share(dy), kBatch, true));
  const Reference want = reference(in, window, stride, kBatch, x, dy);
  ASSERT_EQ(y.size(), want.y.size());
  ASSERT_EQ(dx.size(), want.dx.size());
  for (std::size_t i = 0; i < y.size(); ++i) ASSERT_NEAR(y[i], want.y[i], tol) << "output " << i;
  for (std::size_t i = 0; i < dx.size(); ++i) ASSERT_NEAR(dx[i], want.dx[i], tol) << "input gradient " << i;
}

// ulp = 2^-16 = 1.5e-5: a power-of-two window truncates once by its log2;
// a 3x3 window's 1/9 is rounded at f bits (error <= 9 * 3 * 2^-17 on a sum).
TEST(AvgPool, PowerOfTwoWindowMatchesFloat64) { check({6, 6, 3}, 2, 2, 2e-5); }
TEST(AvgPool, OverlappingThreeByThreeMatchesFloat64) {
  check({7, 7, 2}, 3, 2, 3e-4);
  check({5, 5, 2}, 3, 1, 3e-4);
}

}  // namespace
}  // namespace sqt::nn
