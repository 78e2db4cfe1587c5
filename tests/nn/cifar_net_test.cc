// Network "cifar" (the CIFAR-10 network of the paper's 2023 correction):
// which convs Winograd takes, two SGD steps of the clear emulation against
// a float64 model, and rep3 over the in-process FakeNetwork against the
// clear emulation bit for bit (exact truncation, public initial weights).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "host/backend/backend.h"
#include "host/mpc/clear/clear.h"
#include "host/mpc/rep3/rep3.h"
#include "host/nn/model.h"
#include "host/nn/model_file.h"
#include "host/nn/optimizer.h"
#include "host/nn/softmax_ce.h"
#include "host/nn/trainer_instances.h"
#include "host/nn/winograd.h"
#include "tests/common/fake_network.h"
#include "tests/common/reference_net.h"

namespace sqt::nn {
namespace {

namespace fs = std::filesystem;

// CIFAR-shaped random images (values in [-1, 1) as the CIFAR-10 reader maps
// them) with random labels: the runs below compare computations, not learning.
data::Dataset random_cifar(std::size_t n, std::uint64_t seed) {
  data::Dataset d;
  d.name = "random-cifar";
  d.count = n;
  d.height = d.width = 32;
  d.channels = 3;
  d.scale = 1.0f / 128;
  d.offset = -1.0f;
  d.pixels.resize(n * d.sample_size());
  d.labels.resize(n);
  std::mt19937_64 g(seed);
  for (auto& p : d.pixels) p = static_cast<std::uint8_t>(g());
  for (auto& l : d.labels) l = static_cast<std::uint8_t>(g() % 10);
  return d;
}

// The 3x3 stride-1 convs over 64 or 96 channels run through Winograd; the
// first (3 input channels) through im2col.
TEST(CifarNet, WinogradTakesEveryConvButTheFirst) {
  const Architecture arch = make_architecture("cifar");
  const auto plans = winograd_plans(arch, ConvAlgorithm::kAuto);
  ASSERT_EQ(plans.size(), arch.layers.size());
  std::vector<std::size_t> planned;
  for (std::size_t i = 0; i < plans.size(); ++i)
    if (plans[i]) planned.push_back(i);
  EXPECT_EQ(planned, (std::vector<std::size_t>{3, 6, 8, 10}));
  for (const std::size_t i : planned) {
    EXPECT_EQ(plans[i]->geometry().kernel, 3) << "layer " << i;
    EXPECT_LE(plans[i]->extra_bits(), WinogradConv::kMaxExtraBits) << "layer " << i;
  }
  EXPECT_EQ(plans[3]->geometry().padding, 2);  // 17x17 -> 19x19
  EXPECT_EQ(plans[3]->geometry().out_h, 19);
}

// Two SGD steps (momentum 0.9, lr 0.05, batch 4) of the clear emulation
// against the same steps in float64 (tests/common/reference_net.h): every
// layer's forward and backward, the Winograd ones included.
TEST(CifarNet, ClearSgdStepsMatchFloat64Model) {
  const Architecture arch = make_architecture("cifar");
  constexpr int kF = 16, batch = 4, steps = 2;
  constexpr double lr = 0.05;
  auto be = backend::make_backend("cpu", 1);
  mpc::Clear p(*be, FixedParams{}, mpc::TruncMode::kExact, 3);
  Model<mpc::Clear> model(p, arch);
  // Both start from the weights on the fixed-point grid.
  const ModelParams init = model.decode(model.encode(glorot_init(arch, 4)));
  model.set_public(init);
  sqt::testing::ref::ReferenceNet ref(arch, init);
  Optimizer<mpc::Clear> opt({.kind = OptimizerKind::kSgd, .lr = lr}, model.param_count());
  opt.set_total_steps(steps);
  ModelParams velocity(arch.layers.size());
  std::mt19937_64 g(8);
  std::uniform_real_distribution<double> u(-1, 1);
  double first_logit_diff = 0, max_logit = 0;
  for (int step = 0; step < steps; ++step) {
    std::vector<double> x(batch * arch.input.size()), onehot(batch * 10, 0.0);
    for (double& v : x) v = std::ldexp(std::round(std::ldexp(u(g), kF)), -kF);
    for (int r = 0; r < batch; ++r) onehot[r * 10 + g() % 10] = 1;
    std::vector<Ring> xe(x.size()), ye(onehot.size());
    for (std::size_t i = 0; i < x.size(); ++i) xe[i] = encode_fixed(x[i], kF);
    for (std::size_t i = 0; i < onehot.size(); ++i) ye[i] = encode_fixed(onehot[i], kF);
    const auto logits = model.forward(p.input(0, xe, xe.size()), batch, true);
    const auto opened = p.reveal(logits);
    const auto dlogits = softmax_ce_grad(p, logits, p.input(0, ye, ye.size()), batch, 10);
    model.backward(dlogits, batch);
    opt.step(p, model.params(), model.grads(), batch, model.param_runs());

    const auto z = ref.forward(x, batch);
    for (std::size_t i = 0; i < z.size() && step == 0; ++i) {
      first_logit_diff = std::max(first_logit_diff, std::abs(decode_fixed(opened[i], kF) - z[i]));
      max_logit = std::max(max_logit, std::abs(z[i]));
    }
    std::vector<double> dz(z.size());
    for (int r = 0; r < batch; ++r) {
      double mx = -1e300, s = 0;
      for (int c = 0; c < 10; ++c) mx = std::max(mx, z[r * 10 + c]);
      for (int c = 0; c < 10; ++c) s += std::exp(z[r * 10 + c] - mx);
      for (int c = 0; c < 10; ++c) dz[r * 10 + c] = std::exp(z[r * 10 + c] - mx) / s - onehot[r * 10 + c];
    }
    ref.backward(dz, batch);
    for (std::size_t i = 0; i < arch.layers.size(); ++i) {
      auto update = [&](std::vector<double>& w, std::vector<double>& v, const std::vector<double>& gr) {
        v.resize(w.size(), 0.0);
        for (std::size_t j = 0; j < w.size(); ++j) {
          v[j] = 0.9 * v[j] + gr[j];
          w[j] -= lr / batch * v[j];
        }
      };
      if (ref.params[i].weight.empty()) continue;
      update(ref.params[i].weight, velocity[i].weight, ref.grads[i].weight);
      update(ref.params[i].bias, velocity[i].bias, ref.grads[i].bias);
    }
  }
  const ModelParams got = model.decode(p.reveal(model.params()));
  double max_diff = 0, max_change = 0;
  for (std::size_t i = 0; i < arch.layers.size(); ++i)
    for (std::size_t j = 0; j < got[i].weight.size(); ++j) {
      max_diff = std::max(max_diff, std::abs(got[i].weight[j] - ref.params[i].weight[j]));
      max_change = std::max(max_change, std::abs(ref.params[i].weight[j] - init[i].weight[j]));
    }
  std::printf("first logits max diff %.3g (largest %.3g), weights max diff %.3g, max change %.3g\n",
              first_logit_diff, max_logit, max_diff, max_change);
  EXPECT_GT(max_logit, 0.05);
  EXPECT_LT(first_logit_diff, 1e-3);
  EXPECT_GT(max_change, 1e-3);  // the steps moved the weights
  // The conv layers' gradients sum thousands of products of small
  // activation gradients rounded to f = 16 bits: a few per cent of the step.
  EXPECT_LT(max_diff, max_change / 8);
}

// Two batches of 8 through the trainer under rep3 (three threads over the
// FakeNetwork) and under clear: the same exported model bit for bit and the
// same test accuracy.
TEST(CifarNet, Rep3TwoBatchesMatchTheClearEmulation) {
  const std::string dir = ::testing::TempDir() + "/sqt_nn_cifar_rep3";
  fs::remove_all(dir);
  fs::create_directories(dir);
  TrainOptions o;
  o.model = "cifar";
  o.batch = 8;
  o.max_batches = 2;
  o.seed = 12;
  o.eval_batch = 8;
  o.quiet = true;
  o.init = InitMode::kPublic;
  const auto train = random_cifar(16, 1), test = random_cifar(8, 2);

  TrainOptions secure = o;
  secure.export_path = dir + "/rep3.sqtm";
  double rep3_accuracy = -1;
  test::run_three([&](net::Network& network) {
    auto be = backend::make_backend("cpu", 1);
    Trainer<mpc::Rep3> t(secure, [&](std::uint64_t) {
      return std::make_unique<mpc::Rep3>(network, *be, FixedParams{}, mpc::TruncMode::kExact,
                                         std::uint64_t{7});
    });
    const bool owner = network.party() == 0;
    const auto r = t.run(owner ? &train : nullptr, owner ? &test : nullptr);
    if (owner) rep3_accuracy = r.back().test_accuracy;
    return 0;
  });

  TrainOptions emulated = o;
  emulated.export_path = dir + "/clear.sqtm";
  auto be = backend::make_backend("cpu", 1);
  Trainer<mpc::Clear> t(emulated, [&](std::uint64_t seed) {
    return std::make_unique<mpc::Clear>(*be, FixedParams{}, mpc::TruncMode::kExact, seed);
  });
  const double clear_accuracy = t.run(&train, &test).back().test_accuracy;

  const auto a = read_model_file(secure.export_path).params, b = read_model_file(emulated.export_path).params;
  const auto init = glorot_init(make_architecture("cifar"), o.seed);
  ASSERT_EQ(a.size(), b.size());
  std::size_t differ = 0;
  double moved = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    ASSERT_EQ(a[i].weight.size(), b[i].weight.size());
    for (std::size_t j = 0; j < a[i].weight.size(); ++j) {
      differ += a[i].weight[j] != b[i].weight[j];
      moved = std::max(moved, std::abs(b[i].weight[j] - init[i].weight[j]));
    }
    for (std::size_t j = 0; j < a[i].bias.size(); ++j) differ += a[i].bias[j] != b[i].bias[j];
  }
  EXPECT_GT(moved, 1e-4);
  EXPECT_EQ(differ, 0u);
  EXPECT_EQ(rep3_accuracy, clear_accuracy);
}

}  // namespace
}  // namespace sqt::nn
