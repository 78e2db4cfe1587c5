// `sqt train --conv`: the flag reaches the run's model. Network C under the
// clear emulation for two batches: --conv im2col and the default (Winograd
// for the second convolution) export different models from the same seed,
// and both runs complete with a metrics line.
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "tests/cli/mnist_files.h"
#include "tests/cli/run_sqt.h"

namespace sqt::cli_test {
namespace {

namespace fs = std::filesystem;

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
