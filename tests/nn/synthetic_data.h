// MNIST-shaped synthetic data for the trainer tests: the label is encoded by
// which 7x7 block of the image is brightest, so a few batches learn it.
#pragma once

#include <cstdint>
#include <random>

#include "host/data/dataset.h"

namespace sqt::nn::testing {

inline data::Dataset synthetic_mnist(std::size_t n, std::uint64_t seed) {
  data::Dataset d;
  d.name = "synthetic";
  d.count = n;
  d.height = d.width = 28;
  d.channels = 1;
  d.scale = 1.0f / 256;
  d.pixels.resize(n * 784);
  d.labels.resize(n);
  std::mt19937_64 g(seed);
  for (std::size_t i = 0; i < n; ++i) {
    const int label = static_cast<int>(g() % 10);
    d.labels[i] = static_cast<std::uint8_t>(label);
    for (int p = 0; p < 784; ++p) {
      const int block = (p / 28 / 7) * 4 + (p % 28) / 7;
      d.pixels[i * 784 + p] = static_cast<std::uint8_t>(g() % 64 + (block == label ? 160 : 0));
    }
  }
  return d;
}

}  // namespace sqt::nn::testing
