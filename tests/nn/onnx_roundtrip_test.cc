// ONNX export and import (host/nn/onnx_export.h, onnx_import.h) without the
// `sqt` binary: every built-in network survives write and read to float32
// rounding, a hand-built PyTorch-style graph (Sub/Div input map, Transpose or
// plain Flatten, MatMul + Add) lands in SQT's layouts where a hand
// computation puts it, and misfit graphs are refused naming the node.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "host/core/error.h"
#include "host/data/batches.h"
#include "host/nn/architecture.h"
#include "host/nn/model_file.h"
#include "host/nn/network_toml.h"
#include "host/nn/onnx_export.h"
#include "host/nn/onnx_import.h"
#include "onnx/onnx_pb.h"

namespace sqt::nn {
namespace {

class OnnxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "sqt-onnx-test-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string path(const std::string& name) const { return dir_ + "/" + name; }
  std::string dir_;
};

void expect_float_equal(const std::vector<double>& got, const std::vector<double>& want,
                        const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (std::size_t i = 0; i < got.size(); ++i)
    ASSERT_EQ(got[i], static_cast<double>(static_cast<float>(want[i]))) << what << " element " << i;
}

TEST_F(OnnxTest, EveryBuiltInNetworkSurvivesExportAndImport) {
  for (const std::string& name : architecture_names()) {
    const Architecture arch = make_architecture(name);
    ModelParams params = glorot_init(arch, 7);
    data::SplitMix64 rng(11);
    for (auto& l : params)
      for (double& b : l.bias) b = static_cast<double>(rng.next() % 2001) / 1000.0 - 1.0;
    const std::string file = path(name + ".onnx");
    write_model_file(file, arch, params, {1.0 / 256, -0.5});
    const ModelFile back = read_model_file(file);
    EXPECT_EQ(back.arch.name, arch.name);
    ASSERT_TRUE(back.input.has_value());
    EXPECT_EQ(back.input->scale, 1.0 / 256);
    EXPECT_EQ(back.input->offset, -0.5);
    ASSERT_EQ(back.params.size(), params.size());
    for (std::size_t i = 0; i < params.size(); ++i) {
      expect_float_equal(back.params[i].weight, params[i].weight,
                         name + " layer " + std::to_string(i) + " weight");
      expect_float_equal(back.params[i].bias, params[i].bias, name + " layer " + std::to_string(i) + " bias");
    }
  }
}

// A small graph written with the protobuf API, the way PyTorch's exporter
// lays it out: input [N, 2, 3, 3], (x - 64) / 128, Conv 2->2 (k 2, pad 0),
// Relu, [Transpose 0,2,3,1], Flatten or Reshape, MatMul [8][3] + Add, Softmax.
struct SmallGraph {
  bool transpose = false;
  bool reshape = false;
  std::string extra_op;  // appended before Softmax when set (an unsupported op)

  static void init(onnx::GraphProto& g, const std::string& name, std::vector<std::int64_t> dims,
                   std::vector<float> v) {
    auto& t = *g.add_initializer();
    t.set_name(name);
    t.set_data_type(onnx::TensorProto::FLOAT);
    for (auto d : dims) t.add_dims(d);
    for (float x : v) t.add_float_data(x);
  }
  static onnx::NodeProto& node(onnx::GraphProto& g, const std::string& op, const std::string& name,
                               std::vector<std::string> in) {
    auto& n = *g.add_node();
    n.set_op_type(op);
    n.set_name(name);
    for (auto& i : in) n.add_input(i);
    n.add_output(name + "_out");
    return n;
  }

  void write(const std::string& path) const {
    onnx::ModelProto m;
    m.set_ir_version(onnx::IR_VERSION);
    m.add_opset_import()->set_version(13);
    auto& g = *m.mutable_graph();
    auto& in = *g.add_input();
    in.set_name("x");
    auto& tt = *in.mutable_type()->mutable_tensor_type();
    tt.set_elem_type(onnx::TensorProto::FLOAT);
    tt.mutable_shape()->add_dim()->set_dim_param("N");
    for (int d : {2, 3, 3}) tt.mutable_shape()->add_dim()->set_dim_value(d);
    init(g, "c64", {}, {64});
    init(g, "c128", {1}, {128});
    std::vector<float> wc(2 * 2 * 2 * 2), wd(8 * 3), bd = {0.5f, -0.5f, 0.25f};
    for (std::size_t i = 0; i < wc.size(); ++i) wc[i] = static_cast<float>(i);        // OIHW order
    for (std::size_t i = 0; i < wd.size(); ++i) wd[i] = static_cast<float>(100 + i);  // [in][out]
    init(g, "wc", {2, 2, 2, 2}, wc);
    init(g, "wd", {8, 3}, wd);
    init(g, "bd", {3}, bd);
    std::string x = node(g, "Sub", "sub", {"x", "c64"}).output(0);
    x = node(g, "Div", "div", {x, "c128"}).output(0);
    x = node(g, "Conv", "conv", {x, "wc"}).output(0);
    x = node(g, "Relu", "relu", {x}).output(0);
    if (transpose) {
      auto& t = node(g, "Transpose", "nhwc", {x});
      auto& a = *t.add_attribute();
      a.set_name("perm");
      a.set_type(onnx::AttributeProto::INTS);
      for (int p : {0, 2, 3, 1}) a.add_ints(p);
      x = t.output(0);
    }
    if (reshape) {
      auto& s = *g.add_initializer();
      s.set_name("shape");
      s.set_data_type(onnx::TensorProto::INT64);
      s.add_dims(2);
      s.add_int64_data(-1);
      s.add_int64_data(8);
      x = node(g, "Reshape", "flat", {x, "shape"}).output(0);
    } else {
      x = node(g, "Flatten", "flat", {x}).output(0);
    }
    x = node(g, "MatMul", "fc", {x, "wd"}).output(0);
    x = node(g, "Add", "fc_bias", {x, "bd"}).output(0);
    if (!extra_op.empty()) x = node(g, extra_op, "odd", {x}).output(0);
    x = node(g, "Softmax", "prob", {x}).output(0);
    g.add_output()->set_name(x);
    std::ofstream(path, std::ios::binary) << m.SerializeAsString();
  }
};

// A described network with average pooling: AveragePool nodes out, the same
// layers and (float32) parameters back, and a misfit window named.
TEST_F(OnnxTest, AveragePoolSurvivesExportAndImport) {
  const Architecture arch = parse_network_toml(R"(
input = { height = 12, width = 12, channels = 2 }
layers = [
  { type = "conv", out = 4, kernel = 3 },
  { type = "avgpool", window = 2 },
  { type = "relu" },
  { type = "avgpool", window = 3, stride = 2 },
  { type = "flatten" },
  { type = "dense", out = 10 },
])",
                                               "avg.toml", "avg.toml");
  const ModelParams params = glorot_init(arch, 5);
  write_model_file(path("avg.onnx"), arch, params, {1.0 / 256, 0});
  const OnnxModel m = read_onnx_model(path("avg.onnx"));
  const Architecture back = onnx_architecture(m, "avg.onnx");
  ASSERT_EQ(back.layers.size(), arch.layers.size());
  for (std::size_t i = 0; i < arch.layers.size(); ++i) {
    EXPECT_EQ(back.layers[i].kind, arch.layers[i].kind) << i;
    EXPECT_EQ(back.layers[i].window, arch.layers[i].window) << i;
    EXPECT_EQ(back.layers[i].stride, arch.layers[i].stride) << i;
  }
  EXPECT_EQ(m.layers[1].op, "AveragePool");
  const ModelParams p = onnx_params_for(m, arch);
  for (std::size_t i = 0; i < params.size(); ++i) expect_float_equal(p[i].weight, params[i].weight, "weight");
  Architecture other = arch;
  other.layers[3].window = 2;
  try {
    onnx_params_for(m, other);
    ADD_FAILURE() << "a 3x3 AveragePool taken for a 2x2 avgpool";
  } catch (const FileError& e) {
    EXPECT_NE(std::string(e.what()).find("(AveragePool) does not match model avg.toml layer 3 (avgpool): window 3, "
                                         "the model's 2"),
              std::string::npos)
        << e.what();
  }
}

TEST_F(OnnxTest, PyTorchStyleGraphLandsInSqtLayouts) {
  for (const bool transpose : {false, true}) {
    SmallGraph sg;
    sg.transpose = transpose;
    sg.reshape = transpose;  // Reshape with the Transpose, Flatten without
    sg.write(path("small.onnx"));
    const OnnxModel m = read_onnx_model(path("small.onnx"));
    EXPECT_EQ(m.input, (Shape{3, 3, 2}));
    EXPECT_DOUBLE_EQ(m.input_map.scale, 1.0 / 128);  // (p - 64) / 128
    EXPECT_DOUBLE_EQ(m.input_map.offset, -0.5);
    const Architecture arch = onnx_architecture(m, "small");
    ASSERT_EQ(arch.layers.size(), 4u);  // conv relu flatten dense
    EXPECT_EQ(arch.layers[0].kind, LayerKind::kConv);
    EXPECT_EQ(arch.layers[0].kernel, 2);
    EXPECT_EQ(arch.layers[0].out, 2);
    EXPECT_EQ(arch.layers[3].kind, LayerKind::kDense);
    EXPECT_EQ(m.classes, 3);
    const ModelParams p = onnx_params_for(m, arch);
    // Conv OIHW (o, c, y, x) = 8o + 4c + 2y + x sits at HWIO ((y*2 + x)*2 + c)*2 + o.
    for (int o = 0; o < 2; ++o)
      for (int c = 0; c < 2; ++c)
        for (int y = 0; y < 2; ++y)
          for (int x = 0; x < 2; ++x)
            EXPECT_EQ(p[0].weight[static_cast<std::size_t>(((y * 2 + x) * 2 + c) * 2 + o)],
                      8 * o + 4 * c + 2 * y + x);
    EXPECT_EQ(p[0].bias, std::vector<double>(2, 0.0));
    // The conv output is 2x2x2. ONNX feature i of the flattened map: with the
    // Transpose it is already (h, w, c) = SQT's row i; without, it is
    // (c, h, w): i = 4c + 2h + w goes to SQT row (2h + w)*2 + c.
    for (int c = 0; c < 2; ++c)
      for (int h = 0; h < 2; ++h)
        for (int w = 0; w < 2; ++w) {
          const int chw = 4 * c + 2 * h + w, hwc = (2 * h + w) * 2 + c;
          const int onnx_row = transpose ? hwc : chw;
          for (int o = 0; o < 3; ++o)
            EXPECT_EQ(p[3].weight[static_cast<std::size_t>(hwc * 3 + o)], 100 + onnx_row * 3 + o)
                << "transpose " << transpose << " row " << hwc;
        }
    EXPECT_EQ(p[3].bias, (std::vector<double>{0.5, -0.5, 0.25}));
  }
}

TEST_F(OnnxTest, UnsupportedOpIsNamedWithItsNode) {
  SmallGraph sg;
  sg.extra_op = "Sigmoid";
  sg.write(path("odd.onnx"));
  try {
    read_onnx_model(path("odd.onnx"));
    FAIL() << "a Sigmoid was accepted";
  } catch (const FileError& e) {
    EXPECT_NE(std::string(e.what()).find("node 'odd' (Sigmoid): unsupported op"), std::string::npos)
        << e.what();
  }
}

TEST_F(OnnxTest, MismatchWithTheModelNamesNodeLayerAndValues) {
  const Architecture c = make_architecture("C");
  write_onnx_model(path("c.onnx"), c, glorot_init(c, 1), {1.0 / 256, 0});
  const OnnxModel m = read_onnx_model(path("c.onnx"));
  try {
    onnx_params_for(m, make_architecture("B"));
    FAIL() << "network C's graph was accepted as network B";
  } catch (const FileError& e) {
    const std::string what = e.what();
    EXPECT_NE(
        what.find("node 'layer0_conv' (Conv) does not match model B layer 0 (conv): output channels 20, "
                  "the model's 16"),
        std::string::npos)
        << what;
  }
  try {
    onnx_params_for(m, make_architecture("A"));
    FAIL() << "network C's graph was accepted as network A";
  } catch (const FileError& e) {
    EXPECT_NE(std::string(e.what()).find(
                  "node 'layer0_conv' (Conv) stands where model A layer 1 (dense) expects Gemm"),
              std::string::npos)
        << e.what();
  }
  try {
    onnx_params_for(m, make_architecture("alexnet"));
    FAIL() << "an MNIST graph was accepted as alexnet";
  } catch (const FileError& e) {
    EXPECT_NE(std::string(e.what()).find("graph input is 1x28x28 (CxHxW), model alexnet takes 3x32x32"),
              std::string::npos)
        << e.what();
  }
}

// Declared sizes that would overflow or index outside the values are refused
// before anything is sized from them.
TEST_F(OnnxTest, OutOfRangeShapesAreRefused) {
  const Architecture c = make_architecture("C");
  write_onnx_model(path("c.onnx"), c, glorot_init(c, 1), {1.0 / 256, 0});
  onnx::ModelProto m;
  {
    std::ifstream in(path("c.onnx"), std::ios::binary);
    ASSERT_TRUE(m.ParseFromIstream(&in));
  }
  auto refused = [&](const std::string& message) {
    std::ofstream(path("bad.onnx"), std::ios::binary) << m.SerializeAsString();
    try {
      read_onnx_model(path("bad.onnx"));
      FAIL() << "accepted: " << message;
    } catch (const FileError& e) {
      EXPECT_NE(std::string(e.what()).find(message), std::string::npos) << e.what();
    }
  };
  auto* w = m.mutable_graph()->mutable_initializer(2);  // layer0_conv_W, 20x1x5x5
  ASSERT_EQ(w->name(), "layer0_conv_W");
  w->set_dims(0, 1LL << 40);  // 2^40 * 1 * 5 * 5 elements
  w->set_dims(2, 1LL << 12);
  w->set_dims(3, 1LL << 12);
  refused("node 'layer0_conv' (Conv): weight shape 1099511627776x1x4096x4096 out of range");
  w->set_dims(0, -20);
  w->set_dims(2, 5);
  w->set_dims(3, 5);
  refused("weight shape -20x1x5x5 out of range");
  w->set_dims(0, 20);
  auto* pool = m.mutable_graph()->mutable_node(3);  // layer1_maxpool
  pool->mutable_attribute(0)->set_ints(0, 0);
  pool->mutable_attribute(0)->set_ints(1, 0);
  refused("node 'layer1_maxpool' (MaxPool): window and stride must be at least 1");
}

TEST_F(OnnxTest, NotAnOnnxFileIsRefusedByPath) {
  std::ofstream(path("junk.onnx")) << "not protobuf at all \xff\xff\xff";
  EXPECT_THROW(read_onnx_model(path("junk.onnx")), FileError);
  EXPECT_THROW(read_onnx_model(path("missing.onnx")), FileError);
}

}  // namespace
}  // namespace sqt::nn
