// Training on the clear protocol: a few SGD steps against a float64 model,
// and checkpoint/resume equal to an uninterrupted run.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "host/backend/backend.h"
#include "host/mpc/clear/clear.h"
#include "host/nn/model.h"
#include "host/nn/model_file.h"
#include "host/nn/optimizer.h"
#include "host/nn/softmax_ce.h"
#include "host/nn/trainer_instances.h"
#include "host/nn/update.h"
#include "tests/common/reference_net.h"
#include "tests/nn/synthetic_data.h"

namespace sqt::nn {
namespace {

using mpc::Clear;

constexpr int kF = 16;

using testing::synthetic_mnist;

// Four SGD steps (momentum 0.9) against float64, with the given schedule;
// `folded`: the momentum folded into the backward pass (backward_and_update,
// as the trainer does it), else backward then Optimizer::step.
const Architecture kSmall{"small",
                          {6, 6, 1},
                          10,
                          {{.kind = LayerKind::kConv, .out = 3, .kernel = 3},
                           {.kind = LayerKind::kMaxPool, .stride = 2, .window = 2},
                           {.kind = LayerKind::kRelu},
                           {.kind = LayerKind::kFlatten},
                           {.kind = LayerKind::kDense, .out = 10}}};

// The second conv reads 8 channels: a Winograd layer (host/nn/winograd.h),
// whose folded momentum is lifted by its factor 2^extra_bits.
const Architecture kWinograd{"winograd",
                             {6, 6, 1},
                             10,
                             {{.kind = LayerKind::kConv, .out = 8, .kernel = 1},
                              {.kind = LayerKind::kRelu},
                              {.kind = LayerKind::kConv, .out = 3, .kernel = 3, .padding = 1},
                              {.kind = LayerKind::kFlatten},
                              {.kind = LayerKind::kDense, .out = 10}}};

// A 5x5 conv on 8x8 maps takes 4x4 tiles, F(4, 5): its products are 2^6
// times the true ones, with ring inverses in G'.
const Architecture kWinogradLargeTiles{"winograd_f45",
                                       {8, 8, 1},
                                       10,
                                       {{.kind = LayerKind::kConv, .out = 8, .kernel = 1},
                                        {.kind = LayerKind::kRelu},
                                        {.kind = LayerKind::kConv, .out = 3, .kernel = 5, .padding = 2},
                                        {.kind = LayerKind::kFlatten},
                                        {.kind = LayerKind::kDense, .out = 10}}};

void check_sgd_steps(LrSchedule schedule, bool folded, const Architecture& arch = kSmall) {
  auto be = backend::make_backend("cpu", 1);
  Clear p(*be, FixedParams{}, mpc::TruncMode::kExact, 3);
  sqt::testing::ref::ReferenceNet ref(arch, glorot_init(arch, 4));
  Model<Clear> model(p, arch);
  model.set_public(ref.params);
  const int batch = 16;
  const double lr = 0.1;
  const int steps = 4;
  Optimizer<Clear> opt({.kind = OptimizerKind::kSgd, .lr = lr, .schedule = schedule}, model.param_count());
  opt.set_total_steps(steps);
  ModelParams velocity(arch.layers.size());
  std::mt19937_64 g(8);
  std::uniform_real_distribution<double> u(0, 1);
  for (int step = 0; step < steps; ++step) {
    // Linear: lr, 3/4 lr, 1/2 lr, 1/4 lr.
    const double lr_t = schedule == LrSchedule::kLinear ? lr * (1.0 - step / double(steps)) : lr;
    std::vector<double> x(batch * arch.input.size()), onehot(batch * 10, 0.0);
    for (double& v : x) v = std::ldexp(std::round(std::ldexp(u(g), kF)), -kF);
    for (int r = 0; r < batch; ++r) onehot[r * 10 + g() % 10] = 1;
    std::vector<Ring> xe(x.size()), ye(onehot.size());
    for (std::size_t i = 0; i < x.size(); ++i) xe[i] = encode_fixed(x[i], kF);
    for (std::size_t i = 0; i < onehot.size(); ++i) ye[i] = encode_fixed(onehot[i], kF);
    // Secure step.
    const auto logits = model.forward(p.input(0, xe, xe.size()), batch, true);
    const auto dlogits = softmax_ce_grad(p, logits, p.input(0, ye, ye.size()), batch, 10);
    if (folded) {
      backward_and_update(p, model, opt, dlogits, batch);
    } else {
      model.backward(dlogits, batch);
      opt.step(p, model.params(), model.grads(), batch, model.param_runs());
    }
    // Float64 step.
    const auto z = ref.forward(x, batch);
    std::vector<double> dz(z.size());
    for (int r = 0; r < batch; ++r) {
      double mx = -1e300, s = 0;
      for (int c = 0; c < 10; ++c) mx = std::max(mx, z[r * 10 + c]);
      for (int c = 0; c < 10; ++c) s += std::exp(z[r * 10 + c] - mx);
      for (int c = 0; c < 10; ++c) dz[r * 10 + c] = std::exp(z[r * 10 + c] - mx) / s - onehot[r * 10 + c];
    }
    ref.backward(dz, batch);
    for (std::size_t i = 0; i < arch.layers.size(); ++i) {
      auto upd = [&](std::vector<double>& w, std::vector<double>& v, const std::vector<double>& gr) {
        v.resize(w.size(), 0.0);
        for (std::size_t j = 0; j < w.size(); ++j) {
          v[j] = 0.9 * v[j] + gr[j];
          w[j] -= lr_t / batch * v[j];
        }
      };
      if (ref.params[i].weight.empty()) continue;
      upd(ref.params[i].weight, velocity[i].weight, ref.grads[i].weight);
      upd(ref.params[i].bias, velocity[i].bias, ref.grads[i].bias);
    }
  }
  const ModelParams got = model.decode(p.reveal(model.params()));
  double max_diff = 0, max_change = 0;
  const ModelParams init = glorot_init(arch, 4);
  for (std::size_t i = 0; i < arch.layers.size(); ++i)
    for (std::size_t j = 0; j < got[i].weight.size(); ++j) {
      max_diff = std::max(max_diff, std::abs(got[i].weight[j] - ref.params[i].weight[j]));
      max_change = std::max(max_change, std::abs(ref.params[i].weight[j] - init[i].weight[j]));
    }
  EXPECT_GT(max_change, 1e-2);  // the steps did move the weights
  EXPECT_LT(max_diff, 2e-3);
}

TEST(Training, SgdStepsMatchFloat64Model) { check_sgd_steps(LrSchedule::kConstant, false); }

TEST(Training, SgdStepsThroughAWinogradConvMatchFloat64Model) {
  ASSERT_TRUE(WinogradConv::plan(ConvGeometry::make({6, 6, 8}, kWinograd.layers[2])).has_value());
  check_sgd_steps(LrSchedule::kConstant, false, kWinograd);
  check_sgd_steps(LrSchedule::kConstant, true, kWinograd);
}

TEST(Training, SgdStepsThroughFourByFourWinogradTilesMatchFloat64Model) {
  const auto plan = WinogradConv::plan(ConvGeometry::make({8, 8, 8}, kWinogradLargeTiles.layers[2]));
  ASSERT_TRUE(plan.has_value());
  ASSERT_EQ(plan->tile(), 4);
  ASSERT_EQ(plan->extra_bits(), 6);
  check_sgd_steps(LrSchedule::kConstant, false, kWinogradLargeTiles);
  check_sgd_steps(LrSchedule::kConstant, true, kWinogradLargeTiles);
}
TEST(Training, LinearScheduleStepsMatchFloat64Model) { check_sgd_steps(LrSchedule::kLinear, false); }
TEST(Training, FoldedMomentumStepsMatchFloat64Model) { check_sgd_steps(LrSchedule::kConstant, true); }
TEST(Training, FoldedMomentumLinearScheduleStepsMatchFloat64Model) {
  check_sgd_steps(LrSchedule::kLinear, true);
}

TEST(Training, LinearScheduleRates) {
  EXPECT_DOUBLE_EQ(scheduled_lr(0.1, LrSchedule::kLinear, 1, 4), 0.1);
  EXPECT_DOUBLE_EQ(scheduled_lr(0.1, LrSchedule::kLinear, 4, 4), 0.025);
  EXPECT_DOUBLE_EQ(scheduled_lr(0.1, LrSchedule::kLinear, 9, 4), 0.025);  // past the end: the last rate
  EXPECT_DOUBLE_EQ(scheduled_lr(0.1, LrSchedule::kConstant, 3, 4), 0.1);
  EXPECT_DOUBLE_EQ(scheduled_lr(0.1, LrSchedule::kLinear, 3, 0), 0.1);  // no length known: constant
  EXPECT_THROW(parse_lr_schedule("cosine"), ConfigError);
}

TrainOptions small_options(const std::string& dir) {
  TrainOptions o;
  o.model = "A";
  o.batch = 32;
  o.max_batches = 4;
  o.seed = 21;
  o.checkpoint = dir;
  o.eval_batch = 50;
  o.quiet = true;
  return o;
}

ModelParams train_and_export(TrainOptions o, const data::Dataset& train, const data::Dataset& test,
                             std::vector<EpochResult>* results = nullptr,
                             const std::string& backend_name = "cpu") {
  auto be = backend::make_backend(backend_name, 1);
  o.export_path = o.checkpoint + "/model.sqtm";
  Trainer<Clear> t(o, [&](std::uint64_t seed) {
    return std::make_unique<Clear>(*be, FixedParams{}, mpc::TruncMode::kProbabilistic, seed);
  });
  auto r = t.run(&train, &test);
  if (results) *results = r;
  return read_model_file(o.export_path).params;
}

TEST(Training, ResumeEqualsUninterruptedRun) {
  const auto train = synthetic_mnist(256, 1), test = synthetic_mnist(100, 2);
  const std::string base = ::testing::TempDir() + "/sqt_nn_resume";
  std::filesystem::remove_all(base);
  auto full = small_options(base + "/full");
  full.epochs = 3;
  std::vector<EpochResult> full_results;
  const ModelParams a = train_and_export(full, train, test, &full_results);
  ASSERT_EQ(full_results.size(), 3u);
  EXPECT_GT(full_results.back().test_accuracy, 0.5);  // the synthetic task is learnable

  auto first = small_options(base + "/split");
  first.epochs = 1;
  train_and_export(first, train, test);
  auto rest = first;
  rest.epochs = 3;
  rest.resume = true;
  std::vector<EpochResult> rest_results;
  const ModelParams b = train_and_export(rest, train, test, &rest_results);
  ASSERT_EQ(rest_results.size(), 2u);  // epochs 2 and 3 only
  EXPECT_EQ(rest_results.back().test_accuracy, full_results.back().test_accuracy);
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].weight, b[i].weight) << "layer " << i;
    EXPECT_EQ(a[i].bias, b[i].bias) << "layer " << i;
  }
}

// The exported model is the trained one: finite, near the Glorot scale, and
// different from the initialisation.
TEST(Training, ExportHoldsTheTrainedWeights) {
  const auto train = synthetic_mnist(128, 1), test = synthetic_mnist(20, 2);
  const std::string dir = ::testing::TempDir() + "/sqt_nn_export";
  std::filesystem::remove_all(dir);
  auto o = small_options(dir);
  o.init = InitMode::kPublic;  // a known initial model to compare with
  const ModelParams trained = train_and_export(o, train, test);
  const ModelParams init = glorot_init(make_architecture("A"), o.seed);
  std::size_t changed = 0;
  for (std::size_t i = 0; i < trained.size(); ++i) {
    ASSERT_EQ(trained[i].weight.size(), init[i].weight.size());
    for (std::size_t j = 0; j < trained[i].weight.size(); ++j) {
      ASSERT_TRUE(std::isfinite(trained[i].weight[j]));
      EXPECT_LT(std::abs(trained[i].weight[j] - init[i].weight[j]), 0.5) << "layer " << i << " weight " << j;
      changed += trained[i].weight[j] != init[i].weight[j];
    }
  }
  EXPECT_GT(changed, 1000u);
}

// One JSON line per epoch with the run's settings.
TEST(Training, MetricsLinesNameTheRun) {
  const auto train = synthetic_mnist(128, 1), test = synthetic_mnist(20, 2);
  const std::string dir = ::testing::TempDir() + "/sqt_nn_metrics";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  auto o = small_options(dir);
  o.epochs = 2;
  o.max_batches = 1;
  o.metrics = dir + "/m.jsonl";
  o.optimizer.lr = 0.05;
  o.optimizer.schedule = LrSchedule::kLinear;
  o.optimizer.momentum = 0.8;
  std::vector<EpochResult> results;
  train_and_export(o, train, test, &results);
  std::ifstream in(o.metrics);
  std::string line;
  int lines = 0;
  while (std::getline(in, line)) {
    const auto j = nlohmann::json::parse(line);
    ++lines;
    EXPECT_EQ(j["epoch"], lines);
    EXPECT_EQ(j["model"], "A");
    EXPECT_EQ(j["lr"], 0.05);
    EXPECT_EQ(j["lr_schedule"], "linear");
    EXPECT_EQ(j["momentum"], 0.8);
    EXPECT_EQ(j["batch"], 32);
    EXPECT_EQ(j["test_accuracy"], results[lines - 1].test_accuracy);
    // The epoch's batches and its test, each timed, within the run's clock.
    EXPECT_GT(j["train_s"].get<double>(), 0.0);
    EXPECT_GT(j["test_s"].get<double>(), 0.0);
    EXPECT_LE(j["train_s"].get<double>() + j["test_s"].get<double>(), j["elapsed_s"].get<double>());
  }
  EXPECT_EQ(lines, 2);
}

// The metrics lines of a run (one JSON object per line).
std::vector<nlohmann::json> metrics_lines(const std::string& file) {
  std::ifstream in(file);
  std::vector<nlohmann::json> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(nlohmann::json::parse(line));
  return lines;
}

// A normal short run stays inside rep3's exact ranges: every epoch's
// metrics carry zero counts, and the summary line does not mention them.
TEST(Training, CleanRunReportsNoRangeViolations) {
  const auto train = synthetic_mnist(128, 1), test = synthetic_mnist(40, 2);
  const std::string dir = ::testing::TempDir() + "/sqt_nn_range_clean";
  std::filesystem::remove_all(dir);
  auto o = small_options(dir);
  o.epochs = 2;
  o.max_batches = 2;
  o.metrics = dir + "/m.jsonl";
  std::vector<EpochResult> results;
  ::testing::internal::CaptureStdout();
  train_and_export(o, train, test, &results);
  const std::string summary = ::testing::internal::GetCapturedStdout();
  EXPECT_EQ(summary.find("range violations"), std::string::npos) << summary;
  ASSERT_EQ(results.size(), 2u);
  for (const auto& r : results) {
    ASSERT_TRUE(r.range_violations.has_value());
    EXPECT_EQ(*r.range_violations, mpc::RangeViolations{}) << "epoch " << r.epoch;
  }
  const auto lines = metrics_lines(o.metrics);
  ASSERT_EQ(lines.size(), 2u);
  for (const auto& j : lines) {
    const nlohmann::json zeros{{"ltz", 0}, {"bit_decompose", 0}, {"trunc", 0}};
    EXPECT_EQ(j["range_violations"], zeros) << j.dump();
  }
}

// A recipe that overflows (a learning rate so large that one step takes the
// weights, and so the activations, past the k-bit range) is reported per
// epoch: in EpochResult, the metrics line and the summary line.
TEST(Training, OverflowingRecipeReportsRangeViolations) {
  const auto train = synthetic_mnist(128, 1), test = synthetic_mnist(40, 2);
  const std::string dir = ::testing::TempDir() + "/sqt_nn_range_overflow";
  std::filesystem::remove_all(dir);
  auto o = small_options(dir);
  o.epochs = 2;
  o.max_batches = 2;
  o.metrics = dir + "/m.jsonl";
  o.optimizer.lr = 5000;
  std::vector<EpochResult> results;
  ::testing::internal::CaptureStdout();
  train_and_export(o, train, test, &results);
  const std::string summary = ::testing::internal::GetCapturedStdout();
  EXPECT_NE(summary.find("range violations: ltz "), std::string::npos) << summary;
  const auto lines = metrics_lines(o.metrics);
  ASSERT_EQ(lines.size(), 2u);
  ASSERT_EQ(results.size(), 2u);
  for (std::size_t e = 0; e < lines.size(); ++e) {
    const auto& v = lines[e]["range_violations"];
    ASSERT_TRUE(v.is_object()) << lines[e].dump();
    ASSERT_TRUE(results[e].range_violations.has_value());
    const mpc::RangeViolations& want = *results[e].range_violations;
    EXPECT_EQ(v["ltz"], want.ltz);
    EXPECT_EQ(v["bit_decompose"], want.bit_decompose);
    EXPECT_EQ(v["trunc"], want.trunc);
    // Counted per epoch, not cumulatively: each epoch's own overflow.
    EXPECT_GT(v["ltz"].get<std::uint64_t>(), 0u) << "epoch " << e + 1;
  }
}

// The clear emulation with its counter hidden, as a secure protocol has
// none: the metrics carry null.
class UncountedClear : public Clear {
 public:
  using Clear::Clear;
  mpc::RangeViolations take_range_violations() = delete;
};

TEST(Training, ProtocolsThatCannotCountReportNull) {
  const auto train = synthetic_mnist(64, 1), test = synthetic_mnist(20, 2);
  const std::string dir = ::testing::TempDir() + "/sqt_nn_range_null";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  auto o = small_options("");
  o.max_batches = 1;
  o.metrics = dir + "/m.jsonl";
  o.optimizer.lr = 5000;  // even an overflowing run: nothing to count with
  auto be = backend::make_backend("cpu", 1);
  Trainer<UncountedClear> t(o, [&](std::uint64_t seed) {
    return std::make_unique<UncountedClear>(*be, FixedParams{}, mpc::TruncMode::kExact, seed);
  });
  const auto results = t.run(&train, &test);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_FALSE(results[0].range_violations.has_value());
  const auto lines = metrics_lines(o.metrics);
  ASSERT_EQ(lines.size(), 1u);
  ASSERT_TRUE(lines[0].contains("range_violations"));
  EXPECT_TRUE(lines[0]["range_violations"].is_null());
}

// The secure test counts the same correct predictions whatever the size of
// its forward passes, including a last pass that is shorter than the others
// (exact truncation, so that no rounding draw differs between the runs).
TEST(Training, TestAccuracyDoesNotDependOnEvalBatch) {
  const auto train = synthetic_mnist(256, 1), test = synthetic_mnist(100, 2);
  auto be = backend::make_backend("cpu", 1);
  auto accuracy = [&](std::size_t eval_batch) {
    auto o = small_options("");  // no checkpoint
    o.epochs = 2;
    o.max_batches = 8;
    o.seed = 5;
    o.init = InitMode::kPublic;  // a start that leaves the model imperfect here
    o.eval_batch = eval_batch;
    Trainer<Clear> t(o, [&](std::uint64_t seed) {
      return std::make_unique<Clear>(*be, FixedParams{}, mpc::TruncMode::kExact, seed);
    });
    return t.run(&train, &test).back().test_accuracy;
  };
  const double whole = accuracy(100);
  // Trained but not perfect: a skipped, repeated or shifted test sample
  // would change the count.
  EXPECT_GT(whole, 0.5);
  EXPECT_LT(whole, 1.0);
  EXPECT_EQ(accuracy(7), whole);  // 14 passes of 7 and one of 2 per epoch
  EXPECT_EQ(accuracy(256), whole);
}

// The exported file carries the data owner's input map, standardized or not.
TEST(Training, ExportCarriesTheInputMap) {
  auto train = synthetic_mnist(128, 1), test = synthetic_mnist(20, 2);
  const std::string dir = ::testing::TempDir() + "/sqt_nn_export_map";
  std::filesystem::remove_all(dir);
  auto o = small_options(dir);
  o.max_batches = 1;
  train_and_export(o, train, test);
  auto m = read_model_file(o.checkpoint + "/model.sqtm");
  ASSERT_TRUE(m.input.has_value());
  EXPECT_EQ(m.input->scale, static_cast<double>(train.scale));
  EXPECT_EQ(m.input->offset, static_cast<double>(train.offset));
  data::standardize(train, test);
  std::filesystem::remove_all(dir);
  train_and_export(o, train, test);
  m = read_model_file(o.checkpoint + "/model.sqtm");
  ASSERT_TRUE(m.input.has_value());
  EXPECT_EQ(m.input->scale, static_cast<double>(train.scale));
  EXPECT_NE(m.input->offset, 0.0);
  EXPECT_EQ(m.input->offset, static_cast<double>(train.offset));
}

// fpga-sim runs the FPGA orchestration and kernels in-process: the same seed
// gives bit-identical weights and metrics as the cpu backend.
TEST(Training, FpgaSimBackendTrainsExactlyAsCpu) {
  const auto train = synthetic_mnist(128, 1), test = synthetic_mnist(40, 2);
  const std::string base = ::testing::TempDir() + "/sqt_nn_backends";
  std::filesystem::remove_all(base);
  std::vector<EpochResult> rc, rs;
  const ModelParams a = train_and_export(small_options(base + "/cpu"), train, test, &rc, "cpu");
  const ModelParams b = train_and_export(small_options(base + "/sim"), train, test, &rs, "fpga-sim");
  ASSERT_EQ(rc.size(), rs.size());
  EXPECT_EQ(rc.back().test_accuracy, rs.back().test_accuracy);
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].weight, b[i].weight) << "layer " << i;
    EXPECT_EQ(a[i].bias, b[i].bias) << "layer " << i;
  }
}

TEST(Training, ResumeRejectsAnotherSeed) {
  const auto train = synthetic_mnist(64, 1), test = synthetic_mnist(20, 2);
  const std::string dir = ::testing::TempDir() + "/sqt_nn_resume_seed";
  std::filesystem::remove_all(dir);
  auto o = small_options(dir);
  o.max_batches = 1;
  train_and_export(o, train, test);
  o.seed = 22;
  o.resume = true;
  o.epochs = 2;
  EXPECT_THROW(train_and_export(o, train, test), ConfigError);
}

}  // namespace
}  // namespace sqt::nn
