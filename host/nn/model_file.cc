#include "host/nn/model_file.h"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>

#include "host/core/error.h"
#include "host/core/secure_file.h"
#include "host/nn/onnx_export.h"
#include "host/nn/onnx_import.h"

namespace sqt::nn {
namespace {

constexpr char kMagic[8] = {'S', 'Q', 'T', 'M', 'O', 'D', 'E', 'L'};
constexpr std::uint32_t kVersion = 2;

template <class T>
void put(std::string& out, T v) {
  out.append(reinterpret_cast<const char*>(&v), sizeof v);
}

template <class T>
T get(std::ifstream& in, const std::string& path) {
  T v{};
  if (!in.read(reinterpret_cast<char*>(&v), sizeof v)) throw FileError("model file " + path + ": truncated");
  return v;
}

}  // namespace

void write_model_file(const std::string& path, const Architecture& arch, const ModelParams& params,
                      const InputMap& input) {
  if (is_onnx_path(path)) return write_onnx_model(path, arch, params, input);
  if (params.size() != arch.layers.size())
    throw ShapeError("model " + arch.name + ": " + std::to_string(params.size()) + " parameter entries for " +
                     std::to_string(arch.layers.size()) + " layers");
  std::string out(kMagic, sizeof kMagic);
  put<std::uint32_t>(out, kVersion);
  put<std::uint32_t>(out, static_cast<std::uint32_t>(arch.name.size()));
  out += arch.name;
  put<double>(out, input.scale);
  put<double>(out, input.offset);
  put<std::uint32_t>(out, static_cast<std::uint32_t>(arch.layers.size()));
  for (std::size_t i = 0; i < arch.layers.size(); ++i) {
    put<std::uint32_t>(out, static_cast<std::uint32_t>(arch.layers[i].kind));
    put<std::uint64_t>(out, params[i].weight.size());
    put<std::uint64_t>(out, params[i].bias.size());
    out.append(reinterpret_cast<const char*>(params[i].weight.data()),
               params[i].weight.size() * sizeof(double));
    out.append(reinterpret_cast<const char*>(params[i].bias.data()), params[i].bias.size() * sizeof(double));
  }
  write_file_atomically(path, out, 0600);
}

ModelFile read_model_file(const std::string& path) {
  if (is_onnx_path(path)) return read_onnx_model_file(path);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw FileError("cannot open model file " + path);
  char magic[8];
  if (!in.read(magic, 8) || std::memcmp(magic, kMagic, 8) != 0)
    throw FileError("model file " + path + ": not an SQT model (bad magic)");
  const auto version = get<std::uint32_t>(in, path);
  if (version != 1 && version != kVersion)
    throw FileError("model file " + path + ": unsupported version " + std::to_string(version));
  const auto name_len = get<std::uint32_t>(in, path);
  if (name_len > 4096)
    throw FileError("model file " + path + ": bad architecture name length");  // a path for ONNX networks
  std::string name(name_len, '\0');
  if (!in.read(name.data(), name_len)) throw FileError("model file " + path + ": truncated");
  ModelFile m{make_architecture(name), {}, std::nullopt};
  if (version >= 2) {
    const auto scale = get<double>(in, path);
    const auto offset = get<double>(in, path);
    if (!std::isfinite(scale) || !std::isfinite(offset) || scale == 0)
      throw FileError("model file " + path + ": bad input map (scale " + std::to_string(scale) + ")");
    m.input = InputMap{scale, offset};
  }
  const auto layers = get<std::uint32_t>(in, path);
  if (layers != m.arch.layers.size())
    throw FileError("model file " + path + ": " + std::to_string(layers) + " layers, model " + name +
                    " has " + std::to_string(m.arch.layers.size()));
  m.params.resize(layers);
  for (std::size_t i = 0; i < layers; ++i) {
    const auto kind = get<std::uint32_t>(in, path);
    const auto nw = get<std::uint64_t>(in, path);
    const auto nb = get<std::uint64_t>(in, path);
    if (kind != static_cast<std::uint32_t>(m.arch.layers[i].kind) || nw != weight_count(m.arch, i) ||
        nb != bias_count(m.arch, i))
      throw FileError("model file " + path + ": layer " + std::to_string(i) + " does not match model " +
                      name);
    m.params[i].weight.resize(nw);
    m.params[i].bias.resize(nb);
    if (!in.read(reinterpret_cast<char*>(m.params[i].weight.data()), static_cast<std::streamsize>(nw * 8)) ||
        !in.read(reinterpret_cast<char*>(m.params[i].bias.data()), static_cast<std::streamsize>(nb * 8)))
      throw FileError("model file " + path + ": truncated in layer " + std::to_string(i));
  }
  return m;
}

}  // namespace sqt::nn
