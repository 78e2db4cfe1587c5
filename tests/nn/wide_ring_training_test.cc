// Training in Z_2^128 (f = 32, k = 63): rep3 over the in-process FakeNetwork
// against the clear emulation in the same ring (exact truncation, public
// initial weights: bit-identical models), the 128-bit emulation against the
// 64-bit one (the same algorithm at higher precision: close, not equal), and
// a checkpoint of 128-bit shares resumed to the uninterrupted run's model.
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

std::string fresh_dir(const std::string& name) {
  const std::string dir = ::testing::TempDir() + "/sqt_nn_wide_" + name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

TrainOptions network_c_two_batches() {
  TrainOptions o;
  o.model = "C";
  o.batch = 8;  // Z_2^128 products run on scalar host kernels: keep the test short
  o.max_batches = 2;
  o.seed = 21;
  o.eval_batch = 10;
  o.epochs = 1;
  o.quiet = true;
  o.init = InitMode::kPublic;
  return o;
}

// Trains under the clear emulation in ring R with fixed-point parameters fp.
template <RingElement R>
std::vector<EpochResult> train_clear(const TrainOptions& o, FixedParams fp, const data::Dataset& train,
                                     const data::Dataset& test) {
  auto be = backend::make_backend("cpu", 1);
  Trainer<mpc::ClearT<R>> t(o, [&](std::uint64_t seed) {
    return std::make_unique<mpc::ClearT<R>>(*be, fp, mpc::TruncMode::kExact, seed);
  });
  return t.run(&train, &test);
}

double max_weight_difference(const ModelParams& a, const ModelParams& b, std::size_t* differ) {
  double diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i)
    for (std::size_t j = 0; j < a[i].weight.size(); ++j) {
      *differ += a[i].weight[j] != b[i].weight[j];
      diff = std::max(diff, std::abs(a[i].weight[j] - b[i].weight[j]));
    }
  return diff;
}

TEST(WideRingTraining, Rep3NetworkCTwoBatchesEqualTheClearEmulation) {
  const std::string dir = fresh_dir("rep3_c");
  TrainOptions o = network_c_two_batches();
  const auto train = testing::synthetic_mnist(o.batch * 2, 1), test = testing::synthetic_mnist(10, 2);
  const FixedParams fp = default_fixed<Ring128>();

  TrainOptions secure = o;
  secure.export_path = dir + "/rep3.sqtm";
  double secure_accuracy = -1;
  test::run_three([&](net::Network& network) {
    auto be = backend::make_backend("cpu", 1);
    Trainer<mpc::Rep3_128> t(secure, [&](std::uint64_t) {
      return std::make_unique<mpc::Rep3_128>(network, *be, fp, mpc::TruncMode::kExact, std::uint64_t{9});
    });
    const bool owner = network.party() == 0;
    const auto r = t.run(owner ? &train : nullptr, owner ? &test : nullptr);
    if (owner) secure_accuracy = r.back().test_accuracy;
    return 0;
  });

  TrainOptions emulated = o;
  emulated.export_path = dir + "/clear.sqtm";
  const auto r = train_clear<Ring128>(emulated, fp, train, test);

  const auto a = read_model_file(secure.export_path).params, b = read_model_file(emulated.export_path).params;
  const auto init = glorot_init(make_architecture("C"), o.seed);
  std::size_t differ = 0, moved_count = 0;
  const double diff = max_weight_difference(a, b, &differ);
  const double moved = max_weight_difference(b, init, &moved_count);
  std::printf("network C in Z_2^128: %zu weights differ (max %.3g), max move %.3g\n", differ, diff, moved);
  EXPECT_GT(moved, 1e-4);
  EXPECT_EQ(differ, 0u);
  EXPECT_EQ(secure_accuracy, r.back().test_accuracy);
}

// The same run in Z_2^64 (f = 16) and Z_2^128 (f = 32): the wider ring
// computes the same steps with 2^16 times finer rounding.
TEST(WideRingTraining, TheEmulationAgreesWithTheDefaultRingToItsPrecision) {
  const std::string dir = fresh_dir("clear_64_128");
  TrainOptions o = network_c_two_batches();
  const auto train = testing::synthetic_mnist(o.batch * 2, 1), test = testing::synthetic_mnist(20, 2);
  TrainOptions narrow = o, wide = o;
  narrow.export_path = dir + "/z64.sqtm";
  wide.export_path = dir + "/z128.sqtm";
  train_clear<Ring64>(narrow, default_fixed<Ring64>(), train, test);
  train_clear<Ring128>(wide, default_fixed<Ring128>(), train, test);
  std::size_t differ = 0;
  const double diff = max_weight_difference(read_model_file(narrow.export_path).params,
                                            read_model_file(wide.export_path).params, &differ);
  std::printf("network C, Z_2^64 against Z_2^128: max weight difference %.3g\n", diff);
  EXPECT_GT(differ, 0u);  // different rounding
  EXPECT_LT(diff, 2e-3);
}

// Shares of Z_2^128 survive a checkpoint: one epoch, resume for the second,
// equals two epochs in one go.
TEST(WideRingTraining, ACheckpointResumesToTheUninterruptedModel) {
  const std::string dir = fresh_dir("checkpoint");
  TrainOptions o;
  o.model = "A";
  o.batch = 32;
  o.max_batches = 2;
  o.seed = 4;
  o.eval_batch = 20;
  o.quiet = true;
  o.init = InitMode::kPublic;
  const auto train = testing::synthetic_mnist(64, 1), test = testing::synthetic_mnist(20, 2);
  const FixedParams fp = default_fixed<Ring128>();

  TrainOptions whole = o;
  whole.epochs = 2;
  whole.export_path = dir + "/whole.sqtm";
  train_clear<Ring128>(whole, fp, train, test);

  TrainOptions first = o;
  first.epochs = 1;
  first.checkpoint = dir + "/ckpt";
  train_clear<Ring128>(first, fp, train, test);
  TrainOptions rest = first;
  rest.epochs = 2;
  rest.resume = true;
  rest.export_path = dir + "/resumed.sqtm";
  train_clear<Ring128>(rest, fp, train, test);

  std::size_t differ = 0;
  max_weight_difference(read_model_file(whole.export_path).params, read_model_file(rest.export_path).params,
                        &differ);
  EXPECT_EQ(differ, 0u);

  // A 64-bit run refuses the 128-bit checkpoint, naming both rings.
  TrainOptions narrow = rest;
  narrow.export_path = dir + "/narrow.sqtm";
  try {
    train_clear<Ring64>(narrow, default_fixed<Ring64>(), train, test);
    ADD_FAILURE() << "a Z_2^64 run resumed from Z_2^128 shares";
  } catch (const FileError& e) {
    EXPECT_NE(std::string(e.what()).find("Z_2^128"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace sqt::nn
