// The networks as data: layer lists, shapes, parameter counts, the seeded
// Glorot-uniform initialisation and the seeded batch order. Shared by the
// secure trainer (host/nn), the float reference trainer (host/plain) and the
// model file format (host/nn/model_file.h), so every trainer starts from the
// same float64 weights and visits the samples in the same order.
//
// Layouts (all row-major, data NHWC):
// - dense: weight [in][out] (Y = X W + b), bias [out];
// - conv:  weight [kh][kw][c_in][c_out] (HWIO, so im2col rows of length
//          kh*kw*c_in times the weight give NHWC output), bias [c_out];
//          padding is symmetric zero padding, out = (in + 2p - k) / s + 1;
// - maxpool, avgpool: window x window, stride; out = (in - window) / stride + 1
//          (avgpool: the window's mean);
// - flatten: keeps the NHWC order (h, w, c) of one sample.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sqt::nn {

// Values are stored in model files (host/nn/model_file.h): append only.
enum class LayerKind : std::uint8_t { kDense, kConv, kMaxPool, kRelu, kFlatten, kAvgPool };

std::string_view layer_kind_name(LayerKind kind);

// Shape of one sample (the batch dimension is implicit). Dense activations
// are {1, 1, features}.
struct Shape {
  int h = 1, w = 1, c = 1;
  std::size_t size() const { return static_cast<std::size_t>(h) * w * c; }
  bool operator==(const Shape&) const = default;
};

struct LayerSpec {
  LayerKind kind = LayerKind::kRelu;
  int out = 0;      // dense: output features; conv: output channels
  int kernel = 0;   // conv: kernel height = width
  int stride = 1;   // conv, maxpool, avgpool
  int padding = 0;  // conv: symmetric zero padding
  int window = 0;   // maxpool, avgpool: window height = width
};

struct Architecture {
  std::string name;  // "A", "B", "C", "D", "alexnet", "cifar"
  Shape input;       // MNIST {28, 28, 1}, CIFAR-10 {32, 32, 3}
  int classes = 10;
  std::vector<LayerSpec> layers;
};

// The networks of DESIGN.md section 4, and "cifar", the CIFAR-10 network of
// the paper's 2023 correction, each built from its description
// (host/nn/networks.cc). Throws ConfigError naming `name` when it is unknown
// (accepted: A B C D alexnet cifar, case-insensitive). A name ending in
// ".onnx" is read as a sequential ONNX graph (host/nn/onnx_import.h; its
// errors name the node), one ending in ".toml" as a network description
// (host/nn/network_toml.h; errors name the line and layer); either
// architecture is named by that path.
Architecture make_architecture(std::string_view name);
std::vector<std::string> architecture_names();

// Whether `name` is a network file (*.onnx or *.toml) rather than a built-in name.
bool is_network_file(const std::string& name);

// Output shape of every layer (shapes[i] is the output of layers[i]); throws
// ShapeError naming the layer when a kernel or window does not fit.
std::vector<Shape> layer_output_shapes(const Architecture& arch);
Shape layer_input_shape(const Architecture& arch, std::size_t layer);

// Sizes of a layer's weight and bias (0 for layers without parameters).
std::size_t weight_count(const Architecture& arch, std::size_t layer);
std::size_t bias_count(const Architecture& arch, std::size_t layer);
std::size_t parameter_count(const Architecture& arch);

// Float64 parameters of one layer in the layouts above (empty for layers
// without parameters).
struct LayerParams {
  std::vector<double> weight;
  std::vector<double> bias;
};
using ModelParams = std::vector<LayerParams>;  // one entry per layer

// Glorot-uniform weights, U(-l, l) with l = sqrt(6 / (fan_in + fan_out))
// (conv: fan_in = k*k*c_in, fan_out = k*k*c_out), zero biases. Deterministic
// for a seed on every platform (data::SplitMix64, no std distributions).
// This is the public initialisation (`--init public`, the float reference);
// Model::set_secret_glorot draws from the same interval inside the protocol.
ModelParams glorot_init(const Architecture& arch, std::uint64_t seed);

// l of layer `layer` (0 for layers without weights).
double glorot_limit(const Architecture& arch, std::size_t layer);

// The order in which epoch `epoch` visits `samples` training samples: a
// seeded Fisher-Yates permutation, different per epoch, deterministic.
// Batch b is order[b*batch .. (b+1)*batch) (the last partial batch is dropped
// by the trainers).
std::vector<std::uint32_t> epoch_order(std::size_t samples, std::uint64_t seed, int epoch);

}  // namespace sqt::nn
