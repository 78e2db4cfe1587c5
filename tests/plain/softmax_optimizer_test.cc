// Softmax cross-entropy and the optimizers against float64 formulas.
#include <gtest/gtest.h>

#include <cmath>

#include "host/core/error.h"
#include "host/plain/optimizer.h"
#include "host/plain/softmax_ce.h"
#include "tests/common/float_reference.h"
#include "tests/plain/random_fill.h"

namespace sqt::plain {
namespace {

namespace ref = sqt::testing::ref;
using testing::random_vec;
using testing::to_float;

TEST(SoftmaxCe, MatchesReferenceIncludingLargeLogits) {
  const int n = 6, classes = 10;
  auto z = random_vec(n * classes, 41, -8, 8);
  z[3] = 80;  // exp(80) overflows float: the row maximum must be subtracted
  const std::vector<std::uint8_t> labels = {0, 3, 9, 4, 4, 1};
  std::vector<float> grad(z.size());
  const double loss = softmax_cross_entropy(to_float(z).data(), labels, classes, grad.data());
  ref::Vec want_grad;
  const double want = ref::softmax_ce(z, labels, classes, want_grad);
  EXPECT_NEAR(loss, want, 1e-4 * want);
  for (std::size_t i = 0; i < z.size(); ++i) EXPECT_NEAR(grad[i], want_grad[i], 1e-6) << i;
  EXPECT_EQ(count_correct(to_float(z).data(), labels, classes), [&] {
    std::size_t c = 0;
    for (int s = 0; s < n; ++s) {
      int best = 0;
      for (int k = 1; k < classes; ++k)
        if (z[s * classes + k] > z[s * classes + best]) best = k;
      c += best == labels[s];
    }
    return c;
  }());
}

ParamStore one_layer(const std::vector<double>& w, const std::vector<double>& b) {
  ParamStore store(1);
  store[0].weight = to_float(w);
  store[0].bias = to_float(b);
  store[0].grad_weight.assign(w.size(), 0);
  store[0].grad_bias.assign(b.size(), 0);
  return store;
}

TEST(Optimizers, SgdMomentumMatchesFormula) {
  auto w = random_vec(7, 51), b = random_vec(2, 52);
  ParamStore store = one_layer(w, b);
  OptimizerConfig cfg;  // sgd, lr 0.01, momentum 0.9
  Optimizer opt(cfg, store);
  std::vector<double> v(7, 0.0);
  const int batch = 128;
  for (int step = 0; step < 3; ++step) {
    const auto g = random_vec(7, 60 + step, -50, 50);  // summed over the batch
    for (int k = 0; k < 7; ++k) store[0].grad_weight[k] = static_cast<float>(g[k]);
    opt.step(batch);
    for (int k = 0; k < 7; ++k) {
      v[k] = 0.9 * v[k] - 0.01 * g[k] / batch;
      w[k] += v[k];
      EXPECT_NEAR(store[0].weight[k], w[k], 1e-6) << "step " << step << " k " << k;
      EXPECT_EQ(store[0].grad_weight[k], 0.0f);  // gradients are reset
    }
  }
}

void check_adaptive(OptimizerKind kind) {
  auto w = random_vec(9, 71);
  ParamStore store = one_layer(w, {0.0});
  OptimizerConfig cfg;
  cfg.kind = kind;
  cfg.lr = 0.001;
  Optimizer opt(cfg, store);
  std::vector<double> m(9, 0), s(9, 0), s_max(9, 0);
  const int batch = 64;
  for (int t = 1; t <= 5; ++t) {
    // Gradients that collapse after two steps make the second moment fall,
    // so AMSGrad's running maximum differs from Adam's moment.
    const double range = t <= 2 ? 64.0 : 0.01;
    const auto g = random_vec(9, 80 + t, -range, range);
    for (int k = 0; k < 9; ++k) store[0].grad_weight[k] = static_cast<float>(g[k]);
    opt.step(batch);
    for (int k = 0; k < 9; ++k) {
      const double gk = g[k] / batch;
      m[k] = 0.9 * m[k] + 0.1 * gk;
      s[k] = 0.999 * s[k] + 0.001 * gk * gk;
      s_max[k] = std::max(s_max[k], s[k]);
      const double s_hat = (kind == OptimizerKind::kAmsgrad ? s_max[k] : s[k]) / (1 - std::pow(0.999, t));
      if (t >= 3) {
        EXPECT_LT(s[k], s_max[k]);
      }
      w[k] -= 0.001 * (m[k] / (1 - std::pow(0.9, t))) / std::sqrt(s_hat + 1e-16);
      EXPECT_NEAR(store[0].weight[k], w[k], 1e-5) << "t " << t << " k " << k;
    }
  }
}

TEST(Optimizers, AdamMatchesFormula) { check_adaptive(OptimizerKind::kAdam); }
TEST(Optimizers, AmsgradMatchesFormula) { check_adaptive(OptimizerKind::kAmsgrad); }

TEST(Optimizers, ParseNamesTheBadValue) {
  EXPECT_EQ(parse_optimizer("amsgrad"), OptimizerKind::kAmsgrad);
  try {
    parse_optimizer("rmsprop");
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("rmsprop"), std::string::npos);
  }
}

}  // namespace
}  // namespace sqt::plain
