// Secure training steps under rep3 over the in-process FakeNetwork, against
// the clear emulation of the same run (same public initial weights, exact
// truncation, so neither side draws randomness that the other does not):
// network C (two convolutions, Winograd for the second, max-pools) for two
// batches with SGD, and network A for a few steps of Adam and AMSGrad.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <memory>
#include <string>

#include "host/backend/backend.h"
#include "host/mpc/clear/clear.h"
#include "host/mpc/rep3/rep3.h"
#include "host/nn/model_file.h"
#include "host/nn/trainer_instances.h"
#include "tests/common/fake_network.h"
#include "tests/nn/synthetic_data.h"

namespace sqt::nn {
namespace {

namespace fs = std::filesystem;

struct Compared {
  double max_diff = 0;     // largest |rep3 - clear| over the weights
  double max_moved = 0;    // largest |clear - initial| over the weights
  std::size_t differ = 0;  // weights that are not bit-identical
  double rep3_accuracy = -1, clear_accuracy = -1;
};

// One epoch of `o` under rep3 (three threads) and under clear; compares the
// exported models.
Compared train_both(TrainOptions o, const std::string& name) {
  const std::string dir = ::testing::TempDir() + "/sqt_nn_rep3_steps_" + name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  o.epochs = 1;
  o.quiet = true;
  o.init = InitMode::kPublic;
  const auto train = testing::synthetic_mnist(o.batch * static_cast<std::size_t>(o.max_batches), 1);
  const auto test = testing::synthetic_mnist(20, 2);
  Compared c;

  TrainOptions secure = o;
  secure.export_path = dir + "/rep3.sqtm";
  test::run_three([&](net::Network& network) {
    auto be = backend::make_backend("cpu", 1);
    Trainer<mpc::Rep3> t(secure, [&](std::uint64_t) {
      return std::make_unique<mpc::Rep3>(network, *be, FixedParams{}, mpc::TruncMode::kExact,
                                         std::uint64_t{7});
    });
    const bool owner = network.party() == 0;
    const auto r = t.run(owner ? &train : nullptr, owner ? &test : nullptr);
    if (owner) c.rep3_accuracy = r.back().test_accuracy;
    return 0;
  });

  TrainOptions emulated = o;
  emulated.export_path = dir + "/clear.sqtm";
  auto be = backend::make_backend("cpu", 1);
  Trainer<mpc::Clear> t(emulated, [&](std::uint64_t seed) {
    return std::make_unique<mpc::Clear>(*be, FixedParams{}, mpc::TruncMode::kExact, seed);
  });
  c.clear_accuracy = t.run(&train, &test).back().test_accuracy;

  const auto a = read_model_file(secure.export_path).params, b = read_model_file(emulated.export_path).params;
  const auto init = glorot_init(make_architecture(o.model), o.seed);
  EXPECT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < std::min(a.size(), b.size()); ++i) {
    for (std::size_t j = 0; j < a[i].weight.size(); ++j) {
      c.differ += a[i].weight[j] != b[i].weight[j];
      c.max_diff = std::max(c.max_diff, std::abs(a[i].weight[j] - b[i].weight[j]));
      c.max_moved = std::max(c.max_moved, std::abs(b[i].weight[j] - init[i].weight[j]));
    }
    for (std::size_t j = 0; j < a[i].bias.size(); ++j) c.differ += a[i].bias[j] != b[i].bias[j];
  }
  return c;
}

void print(const char* what, const Compared& c) {
  std::printf("%s: %zu weights differ, max |rep3 - clear| %.3g, max move %.3g, accuracy %.2f / %.2f\n", what,
              c.differ, c.max_diff, c.max_moved, c.rep3_accuracy, c.clear_accuracy);
}

TEST(Rep3Steps, NetworkCTwoBatchesMatchTheClearEmulation) {
  TrainOptions o;
  o.model = "C";
  o.batch = 16;
  o.max_batches = 2;
  o.seed = 12;
  o.eval_batch = 20;
  const Compared c = train_both(o, "C");
  print("network C, SGD", c);
  EXPECT_GT(c.max_moved, 1e-4);  // the steps moved the weights
  EXPECT_EQ(c.differ, 0u);
  EXPECT_EQ(c.rep3_accuracy, c.clear_accuracy);
}

void check_adaptive(OptimizerKind kind, const char* name) {
  TrainOptions o;
  o.model = "A";
  o.batch = 32;
  o.max_batches = 3;
  o.seed = 13;
  o.eval_batch = 20;
  o.optimizer.kind = kind;
  o.optimizer.lr = 0.001;
  const Compared c = train_both(o, name);
  print(name, c);
  // Adam's first steps move every weight by about lr.
  EXPECT_GT(c.max_moved, 0.5 * 3 * o.optimizer.lr);
  EXPECT_EQ(c.differ, 0u);
  EXPECT_EQ(c.rep3_accuracy, c.clear_accuracy);
}

TEST(Rep3Steps, AdamStepsMatchTheClearEmulation) { check_adaptive(OptimizerKind::kAdam, "adam"); }
TEST(Rep3Steps, AmsgradStepsMatchTheClearEmulation) { check_adaptive(OptimizerKind::kAmsgrad, "amsgrad"); }

}  // namespace
}  // namespace sqt::nn
