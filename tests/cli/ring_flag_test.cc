// `sqt train --ring 128`: the run is in Z_2^128 with f = 32, k = 63. Network A
// for two batches under rep3 (three real processes) exports, bit for bit, the
// model of the clear emulation in the same ring (exact truncation, public
// initial weights), and a model that differs from the Z_2^64 run's only by
// the finer rounding.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "host/nn/model_file.h"
#include "tests/cli/mnist_files.h"
#include "tests/cli/run_sqt.h"

namespace sqt::cli_test {
namespace {

using RingFlagTest = TempDirTest;

TEST_F(RingFlagTest, Rep3In128BitsTrainsTheModelOfTheClearRunInThatRing) {
  const std::string data = path("mnist");
  std::filesystem::create_directories(data);
  write_idx_mnist(data, "train", 64);
  write_idx_mnist(data, "t10k", 16);
  auto run = [&](const std::string& name, std::vector<std::string> extra) {
    std::vector<std::string> args = {"train",     "--model",
                                     "A",         "--batch",
                                     "32",        "--max-batches",
                                     "2",         "--eval-batch",
                                     "16",        "--quiet",
                                     "--data",    data,
                                     "--seed",    "4",
                                     "--threads", "1",
                                     "--trunc",   "exact",
                                     "--init",    "public",
                                     "--export",  path(name + ".sqtm")};
    args.insert(args.end(), extra.begin(), extra.end());
    const auto r = sqt(args);
    EXPECT_EQ(r.exit_code, 0) << name << ": " << r.output;
    return path(name + ".sqtm");
  };
  const std::string clear128 = run("clear128", {"--protocol", "clear", "--ring", "128"});
  const std::string rep3_128 = run("rep3_128", {"--protocol", "rep3", "--ring", "128"});
  const std::string clear64 = run("clear64", {"--protocol", "clear"});
  EXPECT_TRUE(read_file(rep3_128) == read_file(clear128))
      << "rep3 and clear in Z_2^128 exported different models";
  const auto wide = nn::read_model_file(clear128).params, narrow = nn::read_model_file(clear64).params;
  ASSERT_EQ(wide.size(), narrow.size());
  double diff = 0;
  std::size_t differ = 0;
  for (std::size_t i = 0; i < wide.size(); ++i)
    for (std::size_t j = 0; j < wide[i].weight.size(); ++j) {
      differ += wide[i].weight[j] != narrow[i].weight[j];
      diff = std::max(diff, std::abs(wide[i].weight[j] - narrow[i].weight[j]));
    }
  EXPECT_GT(differ, 0u);  // f = 32 rounds differently from f = 16
  EXPECT_LT(diff, 1e-3);
}

}  // namespace
}  // namespace sqt::cli_test
