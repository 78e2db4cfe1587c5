// What the trainer opens: per epoch one value for the test accuracy (the
// correct count summed over every test slice) and, with the loss asked for,
// one value for the training loss (summed over the epoch's batches). A
// counting wrapper around the clear protocol records every opening.
#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "host/backend/backend.h"
#include "host/mpc/clear/clear.h"
#include "host/nn/trainer_instances.h"
#include "tests/nn/synthetic_data.h"

namespace sqt::nn {
namespace {

// Sizes of the openings made so far, in order (all protocol instances of a run).
struct Openings {
  std::vector<std::size_t> sizes;
};

class CountingClear : public mpc::Clear {
 public:
  CountingClear(Openings& log, backend::Backend& backend, std::uint64_t seed)
      : mpc::Clear(backend, FixedParams{}, mpc::TruncMode::kExact, seed), log_(&log) {}

  std::vector<Ring> reveal(const Share& x) {
    log_->sizes.push_back(x.size());
    return mpc::Clear::reveal(x);
  }
  std::vector<Ring> reveal_to(int to, const Share& x) {
    log_->sizes.push_back(x.size());
    return mpc::Clear::reveal_to(to, x);
  }
  std::vector<std::uint64_t> reveal_bits(const Bits& b) {
    log_->sizes.push_back(b.size());
    return mpc::Clear::reveal_bits(b);
  }

 private:
  Openings* log_;
};

static_assert(mpc::Protocol<CountingClear>);

struct CountedRun {
  Openings openings;
  std::vector<EpochResult> results;
};

// Network A, two epochs of 3 batches, a test set of 50 in slices of eval_batch.
CountedRun train_counting(std::size_t eval_batch, bool loss) {
  const auto train = testing::synthetic_mnist(128, 1), test = testing::synthetic_mnist(50, 2);
  auto be = backend::make_backend("cpu", 1);
  CountedRun run;
  TrainOptions o;
  o.model = "A";
  o.batch = 32;
  o.max_batches = 3;
  o.epochs = 2;
  o.seed = 3;
  o.eval_batch = eval_batch;
  o.compute_loss = loss;
  o.quiet = true;
  Trainer<CountingClear> t(
      o, [&](std::uint64_t seed) { return std::make_unique<CountingClear>(run.openings, *be, seed); });
  run.results = t.run(&train, &test);
  return run;
}

// The data owner's announcement (its two set sizes, sample size and label
// bound, host/nn/owned_sets.h), then one value per epoch: the accuracy
// count, whatever the number of test slices (5 here).
TEST(Openings, OneAccuracyCountPerEpoch) {
  const CountedRun run = train_counting(10, false);
  EXPECT_EQ(run.openings.sizes, (std::vector<std::size_t>{4, 1, 1}));
  ASSERT_EQ(run.results.size(), 2u);
  EXPECT_FALSE(run.results[0].train_loss.has_value());
}

// With --loss: one loss sum per epoch besides the count, not one per batch.
TEST(Openings, OneLossSumPerEpoch) {
  const CountedRun run = train_counting(10, true);
  EXPECT_EQ(run.openings.sizes, (std::vector<std::size_t>{4, 1, 1, 1, 1}));
  ASSERT_EQ(run.results.size(), 2u);
  for (const auto& r : run.results) {
    ASSERT_TRUE(r.train_loss.has_value());
    // The mean cross-entropy of a 10-class softmax that is learning.
    EXPECT_GT(*r.train_loss, 0.0);
    EXPECT_LT(*r.train_loss, 3.0);
  }
}

// The accumulated count equals the count of a single slice of the whole set.
TEST(Openings, AccumulatedCountEqualsOneSlice) {
  const CountedRun sliced = train_counting(10, true), whole = train_counting(50, true);
  ASSERT_EQ(sliced.results.size(), whole.results.size());
  for (std::size_t e = 0; e < sliced.results.size(); ++e) {
    EXPECT_EQ(sliced.results[e].test_accuracy, whole.results[e].test_accuracy) << "epoch " << e + 1;
    EXPECT_EQ(sliced.results[e].train_loss, whole.results[e].train_loss) << "epoch " << e + 1;
  }
  EXPECT_GT(whole.results.back().test_accuracy, 0.0);
}

}  // namespace
}  // namespace sqt::nn
