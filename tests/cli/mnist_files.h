// Small MNIST-format datasets for the training tests of the `sqt` command.
#pragma once

#include <cstdint>
#include <string>

#include "tests/cli/run_sqt.h"

namespace sqt::cli_test {

// MNIST-format files (uncompressed IDX) of n 28x28 images whose label is
// i mod 10 and whose pixels follow a per-image pattern, for i = first ..
// first + n - 1 (a later `first` gives the next rows of the same set).
inline void write_idx_mnist(const std::string& dir, const std::string& prefix, std::uint32_t n,
                            std::uint32_t first = 0) {
  auto u32 = [](std::uint32_t v) {
    return std::string{static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
                       static_cast<char>(v)};
  };
  std::string images = u32(2051) + u32(n) + u32(28) + u32(28), labels = u32(2049) + u32(n);
  for (std::uint32_t i = first; i < first + n; ++i) {
    labels += static_cast<char>(i % 10);
    for (std::uint32_t p = 0; p < 28 * 28; ++p) images += static_cast<char>((i * 53 + p * 7 + p / 28) % 256);
  }
  write_file(dir + "/" + prefix + "-images-idx3-ubyte", images);
  write_file(dir + "/" + prefix + "-labels-idx1-ubyte", labels);
}

}  // namespace sqt::cli_test
