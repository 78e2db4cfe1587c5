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
//   with plain are refused, naming the node or the flag.
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
#include "tests/cli/run_sqt.h"

namespace sqt::cli_test {
namespace {

namespace fs = std::filesystem;

constexpr std::uint32_t kTestImages = 2000;
// Float32 weights against the fixed-point model: a handful of near-ties may flip.
constexpr long kSampleTolerance = 3;

std::string u32(std::uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
          static_cast<char>(v)};
}

class OnnxCliTest : public TempDirTest {
 protected:
  // MNIST's training set and the first kTestImages test images.
  void SetUp() override {
    TempDirTest::SetUp();
    data_ = path("mnist");
    fs::create_directories(data_);
    const fs::path real = fs::path(SQT_TEST_DATA_DIR) / "mnist";
    for (const char* f : {"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"})
      fs::create_symlink(real / f, fs::path(data_) / f);
    const data::Dataset test = data::load_dataset("mnist", data::Split::kTest, SQT_TEST_DATA_DIR);
    std::string images = u32(2051) + u32(kTestImages) + u32(28) + u32(28),
                labels = u32(2049) + u32(kTestImages);
    images.append(reinterpret_cast<const char*>(test.pixels.data()), kTestImages * 28 * 28);
    labels.append(reinterpret_cast<const char*>(test.labels.data()), kTestImages);
    write_file(data_ + "/t10k-images-idx3-ubyte", images);
    write_file(data_ + "/t10k-labels-idx1-ubyte", labels);
  }

  // Runs `sqt train`; returns the correct count of the last epoch line.
  long train(std::vector<std::string> extra) {
    std::vector<std::string> args = {
        "train", "--batch", "64", "--eval-batch", "500", "--quiet",   "--data",
        data_,   "--seed",  "5",  "--threads",    "1",   "--metrics", path("metrics.jsonl")};
    args.insert(args.end(), extra.begin(), extra.end());
    fs::remove(path("metrics.jsonl"));
    const auto r = sqt(args);
    EXPECT_EQ(r.exit_code, 0) << r.output;
    // One epoch: one metrics line.
    const std::string metrics = read_file(path("metrics.jsonl"));
    const std::regex accuracy("\"test_accuracy\":([0-9.e-]+)");
    std::smatch m;
    const std::string last = std::regex_search(metrics, m, accuracy) ? m[1].str() : std::string();
    EXPECT_FALSE(last.empty()) << "no accuracy in " << metrics << "\n" << r.output;
    return last.empty() ? -1 : std::lround(std::stod(last) * kTestImages);
  }

  // onnx.checker and the numpy evaluator; the count it classified correctly.
  long reference(const std::string& model) {
    const auto r = bench::netns::run_command({SQT_PYTHON, SQT_ONNX_REFERENCE, model, data_});
    if (r.exit_code == 77) {
      skipped_ = r.output;
      return -1;
    }
    EXPECT_EQ(r.exit_code, 0) << r.output;
    std::smatch m;
    if (!std::regex_search(r.output, m, std::regex("correct ([0-9]+) of ([0-9]+)"))) {
      ADD_FAILURE() << r.output;
      return -1;
    }
    EXPECT_EQ(std::stol(m[2]), static_cast<long>(kTestImages));
    return std::stol(m[1]);
  }

  std::string data_, skipped_;
};

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
    args.insert(args.begin(), {"train", "--data", data_, "--quiet", "--max-batches", "0"});
    const auto r = sqt(args);
    EXPECT_NE(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find(message), std::string::npos) << "expected '" << message << "' in:\n" << r.output;
  };
  refused(
      {"--protocol", "clear", "--model", "B", "--init-from", model},
      "node 'layer0_conv' (Conv) does not match model B layer 0 (conv): output channels 20, the model's 16");
  // Under rep3 the owner's process refuses it before the others wait for it.
  refused(
      {"--protocol", "rep3", "--model", "D", "--init-from", model, "--model-owner", "2"},
      "node 'layer0_conv' (Conv) does not match model D layer 0 (conv): output channels 20, the model's 5");
  refused({"--protocol", "plain", "--model", "C", "--init-from", model}, "--init-from: the plain protocol");
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

// A LeNet-5 variant written by hand as ONNX nodes (not by sqt): Conv 6@5x5
// pad 2, Relu, MaxPool 2, Conv 16@5x5, Relu, MaxPool 2, Flatten, Gemm 120,
// Relu, Gemm 84, Relu, Gemm 10. Its weights are arbitrary: --model takes
// the layers only.
void write_lenet(const std::string& path) {
  onnx::ModelProto m;
  m.set_ir_version(onnx::IR_VERSION);
  m.add_opset_import()->set_version(13);
  auto& g = *m.mutable_graph();
  auto& in = *g.add_input();
  in.set_name("image");
  auto& t = *in.mutable_type()->mutable_tensor_type();
  t.set_elem_type(onnx::TensorProto::FLOAT);
  t.mutable_shape()->add_dim()->set_dim_param("N");
  for (int d : {1, 28, 28}) t.mutable_shape()->add_dim()->set_dim_value(d);
  std::uint32_t seed = 1;
  auto weights = [&](const std::string& name, std::vector<std::int64_t> dims) {
    auto& w = *g.add_initializer();
    w.set_name(name);
    w.set_data_type(onnx::TensorProto::FLOAT);
    std::int64_t n = 1;
    for (auto d : dims) {
      w.add_dims(d);
      n *= d;
    }
    for (std::int64_t i = 0; i < n; ++i)
      w.add_float_data(static_cast<float>((seed = seed * 1664525u + 1013904223u) >> 8) * 0x1p-24f - 0.5f);
    return name;
  };
  std::string x = "image";
  auto node = [&](const std::string& op, const std::string& name,
                  std::vector<std::string> extra) -> onnx::NodeProto& {
    auto& n = *g.add_node();
    n.set_op_type(op);
    n.set_name(name);
    n.add_input(x);
    for (auto& e : extra) n.add_input(e);
    n.add_output(name);
    x = name;
    return n;
  };
  auto ints = [](onnx::NodeProto& n, const char* name, std::vector<std::int64_t> v) {
    auto& a = *n.add_attribute();
    a.set_name(name);
    a.set_type(onnx::AttributeProto::INTS);
    for (auto i : v) a.add_ints(i);
  };
  ints(node("Conv", "c1", {weights("c1w", {6, 1, 5, 5}), weights("c1b", {6})}), "pads", {2, 2, 2, 2});
  node("Relu", "r1", {});
  auto& p1 = node("MaxPool", "p1", {});
  ints(p1, "kernel_shape", {2, 2});
  ints(p1, "strides", {2, 2});
  node("Conv", "c2", {weights("c2w", {16, 6, 5, 5}), weights("c2b", {16})});
  node("Relu", "r2", {});
  auto& p2 = node("MaxPool", "p2", {});
  ints(p2, "kernel_shape", {2, 2});
  ints(p2, "strides", {2, 2});
  node("Flatten", "flat", {});
  node("Gemm", "f1", {weights("f1w", {400, 120}), weights("f1b", {120})});
  node("Relu", "r3", {});
  node("Gemm", "f2", {weights("f2w", {120, 84}), weights("f2b", {84})});
  node("Relu", "r4", {});
  node("Gemm", "f3", {weights("f3w", {84, 10}), weights("f3b", {10})});
  g.add_output()->set_name(x);
  std::ofstream(path, std::ios::binary) << m.SerializeAsString();
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
