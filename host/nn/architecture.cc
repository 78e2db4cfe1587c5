#include "host/nn/architecture.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <numeric>

#include "host/core/error.h"
#include "host/data/batches.h"
#include "host/nn/onnx_export.h"
#include "host/nn/onnx_import.h"
#include "host/nn/network_toml.h"
#include "host/nn/networks.h"

namespace sqt::nn {
namespace {

std::string lower(std::string_view s) {
  std::string r(s);
  std::transform(r.begin(), r.end(), r.begin(), [](unsigned char c) { return std::tolower(c); });
  return r;
}

// Uniform in [0, 1) with 53 random bits.
double uniform01(data::SplitMix64& rng) { return static_cast<double>(rng.next() >> 11) * 0x1.0p-53; }

}  // namespace

std::string_view layer_kind_name(LayerKind kind) {
  switch (kind) {
    case LayerKind::kDense:
      return "dense";
    case LayerKind::kConv:
      return "conv";
    case LayerKind::kMaxPool:
      return "maxpool";
    case LayerKind::kRelu:
      return "relu";
    case LayerKind::kFlatten:
      return "flatten";
    case LayerKind::kAvgPool:
      return "avgpool";
  }
  return "?";
}

std::vector<std::string> architecture_names() { return {"A", "B", "C", "D", "alexnet", "cifar"}; }

Architecture make_architecture(std::string_view name) {
  // A network file's layers (an ONNX graph or a TOML description), named by its path.
  const std::string path(name);
  if (is_onnx_path(path) || is_toml_path(path)) {
    Architecture a = is_onnx_path(path) ? onnx_architecture(read_onnx_model(path), path) : read_network_toml(path);
    if (a.classes != 10)
      throw ConfigError("--model " + path + ": " + std::to_string(a.classes) +
                        " outputs, the datasets have 10 classes");
    layer_output_shapes(a);  // ShapeError naming the layer when one does not fit
    return a;
  }
  if (const auto n = named_network(lower(name)))
    return parse_network_toml(n->description, "built-in network " + std::string(n->name), std::string(n->name));
  throw ConfigError("unknown model '" + path +
                    "' (expected A, B, C, D, alexnet, cifar, a FILE.onnx or a FILE.toml)");
}

bool is_network_file(const std::string& name) { return is_onnx_path(name) || is_toml_path(name); }

std::vector<Shape> layer_output_shapes(const Architecture& arch) {
  std::vector<Shape> out;
  Shape s = arch.input;
  for (std::size_t i = 0; i < arch.layers.size(); ++i) {
    const LayerSpec& l = arch.layers[i];
    const std::string where = "model " + arch.name + " layer " + std::to_string(i) + " (" +
                              std::string(layer_kind_name(l.kind)) + ")";
    switch (l.kind) {
      case LayerKind::kDense:
        s = {1, 1, l.out};
        break;
      case LayerKind::kConv: {
        const int hp = s.h + 2 * l.padding - l.kernel, wp = s.w + 2 * l.padding - l.kernel;
        if (hp < 0 || wp < 0 || l.stride < 1) throw ShapeError(where + ": kernel larger than padded input");
        s = {hp / l.stride + 1, wp / l.stride + 1, l.out};
        break;
      }
      case LayerKind::kMaxPool:
      case LayerKind::kAvgPool:
        if (l.window > s.h || l.window > s.w || l.stride < 1)
          throw ShapeError(where + ": window larger than input");
        s = {(s.h - l.window) / l.stride + 1, (s.w - l.window) / l.stride + 1, s.c};
        break;
      case LayerKind::kRelu:
        break;
      case LayerKind::kFlatten:
        s = {1, 1, static_cast<int>(s.size())};
        break;
    }
    out.push_back(s);
  }
  return out;
}

Shape layer_input_shape(const Architecture& arch, std::size_t layer) {
  if (layer == 0) return arch.input;
  return layer_output_shapes(arch).at(layer - 1);
}

std::size_t weight_count(const Architecture& arch, std::size_t layer) {
  const LayerSpec& l = arch.layers.at(layer);
  const Shape in = layer_input_shape(arch, layer);
  if (l.kind == LayerKind::kDense) return in.size() * static_cast<std::size_t>(l.out);
  if (l.kind == LayerKind::kConv) return static_cast<std::size_t>(l.kernel) * l.kernel * in.c * l.out;
  return 0;
}

std::size_t bias_count(const Architecture& arch, std::size_t layer) {
  const LayerSpec& l = arch.layers.at(layer);
  return (l.kind == LayerKind::kDense || l.kind == LayerKind::kConv) ? static_cast<std::size_t>(l.out) : 0;
}

std::size_t parameter_count(const Architecture& arch) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < arch.layers.size(); ++i) n += weight_count(arch, i) + bias_count(arch, i);
  return n;
}

double glorot_limit(const Architecture& arch, std::size_t layer) {
  if (weight_count(arch, layer) == 0) return 0;
  const LayerSpec& l = arch.layers[layer];
  const Shape in = layer_input_shape(arch, layer);
  double fan_in = static_cast<double>(in.size()), fan_out = l.out;
  if (l.kind == LayerKind::kConv) {
    fan_in = static_cast<double>(l.kernel) * l.kernel * in.c;
    fan_out = static_cast<double>(l.kernel) * l.kernel * l.out;
  }
  return std::sqrt(6.0 / (fan_in + fan_out));
}

ModelParams glorot_init(const Architecture& arch, std::uint64_t seed) {
  ModelParams params(arch.layers.size());
  for (std::size_t i = 0; i < arch.layers.size(); ++i) {
    const std::size_t nw = weight_count(arch, i);
    if (nw == 0) continue;
    const double limit = glorot_limit(arch, i);
    data::SplitMix64 rng(data::mix_seed(seed, i));
    params[i].weight.resize(nw);
    for (double& w : params[i].weight) w = (2.0 * uniform01(rng) - 1.0) * limit;
    params[i].bias.assign(bias_count(arch, i), 0.0);
  }
  return params;
}

// One shuffle for every trainer: the plain trainer calls data::epoch_order directly.
std::vector<std::uint32_t> epoch_order(std::size_t samples, std::uint64_t seed, int epoch) {
  return data::epoch_order(seed, static_cast<std::uint64_t>(epoch), samples);
}

}  // namespace sqt::nn
