// The fixture of the ONNX command tests (onnx_test.cc, model_io_test.cc):
// MNIST's training set and its first kTestImages test images in a
// temporary folder, `sqt train` returning the run's correct count, the
// python3-onnx checker and float64 evaluator, and a hand-written LeNet graph.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include "host/data/data_dir.h"
#include "host/data/dataset.h"
#include "onnx/onnx_pb.h"
#include "tests/cli/run_sqt.h"

namespace sqt::cli_test {

namespace onnx_fs = std::filesystem;

inline constexpr std::uint32_t kTestImages = 2000;
// Float32 weights against the fixed-point model: a handful of near-ties may flip.
inline constexpr long kSampleTolerance = 3;

inline std::string u32(std::uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
          static_cast<char>(v)};
}

class OnnxCliTest : public TempDirTest {
 protected:
  // MNIST's training set and the first kTestImages test images.
  void SetUp() override {
    TempDirTest::SetUp();
    data_ = path("mnist");
    onnx_fs::create_directories(data_);
    const onnx_fs::path real = onnx_fs::path(SQT_TEST_DATA_DIR) / "mnist";
    for (const char* f : {"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"})
      onnx_fs::create_symlink(real / f, onnx_fs::path(data_) / f);
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
    onnx_fs::remove(path("metrics.jsonl"));
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

  // `sqt train --data <the set> --quiet ARGS` fails with `message` in its output.
  void expect_train_refused(std::vector<std::string> args, const std::string& message) {
    args.insert(args.begin(), {"train", "--data", data_, "--quiet"});
    const auto r = sqt(args);
    EXPECT_NE(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find(message), std::string::npos) << "expected '" << message << "' in:\n" << r.output;
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

// A LeNet-5 variant written by hand as ONNX nodes (not by sqt): Conv 6@5x5
// pad 2, Relu, MaxPool 2, Conv 16@5x5, Relu, MaxPool 2, Flatten, Gemm 120,
// Relu, Gemm 84, Relu, Gemm 10. Its weights are arbitrary: --model takes
// the layers only. With input_scale, a leading Mul by it is the input map
// (a PyTorch model that scales its own pixels).
inline void write_lenet(const std::string& path, float input_scale = 0) {
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
  if (input_scale != 0) {
    auto& s = *g.add_initializer();
    s.set_name("scale");
    s.set_data_type(onnx::TensorProto::FLOAT);
    s.add_float_data(input_scale);
    node("Mul", "map", {"scale"});
  }
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

}  // namespace sqt::cli_test
