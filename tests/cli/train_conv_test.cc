// `sqt train --conv`: the flag reaches the run's model. Network C under the
// clear emulation for two batches: --conv im2col and the default (Winograd
// for the second convolution) export different models from the same seed,
// and both runs complete with a metrics line.
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "tests/cli/run_sqt.h"

namespace sqt::cli_test {
namespace {

namespace fs = std::filesystem;

// MNIST-format files (uncompressed IDX) of n 28x28 images whose label is
// i mod 10 and whose pixels follow a per-image pattern.
void write_idx_mnist(const std::string& dir, const std::string& prefix, std::uint32_t n) {
  auto u32 = [](std::uint32_t v) {
    return std::string{static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
                       static_cast<char>(v)};
  };
  std::string images = u32(2051) + u32(n) + u32(28) + u32(28), labels = u32(2049) + u32(n);
  for (std::uint32_t i = 0; i < n; ++i) {
    labels += static_cast<char>(i % 10);
    for (std::uint32_t p = 0; p < 28 * 28; ++p) images += static_cast<char>((i * 53 + p * 7 + p / 28) % 256);
  }
  write_file(dir + "/" + prefix + "-images-idx3-ubyte", images);
  write_file(dir + "/" + prefix + "-labels-idx1-ubyte", labels);
}

using TrainConvTest = TempDirTest;

TEST_F(TrainConvTest, Im2colChangesTheClearRunOfNetworkC) {
  const std::string data = path("mnist");
  fs::create_directories(data);
  write_idx_mnist(data, "train", 64);
  write_idx_mnist(data, "t10k", 16);
  auto run = [&](const std::string& name, std::vector<std::string> extra) {
    std::vector<std::string> args = {"train",     "--protocol",
                                     "clear",     "--model",
                                     "C",         "--batch",
                                     "32",        "--max-batches",
                                     "2",         "--eval-batch",
                                     "16",        "--quiet",
                                     "--data",    data,
                                     "--seed",    "3",
                                     "--threads", "1",
                                     "--metrics", path(name + ".jsonl"),
                                     "--export",  path(name + ".sqtm")};
    args.insert(args.end(), extra.begin(), extra.end());
    const auto r = sqt(args);
    EXPECT_EQ(r.exit_code, 0) << name << ": " << r.output;
    return read_file(path(name + ".sqtm"));
  };
  const std::string automatic = run("auto", {}), im2col = run("im2col", {"--conv", "im2col"});
  ASSERT_FALSE(automatic.empty());
  ASSERT_EQ(automatic.size(), im2col.size());  // the same network
  EXPECT_TRUE(automatic != im2col) << "--conv im2col exported the same model as --conv auto";
  for (const char* name : {"auto", "im2col"}) {
    const std::string metrics = read_file(path(std::string(name) + ".jsonl"));
    EXPECT_NE(metrics.find("\"test_accuracy\""), std::string::npos) << name << ": " << metrics;
  }
}

}  // namespace
}  // namespace sqt::cli_test
