// `sqt train --export FILE.onnx` and `--init-from FILE.onnx` as an operator
// runs them, on real MNIST (training set, and the first 2000 test images so
// the float reference stays quick):
// - the exported graph passes onnx.checker and, run by an independent float64
//   numpy evaluator on raw pixels (tests/cli/onnx_reference.py), classifies
//   the test images as the run's own secure/emulated evaluation counted
//   (clear network C: conv, pool, flatten order; rep3 network A: the model
//   revealed to --export-party only);
// - the same file given back with --init-from (no training batch) scores
//   what the exported model scored, under clear and under rep3 with the
//   weights input by party 1;
// - a graph that does not fit --model, an unsupported op, and --init-from
//   with plain whose input map is not the run's are refused, naming the node,
//   the flag or the maps.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include "host/cli/protocol_registry.h"
#include "host/data/data_dir.h"
#include "host/data/dataset.h"
#include "host/nn/architecture.h"
#include "host/nn/model_file.h"
#include "onnx/onnx_pb.h"
#include "tests/cli/onnx_cli_fixture.h"
#include "tests/cli/run_sqt.h"

namespace sqt::cli_test {
namespace {

namespace fs = std::filesystem;

TEST_F(OnnxCliTest, ClearNetworkCExportRunsInTheFloatReferenceAndComesBack) {
  const std::string model = path("c.onnx");
  const long clear = train({"--protocol", "clear", "--model", "C", "--max-batches", "20", "--export", model});
  ASSERT_GT(clear, static_cast<long>(kTestImages / 5)) << "twenty batches should beat chance";
  EXPECT_EQ(fs::status(model).permissions() & fs::perms::all, fs::perms::owner_read | fs::perms::owner_write);
  const long ref = reference(model);
  if (!skipped_.empty()) GTEST_SKIP() << "python3-onnx is not installed: " << skipped_;
  EXPECT_LE(std::labs(ref - clear), kSampleTolerance) << "float reference " << ref << ", clear " << clear;
  // Back in, no batch trained: the imported weights score what they scored.
  const long again =
      train({"--protocol", "clear", "--model", "C", "--max-batches", "0", "--init-from", model});
  EXPECT_LE(std::labs(again - clear), kSampleTolerance) << "--init-from " << again << ", exported " << clear;
}

TEST_F(OnnxCliTest, Rep3ExportToOnePartyAndOwnerInput) {
  const std::string model = path("a.onnx");
  const long rep3 = train({"--protocol", "rep3", "--model", "A", "--max-batches", "30", "--export", model,
                           "--export-party", "2"});
  ASSERT_TRUE(fs::exists(model));
  ASSERT_GT(rep3, static_cast<long>(kTestImages / 5)) << "thirty batches should beat chance";
  const long ref = reference(model);
  if (!skipped_.empty()) GTEST_SKIP() << "python3-onnx is not installed: " << skipped_;
  EXPECT_LE(std::labs(ref - rep3), kSampleTolerance) << "float reference " << ref << ", rep3 " << rep3;
  const long again = train({"--protocol", "rep3", "--model", "A", "--max-batches", "0", "--init-from", model,
                            "--model-owner", "1"});
  EXPECT_LE(std::labs(again - rep3), kSampleTolerance) << "--init-from " << again << ", exported " << rep3;
}

TEST_F(OnnxCliTest, MisfitGraphsAndFlagsAreRefusedByName) {
  const nn::Architecture c = nn::make_architecture("C");
  const std::string model = path("c.onnx");
  nn::write_model_file(model, c, nn::glorot_init(c, 1), {1.0 / 256, 0});
  auto refused = [&](std::vector<std::string> args, const std::string& message) {
    args.insert(args.begin(), {"--max-batches", "0"});
    expect_train_refused(args, message);
  };
  refused(
      {"--protocol", "clear", "--model", "B", "--init-from", model},
      "node 'layer0_conv' (Conv) does not match model B layer 0 (conv): output channels 20, the model's 16");
  // Under rep3 the owner's process refuses it before the others wait for it.
  refused(
      {"--protocol", "rep3", "--model", "D", "--init-from", model, "--model-owner", "2"},
      "node 'layer0_conv' (Conv) does not match model D layer 0 (conv): output channels 20, the model's 5");
  // plain reads the file itself, and checks its input map against the run's.
  refused({"--protocol", "plain", "--model", "C", "--init-from", model, "--standardize"},
          "is not this run's (the data's, standardised with --standardize)");
  refused({"--protocol", "clear", "--model", "C", "--init", "public", "--init-from", model},
          "--init-from: the initial weights are the owner's, not --init public");
  refused({"--protocol", "clear", "--model", "C", "--init", "owner"},
          "--init owner: the model owner (party 0) needs --init-from FILE.onnx");

  onnx::ModelProto m;
  {
    std::ifstream in(model, std::ios::binary);
    ASSERT_TRUE(m.ParseFromIstream(&in));
  }
  m.mutable_graph()->mutable_node(3)->set_op_type("AveragePool");  // layer1_maxpool
  const std::string avg = path("avg.onnx");
  std::ofstream(avg, std::ios::binary) << m.SerializeAsString();
  refused({"--protocol", "clear", "--model", "C", "--init-from", avg},
          "node 'layer1_maxpool' (AveragePool) stands where model C layer 1 (maxpool) expects MaxPool");
  m.mutable_graph()->mutable_node(3)->set_op_type("LpPool");
  const std::string odd = path("lp.onnx");
  std::ofstream(odd, std::ios::binary) << m.SerializeAsString();
  refused({"--protocol", "clear", "--model", "C", "--init-from", odd},
          "node 'layer1_maxpool' (LpPool): unsupported op");
  // The same graph as the network itself (--model FILE.onnx).
  refused({"--protocol", "clear", "--model", odd}, "node 'layer1_maxpool' (LpPool): unsupported op");
}

// Every built protocol of the registry in each of its rings (plain aside: it
// starts from --seed) takes the owner's weights: exported once by clear
// network A, given back with --init-from by the model's last party, no batch
// trained, each run counts what the export counted.
TEST_F(OnnxCliTest, EveryRegistryProtocolAndRingTakesTheOwnersWeights) {
  const std::string model = path("a.onnx");
  const long exported =
      train({"--protocol", "clear", "--model", "A", "--max-batches", "30", "--export", model});
  ASSERT_GT(exported, static_cast<long>(kTestImages / 5));
  int runs = 0;
  for (const cli::ProtocolInfo& p : cli::protocol_registry()) {
    if (!p.built || !p.has_ring()) continue;
    for (const int bits : p.ring_bits) {
      const long got =
          train({"--protocol", p.name, "--ring", std::to_string(bits), "--model", "A", "--max-batches", "0",
                 "--init-from", model, "--model-owner", std::to_string(p.min_parties - 1)});
      EXPECT_LE(std::labs(got - exported), kSampleTolerance) << p.name << " Z_2^" << bits << ": " << got;
      ++runs;
    }
  }
  EXPECT_GE(runs, 4) << "rep3, clear and rep4 in their rings";
}


TEST_F(OnnxCliTest, HandWrittenLeNetTrainsUnderRep3AsInTheClearEmulation) {
  const std::string lenet = path("lenet.onnx");
  write_lenet(lenet);
  auto run = [&](const std::string& protocol) {
    const std::string out = path(protocol + ".onnx");
    const long correct = train({"--protocol", protocol, "--model", lenet, "--max-batches", "3", "--init",
                                "public", "--trunc", "exact", "--export", out});
    return std::make_pair(correct, read_file(out));
  };
  const auto [clear_correct, clear_model] = run("clear");
  const auto [rep3_correct, rep3_model] = run("rep3");
  EXPECT_EQ(rep3_correct, clear_correct);
  ASSERT_FALSE(clear_model.empty());
  EXPECT_TRUE(rep3_model == clear_model) << "rep3 exported other weights than the clear emulation";
  // The export is the hand-written network's layout, with trained weights.
  const nn::Architecture arch = nn::make_architecture(lenet);
  ASSERT_EQ(arch.layers.size(), 12u);
  EXPECT_EQ(arch.layers[0].padding, 2);
  EXPECT_EQ(arch.layers[7].out, 120);
  EXPECT_EQ(nn::parameter_count(arch),
            6u * 25 + 6 + 16 * 150 + 16 + 400 * 120 + 120 + 120 * 84 + 84 + 84 * 10 + 10);
}

}  // namespace
}  // namespace sqt::cli_test
