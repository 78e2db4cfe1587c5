// What one training run does with its protocol: it builds one protocol
// object for the whole run, runs Protocol::verify() before every value it
// opens, before each checkpoint and at the end, and stops at a failed check
// before opening or writing anything; the run's model uses --conv.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "host/backend/backend.h"
#include "host/core/error.h"
#include "host/mpc/clear/clear.h"
#include "host/nn/checkpoint.h"
#include "host/nn/model.h"
#include "host/nn/model_file.h"
#include "host/nn/trainer_instances.h"
#include "tests/nn/synthetic_data.h"

namespace sqt::nn {
namespace {

namespace fs = std::filesystem;

// The verify() calls and openings of a run, in order.
struct Events {
  std::vector<std::string> seen;
  int protocols_built = 0;
};

// The clear emulation with a verify() that fails on its `fail_at`-th call
// (never when 0), as a malicious protocol's MAC check would.
class CheckedClear : public mpc::Clear {
 public:
  CheckedClear(Events& log, backend::Backend& backend, std::uint64_t seed, int fail_at)
      : mpc::Clear(backend, FixedParams{}, mpc::TruncMode::kExact, seed), log_(&log), fail_at_(fail_at) {
    ++log_->protocols_built;
  }

  void verify() {
    log_->seen.emplace_back("verify");
    if (++calls_ == fail_at_)
      throw VerificationError("MAC check of the test protocol failed at call " + std::to_string(calls_));
  }
  std::vector<Ring> reveal(const Share& x) {
    log_->seen.emplace_back("open");
    return mpc::Clear::reveal(x);
  }
  std::vector<Ring> reveal_to(int to, const Share& x) {
    log_->seen.emplace_back("open");
    return mpc::Clear::reveal_to(to, x);
  }
  std::vector<std::uint64_t> reveal_bits(const Bits& b) {
    log_->seen.emplace_back("open bits");
    return mpc::Clear::reveal_bits(b);
  }

 private:
  Events* log_;
  int fail_at_;
  int calls_ = 0;
};

static_assert(mpc::Protocol<CheckedClear>);

TrainOptions run_options(const std::string& dir) {
  TrainOptions o;
  o.model = "A";
  o.batch = 32;
  o.max_batches = 2;
  o.epochs = 2;
  o.seed = 4;
  o.eval_batch = 25;
  o.quiet = true;
  o.compute_loss = true;
  o.checkpoint = dir + "/ckpt";
  o.metrics = dir + "/metrics.jsonl";
  o.export_path = dir + "/model.sqtm";
  return o;
}

struct RunLog {
  Events events;
  std::string error;  // what() of the VerificationError, if any
};

RunLog train(const TrainOptions& o, int fail_at) {
  fs::create_directories(o.checkpoint);
  const auto train = testing::synthetic_mnist(64, 1), test = testing::synthetic_mnist(50, 2);
  auto be = backend::make_backend("cpu", 1);
  RunLog run;
  Trainer<CheckedClear> t(
      o, [&](std::uint64_t seed) { return std::make_unique<CheckedClear>(run.events, *be, seed, fail_at); });
  try {
    t.run(&train, &test);
  } catch (const VerificationError& e) {
    run.error = e.what();
  }
  return run;
}

std::string fresh_dir(const std::string& name) {
  const std::string dir = ::testing::TempDir() + "/sqt_nn_run_" + name;
  fs::remove_all(dir);
  return dir;
}

// The set sizes, per epoch the accuracy count, the loss sum and the
// checkpoint, then the export (parameters and input map) and the end: each
// preceded by its own check. One protocol object for the two epochs.
TEST(TrainerRun, VerifiesBeforeEveryOpeningCheckpointAndAtTheEnd) {
  const RunLog run = train(run_options(fresh_dir("verify_all")), 0);
  EXPECT_EQ(run.error, "");
  const std::vector<std::string> epoch = {"verify", "open", "verify", "open", "verify"};
  std::vector<std::string> want = {"verify", "open"};
  for (int e = 0; e < 2; ++e) want.insert(want.end(), epoch.begin(), epoch.end());
  want.insert(want.end(), {"verify", "open", "verify", "open", "verify"});
  EXPECT_EQ(run.events.seen, want);
  EXPECT_EQ(run.events.protocols_built, 1);
}

// A failed check before the first accuracy count: nothing of the training is
// opened, no checkpoint and no metrics line are written, and the error names
// the check and the point of the run.
TEST(TrainerRun, FailedCheckStopsBeforeTheAccuracyIsOpened) {
  const TrainOptions o = run_options(fresh_dir("fail_accuracy"));
  const RunLog run = train(o, 2);
  EXPECT_NE(run.error.find("MAC check of the test protocol failed"), std::string::npos) << run.error;
  EXPECT_NE(run.error.find("test accuracy of epoch 1"), std::string::npos) << run.error;
  EXPECT_EQ(run.events.seen, (std::vector<std::string>{"verify", "open", "verify"}));
  EXPECT_FALSE(fs::exists(checkpoint_path(o.checkpoint, 0)));
  EXPECT_FALSE(fs::exists(o.metrics));
  EXPECT_FALSE(fs::exists(o.export_path));
}

// A failed check before the second epoch's checkpoint: the first epoch's
// checkpoint stays as it was written (epoch 1), the second is not written.
TEST(TrainerRun, FailedCheckStopsBeforeTheCheckpointIsWritten) {
  const TrainOptions o = run_options(fresh_dir("fail_checkpoint"));
  const RunLog run = train(o, 7);  // sizes, then accuracy, loss, checkpoint per epoch
  EXPECT_NE(run.error.find("checkpoint of epoch 2"), std::string::npos) << run.error;
  ASSERT_TRUE(fs::exists(checkpoint_path(o.checkpoint, 0)));
  EXPECT_EQ(read_checkpoint(checkpoint_path(o.checkpoint, 0)).epochs_done, 1u);
  EXPECT_FALSE(fs::exists(o.export_path));
}

// A failure at the export's check: no model file is written.
TEST(TrainerRun, FailedCheckStopsBeforeTheExport) {
  TrainOptions o = run_options(fresh_dir("fail_export"));
  o.epochs = 1;
  const RunLog run = train(o, 5);  // sizes, accuracy, loss, checkpoint, then the export
  EXPECT_NE(run.error.find("model is exported"), std::string::npos) << run.error;
  EXPECT_EQ(run.events.seen.back(), "verify");
  EXPECT_FALSE(fs::exists(o.export_path));
}

// Network C's second conv reads 20 channels: Winograd under --conv auto,
// im2col under --conv im2col.
TEST(TrainerRun, ModelReportsItsConvAlgorithm) {
  auto be = backend::make_backend("cpu", 1);
  mpc::Clear p(*be, FixedParams{}, mpc::TruncMode::kExact, 1);
  const Architecture arch = make_architecture("C");
  Model<mpc::Clear> automatic(p, arch), im2col(p, arch, ConvAlgorithm::kIm2col);
  EXPECT_EQ(automatic.conv(), ConvAlgorithm::kAuto);
  EXPECT_EQ(im2col.conv(), ConvAlgorithm::kIm2col);
  std::size_t winograd_layers = 0;
  for (std::size_t i = 0; i < arch.layers.size(); ++i) {
    winograd_layers += automatic.uses_winograd(i);
    EXPECT_FALSE(im2col.uses_winograd(i)) << "layer " << i;
  }
  EXPECT_GE(winograd_layers, 1u);
}

// The trainer's model uses TrainOptions::conv: two batches of network C give
// different weights that are both a valid step from the same start (close to
// each other, moved from the start). Winograd is exact, so with exact
// truncation both algorithms agree bit for bit; probabilistic truncation
// tells them apart (Winograd truncates its products by f + extra bits).
TEST(TrainerRun, ConvOptionChangesTheTrainersComputation) {
  const auto train_set = testing::synthetic_mnist(32, 1), test_set = testing::synthetic_mnist(10, 2);
  auto be = backend::make_backend("cpu", 1);
  auto run = [&](ConvAlgorithm conv) {
    const std::string dir = fresh_dir(conv == ConvAlgorithm::kIm2col ? "conv_im2col" : "conv_auto");
    fs::create_directories(dir);
    TrainOptions o;
    o.model = "C";
    o.batch = 16;
    o.max_batches = 2;
    o.seed = 6;
    o.eval_batch = 10;
    o.quiet = true;
    o.init = InitMode::kPublic;
    o.conv = conv;
    o.export_path = dir + "/model.sqtm";
    Trainer<mpc::Clear> t(o, [&](std::uint64_t seed) {
      return std::make_unique<mpc::Clear>(*be, FixedParams{}, mpc::TruncMode::kProbabilistic, seed);
    });
    t.run(&train_set, &test_set);
    return read_model_file(o.export_path).params;
  };
  const ModelParams a = run(ConvAlgorithm::kAuto), b = run(ConvAlgorithm::kIm2col);
  const ModelParams init = glorot_init(make_architecture("C"), 6);
  ASSERT_EQ(a.size(), b.size());
  std::size_t differ = 0;
  double diff = 0, moved = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    for (std::size_t j = 0; j < a[i].weight.size(); ++j) {
      differ += a[i].weight[j] != b[i].weight[j];
      diff = std::max(diff, std::abs(a[i].weight[j] - b[i].weight[j]));
      moved = std::max(moved, std::abs(b[i].weight[j] - init[i].weight[j]));
    }
  }
  EXPECT_GT(differ, 0u);
  EXPECT_GT(moved, 1e-4);
  EXPECT_LT(diff, moved / 10);
}

}  // namespace
}  // namespace sqt::nn
