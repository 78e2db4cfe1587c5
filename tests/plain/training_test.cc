// A few training steps of the float reference reduce the loss on a small
// real MNIST subset; a model file round trip evaluates to the same accuracy.
#include <gtest/gtest.h>

#include <filesystem>

#include "host/data/batches.h"
#include "host/data/mnist.h"
#include "host/nn/model_file.h"
#include "host/plain/trainer.h"

namespace sqt::plain {
namespace {

class PlainTraining : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(SQT_TEST_DATA_DIR) / "mnist";
    if (!std::filesystem::exists(dir_ / "t10k-images-idx3-ubyte.gz")) GTEST_SKIP() << "no MNIST in " << dir_;
    test_ = data::load_mnist(dir_, data::Split::kTest);  // 10000 samples, quick to read
  }
  std::filesystem::path dir_;
  data::Dataset test_;
};

TEST_F(PlainTraining, FewStepsReduceLossOnSmallSubset) {
  for (const char* name : {"A", "B"}) {
    const nn::Architecture arch = nn::make_architecture(name);
    const int batch = 32;
    PlainTrainer trainer(arch, nn::glorot_init(arch, 3), OptimizerConfig{}, batch);
    std::vector<std::uint32_t> subset(256);
    for (std::size_t i = 0; i < subset.size(); ++i) subset[i] = static_cast<std::uint32_t>(i);
    std::vector<float> x(batch * arch.input.size());
    std::vector<std::uint8_t> labels(batch);
    auto step = [&](std::size_t b) {
      const auto idx = std::span<const std::uint32_t>(subset).subspan((b % 8) * batch, batch);
      test_.gather_float(idx, x.data());
      for (int k = 0; k < batch; ++k) labels[k] = test_.labels[idx[k]];
      return trainer.train_step(x.data(), labels);
    };
    double first_epoch = 0, last_epoch = 0;
    for (std::size_t b = 0; b < 8; ++b) first_epoch += step(b);
    for (std::size_t b = 8; b < 8 * 6; ++b) {
      const double l = step(b);
      if (b >= 8 * 5) last_epoch += l;
    }
    EXPECT_GT(first_epoch / 8, 1.5) << name;  // about ln 10 = 2.3 at the start
    EXPECT_LT(last_epoch / 8, 0.7 * first_epoch / 8) << name << " first " << first_epoch / 8;
  }
}

TEST_F(PlainTraining, ModelFileEvaluatesLikeTheTrainer) {
  const nn::Architecture arch = nn::make_architecture("A");
  PlainTrainer trainer(arch, nn::glorot_init(arch, 9), OptimizerConfig{}, 64);
  std::vector<float> x(64 * arch.input.size());
  std::vector<std::uint8_t> labels(64);
  const auto order = data::epoch_order(9, 0, test_.count);
  for (std::size_t b = 0; b < 20; ++b) {
    const auto idx = data::batch_indices(order, b, 64);
    test_.gather_float(idx, x.data());
    for (int k = 0; k < 64; ++k) labels[k] = test_.labels[idx[k]];
    trainer.train_step(x.data(), labels);
  }
  const double accuracy = static_cast<double>(trainer.count_correct(test_, 1000)) / test_.count;
  EXPECT_GT(accuracy, 0.5);  // 20 steps already learn something
  const auto path =
      std::filesystem::temp_directory_path() / ("sqt_plain_model_" + std::to_string(::getpid()));
  nn::write_model_file(path.string(), arch, to_model_params(trainer.params()), {test_.scale, test_.offset});
  EXPECT_EQ(evaluate_model_file(path.string(), SQT_TEST_DATA_DIR), accuracy);
  // An uneven evaluation batch (remainder net) counts the same samples.
  EXPECT_EQ(evaluate_model_file(path.string(), SQT_TEST_DATA_DIR, 768), accuracy);
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace sqt::plain
