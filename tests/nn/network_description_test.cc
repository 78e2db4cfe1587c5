// The named networks come from their descriptions (host/nn/networks.cc, the
// TOML of host/nn/network_toml.h): each has the layers, shapes and parameter
// counts the hand-written C++ lists had, and trains as before (fingerprints
// recorded from the old C++ lists, clear emulation, exact truncation).
// A malformed description is refused naming the line and the layer.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "host/backend/backend.h"
#include "host/core/error.h"
#include "host/mpc/clear/clear.h"
#include "host/nn/architecture.h"
#include "host/nn/model_file.h"
#include "host/nn/network_toml.h"
#include "host/nn/trainer_instances.h"

namespace sqt::nn {
namespace {

namespace fs = std::filesystem;

// Labelled noise of shape h x w x c whose label is the brightest of 10 bands.
data::Dataset synthetic(const Shape& s, std::size_t n, std::uint64_t seed) {
  data::Dataset d;
  d.name = "synthetic";
  d.count = n;
  d.height = s.h;
  d.width = s.w;
  d.channels = s.c;
  d.scale = 1.0f / 256;
  d.pixels.resize(n * s.size());
  d.labels.resize(n);
  std::mt19937_64 g(seed);
  for (std::size_t i = 0; i < n; ++i) {
    const int label = static_cast<int>(g() % 10);
    d.labels[i] = static_cast<std::uint8_t>(label);
    for (std::size_t p = 0; p < s.size(); ++p)
      d.pixels[i * s.size() + p] = static_cast<std::uint8_t>(
          g() % 64 + (p * 10 / s.size() == static_cast<std::size_t>(label) ? 160 : 0));
  }
  return d;
}

// Sum and index-weighted sum of the trained float64 parameters after two
// batches of four (clear emulation, exact truncation, public init, seed 3).
std::pair<double, double> train_fingerprint(const std::string& name) {
  const Architecture arch = make_architecture(name);
  const auto train = synthetic(arch.input, 8, 1), test = synthetic(arch.input, 4, 2);
  auto be = backend::make_backend("cpu", 1);
  const std::string dir = ::testing::TempDir() + "/sqt_nd_" + name;
  fs::create_directories(dir);
  TrainOptions o;
  o.model = name;
  o.batch = 4;
  o.max_batches = 2;
  o.seed = 3;
  o.eval_batch = 4;
  o.quiet = true;
  o.init = InitMode::kPublic;
  o.export_path = dir + "/model.sqtm";
  Trainer<mpc::Clear> t(o, [&](std::uint64_t seed) {
    return std::make_unique<mpc::Clear>(*be, FixedParams{}, mpc::TruncMode::kExact, seed);
  });
  t.run(&train, &test);
  const ModelFile m = read_model_file(o.export_path);
  double sum = 0, weighted = 0;
  std::size_t k = 0;
  for (const auto& l : m.params) {
    for (double v : l.weight) sum += v, weighted += v * static_cast<double>(++k % 1000);
    for (double v : l.bias) sum += v, weighted += v * static_cast<double>(++k % 1000);
  }
  return {sum, weighted};
}

// The layer lists as the hand-written C++ had them before the descriptions.
LayerSpec dense(int out) { return {.kind = LayerKind::kDense, .out = out}; }
LayerSpec conv(int k, int out, int stride = 1, int padding = 0) {
  return {.kind = LayerKind::kConv, .out = out, .kernel = k, .stride = stride, .padding = padding};
}
LayerSpec maxpool(int window, int stride) {
  return {.kind = LayerKind::kMaxPool, .stride = stride, .window = window};
}
LayerSpec relu() { return {.kind = LayerKind::kRelu}; }
LayerSpec flatten() { return {.kind = LayerKind::kFlatten}; }

struct OldNetwork {
  std::string name;
  Shape input;
  std::vector<LayerSpec> layers;
  std::size_t params;                    // parameter_count of the old list
  double trained_sum, trained_weighted;  // train_fingerprint with the old list
};

std::vector<OldNetwork> old_networks() {
  const Shape mnist{28, 28, 1}, cifar{32, 32, 3};
  return {
      {"A",
       mnist,
       {flatten(), dense(128), relu(), dense(128), relu(), dense(10)},
       118282,
       5.6562311621382833,
       7179.0043243856635},
      {"B",
       mnist,
       {conv(5, 16), maxpool(2, 2), relu(), conv(5, 16), maxpool(2, 2), relu(), flatten(), dense(100), relu(),
        dense(10)},
       33542,
       -22.902927807997912,
       -14910.322045378853},
      {"C",
       mnist,
       {conv(5, 20), maxpool(2, 2), relu(), conv(5, 50), maxpool(2, 2), relu(), flatten(), dense(500), relu(),
        dense(10)},
       431080,
       86.350465974537656,
       41268.297063736478},
      {"D",
       mnist,
       {conv(5, 5, 2, 2), relu(), flatten(), dense(100), relu(), dense(10)},
       99240,
       -3.7008869778364897,
       -583.79080293769948},
      {"alexnet",
       cifar,
       {conv(11, 96, 4, 9), relu(), maxpool(3, 2), conv(5, 256, 1, 1), relu(), maxpool(2, 1),
        conv(3, 384, 1, 1), relu(), conv(3, 384, 1, 1), relu(), conv(3, 256, 1, 1), relu(), flatten(),
        dense(256), relu(), dense(256), relu(), dense(10)},
       0,
       -107.3138591684401,
       -52018.299680282129},
      {"cifar",
       cifar,
       {conv(3, 64, 1, 2), maxpool(2, 2), relu(), conv(3, 96, 1, 2), maxpool(2, 2), relu(), conv(3, 96, 1, 1),
        relu(), conv(3, 64, 1, 1), relu(), conv(3, 64, 1, 1), maxpool(3, 2), relu(), flatten(), dense(128),
        relu(), dense(256), relu(), dense(10)},
       399306,
       16.805744423530996,
       10908.340375358472},
  };
}

bool same_layer(const LayerSpec& a, const LayerSpec& b) {
  return a.kind == b.kind && a.out == b.out && a.kernel == b.kernel && a.stride == b.stride &&
         a.padding == b.padding && a.window == b.window;
}

TEST(NetworkDescription, NamedNetworksHaveTheirOldLayersShapesAndCounts) {
  for (const OldNetwork& old : old_networks()) {
    SCOPED_TRACE(old.name);
    const Architecture a = make_architecture(old.name);
    const Architecture ref{old.name, old.input, 10, old.layers};
    EXPECT_EQ(a.name, old.name);
    EXPECT_EQ(a.input, old.input);
    EXPECT_EQ(a.classes, 10);
    ASSERT_EQ(a.layers.size(), old.layers.size());
    for (std::size_t i = 0; i < a.layers.size(); ++i)
      EXPECT_TRUE(same_layer(a.layers[i], old.layers[i])) << i;
    EXPECT_EQ(layer_output_shapes(a), layer_output_shapes(ref));
    EXPECT_EQ(parameter_count(a), parameter_count(ref));
    if (old.params) {
      EXPECT_EQ(parameter_count(a), old.params);
    }
  }
}

// Bit for bit what the old lists trained to: two batches in the clear emulation.
TEST(NetworkDescription, NamedNetworksTrainAsBefore) {
  for (const OldNetwork& old : old_networks()) {
    SCOPED_TRACE(old.name);
    const auto [sum, weighted] = train_fingerprint(old.name);
    EXPECT_EQ(sum, old.trained_sum);
    EXPECT_EQ(weighted, old.trained_weighted);
  }
}

// The message of the ConfigError `text` gets (empty when it parses).
std::string error_of(const std::string& text) {
  try {
    parse_network_toml(text, "net.toml", "net.toml");
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

const std::string kInput = "input = { height = 8, width = 8, channels = 1 }\n";

TEST(NetworkDescription, ReadsBothLayerFormsAndDefaults) {
  const Architecture inline_form = parse_network_toml(kInput + R"(layers = [
  { type = "conv", out = 4, kernel = 3, padding = 1 },
  { type = "maxpool", window = 2 },
  { type = "relu" },
  { type = "flatten" },
  { type = "dense", out = 10 },
])",
                                                      "x", "x");
  const Architecture table_form = parse_network_toml(kInput + R"(
[[layers]]
type = "conv"
out = 4
kernel = 3
padding = 1
[[layers]]
type = "maxpool"
window = 2
[[layers]]
type = "relu"
[[layers]]
type = "flatten"
[[layers]]
type = "dense"
out = 10
)",
                                                     "x", "x");
  const std::vector<LayerSpec> want = {conv(3, 4, 1, 1), maxpool(2, 2), relu(), flatten(), dense(10)};
  for (const Architecture* a : {&inline_form, &table_form}) {
    EXPECT_EQ(a->input, (Shape{8, 8, 1}));
    EXPECT_EQ(a->classes, 10);
    ASSERT_EQ(a->layers.size(), want.size());
    for (std::size_t i = 0; i < want.size(); ++i) EXPECT_TRUE(same_layer(a->layers[i], want[i])) << i;
    // 8x8x4 conv (pad 1) -> pool 2 -> 4x4x4 = 64 -> 10: 3*3*4 + 4 + 64*10 + 10.
    EXPECT_EQ(parameter_count(*a), 36u + 4 + 640 + 10);
  }
}

TEST(NetworkDescription, AvgPoolLayer) {
  const Architecture a = parse_network_toml(kInput + R"(layers = [
  { type = "avgpool", window = 2 },
  { type = "avgpool", window = 3, stride = 1 },
  { type = "flatten" },
  { type = "dense", out = 10 },
])",
                                            "x", "x");
  ASSERT_EQ(a.layers.size(), 4u);
  EXPECT_EQ(a.layers[0].kind, LayerKind::kAvgPool);
  EXPECT_EQ(a.layers[0].stride, 2);  // the window by default
  EXPECT_EQ(a.layers[1].stride, 1);
  EXPECT_EQ(layer_output_shapes(a)[1], (Shape{2, 2, 1}));  // 8 -> 4 -> 2
  EXPECT_EQ(parameter_count(a), 4u * 10 + 10);
}

TEST(NetworkDescription, MalformedDescriptionsNameTheLineAndLayer) {
  struct Case {
    std::string text, want;
  };
  const std::vector<Case> cases = {
      {kInput + "layers = [\n  { type = \"relu\" },\n  { type = \"softmax\" },\n]\n",
       "net.toml line 4: layer 1: unsupported type 'softmax'"},
      {kInput + "layers = [\n  { type = \"flatten\" },\n  { type = \"dense\", outs = 10 },\n]\n",
       "net.toml line 4: layer 1 (dense): unknown key 'outs' (dense takes out)"},
      {kInput + "layers = [\n  { type = \"conv\", out = 4 },\n]\n",
       "net.toml line 3: layer 0 (conv): 'kernel' is missing"},
      {kInput + "layers = [\n  { type = \"conv\", out = 4, kernel = 3, stride = 0 },\n]\n",
       "net.toml line 3: layer 0 (conv): 'stride' = 0 is out of range (1 to 65536)"},
      {kInput + "layers = [\n  { type = \"conv\", out = 4, kernel = \"3\" },\n]\n",
       "net.toml line 3: layer 0 (conv): 'kernel' is not an integer"},
      {kInput + "layers = [\n  { type = \"conv\", out = 4, kernel = 9 },\n  { type = \"flatten\" },\n  { "
                "type = \"dense\", out = 10 },\n]\n",
       "net.toml line 3: layer 0 (conv): kernel larger than padded input"},
      {kInput + "layers = [\n  { type = \"flatten\" },\n  { type = \"maxpool\", window = 2 },\n  { type = "
                "\"dense\", out = 10 },\n]\n",
       "net.toml line 4: layer 1 (maxpool): after a flatten or dense layer"},
      {kInput + "layers = [\n  { type = \"dense\", out = 10 },\n]\n",
       "net.toml line 3: layer 0 (dense): on a spatial input: flatten first"},
      {kInput + "layers = [\n  { type = \"flatten\" },\n  { type = \"relu\" },\n]\n",
       "net.toml line 4: layer 1 (relu): the last layer must be dense"},
      {kInput + "layers = [\n  { type = \"flatten\" }\n  { type = \"dense\", out = 10 },\n]\n",
       "net.toml line 4: "},
      {"input = { height = 8, width = 8 }\nlayers = [{ type = \"flatten\" }, { type = \"dense\", out = 10 "
       "}]\n",
       "net.toml line 1: input: 'channels' is missing"},
      {kInput + "layer = []\n", "net.toml: unknown key 'layer' (a network description takes input, layers)"},
  };
  for (const Case& c : cases) {
    const std::string e = error_of(c.text);
    EXPECT_EQ(e.substr(0, c.want.size()), c.want) << c.text;
  }
}

TEST(NetworkDescription, TomlFileIsAModelNamedByItsPath) {
  const std::string path = ::testing::TempDir() + "/sqt_nd_small.toml";
  std::ofstream(path) << "input = { height = 28, width = 28, channels = 1 }\n"
                         "layers = [{ type = \"flatten\" }, { type = \"dense\", out = 10 }]\n";
  const Architecture a = make_architecture(path);
  EXPECT_EQ(a.name, path);
  EXPECT_EQ(parameter_count(a), 784u * 10 + 10);
  std::ofstream(path) << "input = { height = 28, width = 28, channels = 1 }\n"
                         "layers = [{ type = \"flatten\" }, { type = \"dense\", out = 7 }]\n";
  try {
    make_architecture(path);
    ADD_FAILURE() << "7 outputs accepted";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("7 outputs, the datasets have 10 classes"), std::string::npos)
        << e.what();
  }
  EXPECT_THROW(make_architecture(::testing::TempDir() + "/sqt_nd_missing.toml"), ConfigError);
}

}  // namespace
}  // namespace sqt::nn
