// Network files and model input/output as an operator runs them, on real
// MNIST (the training set, the first 2000 test images):
// - a TOML network with average pooling trains under rep3 to the clear
//   emulation's model byte for byte, and its ONNX export passes the checker
//   and classifies in the float64 evaluator as the run counted;
// - --init-from refuses a model whose input map is not the run's (clear,
//   rep3 with the weights on party 2, plain), and takes one that is,
//   under plain too;
// - a --standardize run's checkpoint carries its input map: sqt evaluate on
//   the checkpoint counts what training counted;
// - the deployment path: a PyTorch-style ONNX model (its own input scaling)
//   is imported, trained a few batches under rep3, exported, checked and run.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <regex>
#include <string>
#include <vector>

#include "tests/cli/onnx_cli_fixture.h"
#include "tests/cli/run_sqt.h"

namespace sqt::cli_test {
namespace {

namespace fs = std::filesystem;

constexpr const char* kLeNetAvg = R"(# LeNet-5 with average pooling
input = { height = 28, width = 28, channels = 1 }
layers = [
  { type = "conv", out = 6, kernel = 5, padding = 2 },
  { type = "relu" },
  { type = "avgpool", window = 2 },
  { type = "conv", out = 16, kernel = 5 },
  { type = "relu" },
  { type = "avgpool", window = 2 },
  { type = "flatten" },
  { type = "dense", out = 120 },
  { type = "relu" },
  { type = "dense", out = 84 },
  { type = "relu" },
  { type = "dense", out = 10 },
]
)";

TEST_F(OnnxCliTest, TomlNetworkWithAveragePoolingTrainsUnderRep3AsInTheClearEmulation) {
  const std::string net = path("lenet.toml");
  write_file(net, kLeNetAvg);
  auto run = [&](const std::string& protocol) {
    const std::string out = path(protocol + ".onnx");
    const long correct = train({"--protocol", protocol, "--model", net, "--max-batches", "20", "--init",
                                "public", "--trunc", "exact", "--export", out});
    return std::make_pair(correct, read_file(out));
  };
  const auto [clear_correct, clear_model] = run("clear");
  const auto [rep3_correct, rep3_model] = run("rep3");
  ASSERT_GT(clear_correct, static_cast<long>(kTestImages / 5)) << "twenty batches should beat chance";
  EXPECT_EQ(rep3_correct, clear_correct);
  ASSERT_FALSE(clear_model.empty());
  EXPECT_TRUE(rep3_model == clear_model) << "rep3 exported other weights than the clear emulation";
  const long ref = reference(path("rep3.onnx"));
  if (!skipped_.empty()) GTEST_SKIP() << "python3-onnx is not installed: " << skipped_;
  EXPECT_LE(std::labs(ref - rep3_correct), kSampleTolerance)
      << "float reference " << ref << ", rep3 " << rep3_correct;
}

TEST_F(OnnxCliTest, InitFromRefusesAnotherInputMapAndTakesTheRunsOwn) {
  const std::string raw = path("raw.onnx"), standardized = path("std.onnx");
  const long raw_count =
      train({"--protocol", "clear", "--model", "A", "--max-batches", "20", "--export", raw});
  const long std_count = train({"--protocol", "clear", "--model", "A", "--max-batches", "20", "--standardize",
                                "--export", standardized});
  auto refused = [&](std::vector<std::string> args, const std::string& message) {
    args.insert(args.begin(), {"--max-batches", "1", "--model", "A"});
    expect_train_refused(args, message);
  };
  const std::string mismatch = "--init-from: the model's input map (its graph's first Mul/Add";
  refused({"--protocol", "clear", "--init-from", raw, "--standardize"},
          mismatch +
              ": value = pixel * scale + offset) is not this run's (the data owner's, party 0, "
              "standardised with --standardize)");
  refused({"--protocol", "clear", "--init-from", standardized}, "; the model's map: scale 0.0127");
  // Under rep3 each party names the map it knows: the owner its model's, the data owner the data's.
  refused({"--protocol", "rep3", "--init-from", standardized, "--model-owner", "2"},
          "[P2] sqt: error: " + mismatch);
  refused({"--protocol", "rep3", "--init-from", standardized, "--model-owner", "2"},
          "the data's map: scale 0.00390625, offset 0");
  refused({"--protocol", "plain", "--init-from", raw, "--standardize"},
          "; the model's map: scale 0.00390625, offset 0; the data's: scale 0.0127");
  // The matching map: taken, and the imported weights count what they counted.
  EXPECT_EQ(train({"--protocol", "clear", "--model", "A", "--max-batches", "0", "--standardize",
                   "--init-from", standardized}),
            std_count);
  EXPECT_LE(std::labs(train({"--protocol", "rep3", "--model", "A", "--max-batches", "0", "--init-from", raw,
                             "--model-owner", "1"}) -
                      raw_count),
            kSampleTolerance);
  // plain: --max-batches 0 is every batch there; one batch moves the model a little.
  const long plain = train(
      {"--protocol", "plain", "--model", "A", "--max-batches", "1", "--lr", "0.0001", "--init-from", raw});
  EXPECT_LE(std::labs(plain - raw_count), 20)
      << "plain from the imported weights " << plain << ", exported " << raw_count;
}

TEST_F(OnnxCliTest, StandardizedCheckpointCarriesItsInputMapToEvaluate) {
  const std::string ckpt = path("ckpt");
  const long trained = train(
      {"--protocol", "rep3", "--model", "A", "--max-batches", "40", "--standardize", "--checkpoint", ckpt});
  ASSERT_GT(trained, static_cast<long>(kTestImages / 2));
  const auto r = sqt({"evaluate", "--model", "A", "--checkpoint", ckpt, "--data", data_, "--quiet"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(r.output, m, std::regex("\\(([0-9]+) of ([0-9]+) images correct\\)")))
      << r.output;
  // The map at f bits against training's float map: a few near-ties may flip.
  EXPECT_LE(std::labs(std::stol(m[1]) - trained), kSampleTolerance) << r.output;
}

TEST_F(OnnxCliTest, ImportedModelTrainsExportsAndPassesTheChecker) {
  const std::string lenet = path("lenet.onnx"), out = path("tuned.onnx");
  write_lenet(lenet, 1.0f / 256);  // the model scales its pixels itself: SQT's default map
  const long tuned =
      train({"--protocol", "rep3", "--model", lenet, "--init-from", lenet, "--model-owner", "1",
             "--max-batches", "5", "--lr", "0.001", "--export", out, "--export-party", "1"});
  ASSERT_TRUE(fs::exists(out));
  const long ref = reference(out);
  if (!skipped_.empty()) GTEST_SKIP() << "python3-onnx is not installed: " << skipped_;
  EXPECT_LE(std::labs(ref - tuned), kSampleTolerance) << "float reference " << ref << ", rep3 " << tuned;
  // The export is the imported network again: it goes back in as its own --model.
  const long back =
      train({"--protocol", "clear", "--model", lenet, "--init-from", out, "--max-batches", "0"});
  EXPECT_LE(std::labs(back - tuned), kSampleTolerance)
      << "--init-from the export " << back << ", rep3 " << tuned;
}

}  // namespace
}  // namespace sqt::cli_test
