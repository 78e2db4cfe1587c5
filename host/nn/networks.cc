#include "host/nn/networks.h"

namespace sqt::nn {
namespace {

// The networks of DESIGN.md section 4 (MNIST) and the CIFAR-10 ones.
constexpr NamedNetwork kNetworks[] = {
    {"A", R"(
input = { height = 28, width = 28, channels = 1 }
layers = [
  { type = "flatten" },
  { type = "dense", out = 128 },
  { type = "relu" },
  { type = "dense", out = 128 },
  { type = "relu" },
  { type = "dense", out = 10 },
]
)"},
    {"B", R"(
input = { height = 28, width = 28, channels = 1 }
layers = [
  { type = "conv", out = 16, kernel = 5 },
  { type = "maxpool", window = 2, stride = 2 },
  { type = "relu" },
  { type = "conv", out = 16, kernel = 5 },
  { type = "maxpool", window = 2, stride = 2 },
  { type = "relu" },
  { type = "flatten" },
  { type = "dense", out = 100 },
  { type = "relu" },
  { type = "dense", out = 10 },
]
)"},
    {"C", R"(
input = { height = 28, width = 28, channels = 1 }
layers = [
  { type = "conv", out = 20, kernel = 5 },
  { type = "maxpool", window = 2, stride = 2 },
  { type = "relu" },
  { type = "conv", out = 50, kernel = 5 },
  { type = "maxpool", window = 2, stride = 2 },
  { type = "relu" },
  { type = "flatten" },
  { type = "dense", out = 500 },
  { type = "relu" },
  { type = "dense", out = 10 },
]
)"},
    // "same" padding for stride 2: 28 -> 14 with symmetric padding 2.
    {"D", R"(
input = { height = 28, width = 28, channels = 1 }
layers = [
  { type = "conv", out = 5, kernel = 5, stride = 2, padding = 2 },
  { type = "relu" },
  { type = "flatten" },
  { type = "dense", out = 100 },
  { type = "relu" },
  { type = "dense", out = 10 },
]
)"},
    {"alexnet", R"(
input = { height = 32, width = 32, channels = 3 }
layers = [
  { type = "conv", out = 96, kernel = 11, stride = 4, padding = 9 },
  { type = "relu" },
  { type = "maxpool", window = 3, stride = 2 },
  { type = "conv", out = 256, kernel = 5, padding = 1 },
  { type = "relu" },
  { type = "maxpool", window = 2, stride = 1 },
  { type = "conv", out = 384, kernel = 3, padding = 1 },
  { type = "relu" },
  { type = "conv", out = 384, kernel = 3, padding = 1 },
  { type = "relu" },
  { type = "conv", out = 256, kernel = 3, padding = 1 },
  { type = "relu" },
  { type = "flatten" },
  { type = "dense", out = 256 },
  { type = "relu" },
  { type = "dense", out = 256 },
  { type = "relu" },
  { type = "dense", out = 10 },
]
)"},
    // The improved CIFAR-10 network of the paper's 2023 correction, laid out
    // as MP-SPDZ's torch_cifar_alex.mpc lays it out (padding 2 on the first
    // two convs, 3x3 stride-2 last pool: 64 x 4 x 4 = 1024 into the first
    // dense layer), without its batch normalisation. Pooling comes before the
    // ReLU (max and ReLU commute), so the ReLU runs on the pooled map.
    {"cifar", R"(
input = { height = 32, width = 32, channels = 3 }
layers = [
  { type = "conv", out = 64, kernel = 3, padding = 2 },
  { type = "maxpool", window = 2, stride = 2 },
  { type = "relu" },
  { type = "conv", out = 96, kernel = 3, padding = 2 },
  { type = "maxpool", window = 2, stride = 2 },
  { type = "relu" },
  { type = "conv", out = 96, kernel = 3, padding = 1 },
  { type = "relu" },
  { type = "conv", out = 64, kernel = 3, padding = 1 },
  { type = "relu" },
  { type = "conv", out = 64, kernel = 3, padding = 1 },
  { type = "maxpool", window = 3, stride = 2 },
  { type = "relu" },
  { type = "flatten" },
  { type = "dense", out = 128 },
  { type = "relu" },
  { type = "dense", out = 256 },
  { type = "relu" },
  { type = "dense", out = 10 },
]
)"},
};

}  // namespace

std::optional<NamedNetwork> named_network(std::string_view lower_name) {
  for (const NamedNetwork& n : kNetworks) {
    std::string_view name = n.name;
    if (name.size() != lower_name.size()) continue;
    bool same = true;
    for (std::size_t i = 0; i < name.size(); ++i)
      same = same && (name[i] | 0x20) == lower_name[i];  // ASCII letters only
    if (same) return n;
  }
  return std::nullopt;
}

}  // namespace sqt::nn
