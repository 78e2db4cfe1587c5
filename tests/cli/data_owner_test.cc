// `sqt train --data-owner P`: the party that holds the dataset and shares it.
// Network A for two batches under rep3 (three real processes) with the data
// on party 1 and on party 2 exports, bit for bit, the model of the clear
// emulation (data owner 0) from the same seed: exact truncation and public
// initial weights leave neither side a random draw the other lacks
// (tests/nn/rep3_steps_test.cc checks the same in one process).
#include <gtest/gtest.h>

#include <filesystem>
#include <regex>
#include <string>
#include <vector>

#include "tests/cli/mnist_files.h"
#include "tests/cli/run_sqt.h"

namespace sqt::cli_test {
namespace {

using DataOwnerTest = TempDirTest;

// The test accuracy of the first metrics line, or -1.
double accuracy(const std::string& metrics) {
  std::smatch m;
  if (!std::regex_search(metrics, m, std::regex(R"("test_accuracy":([0-9.eE+-]+))"))) return -1;
  return std::stod(m[1]);
}

TEST_F(DataOwnerTest, PartiesOneAndTwoTrainTheModelOfTheClearRun) {
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
                                     "--metrics", path(name + ".jsonl"),
                                     "--export",  path(name + ".sqtm")};
    args.insert(args.end(), extra.begin(), extra.end());
    const auto r = sqt(args);
    EXPECT_EQ(r.exit_code, 0) << name << ": " << r.output;
    return read_file(path(name + ".sqtm"));
  };
  const std::string clear = run("clear", {"--protocol", "clear"});
  ASSERT_FALSE(clear.empty());
  const double clear_accuracy = accuracy(read_file(path("clear.jsonl")));
  ASSERT_GE(clear_accuracy, 0);
  for (const std::string owner : {"1", "2"}) {
    const std::string name = "rep3_owner" + owner;
    const std::string model = run(name, {"--protocol", "rep3", "--data-owner", owner});
    EXPECT_TRUE(model == clear) << "data owner " << owner << ": the exported model differs from clear's";
    EXPECT_EQ(accuracy(read_file(path(name + ".jsonl"))), clear_accuracy) << "data owner " << owner;
  }
}

// Two data owners, each holding half of the rows in its own folder
// (--data-for, as each node's own --data): rep3 trains, bit for bit, the
// model of the clear run on the whole set (the union in owner order is the
// whole set; a batch's sums do not depend on its rows' order).
TEST_F(DataOwnerTest, TwoOwnersWithHalvesTrainTheModelOfTheWholeSet) {
  const std::string whole = path("whole"), first = path("first"), second = path("second");
  for (const auto& d : {whole, first, second}) std::filesystem::create_directories(d);
  write_idx_mnist(whole, "train", 64);
  write_idx_mnist(whole, "t10k", 16);
  write_idx_mnist(first, "train", 32);
  write_idx_mnist(first, "t10k", 8);
  write_idx_mnist(second, "train", 32, 32);
  write_idx_mnist(second, "t10k", 8, 8);
  auto run = [&](const std::string& name, std::vector<std::string> extra) {
    std::vector<std::string> args = {"train",     "--model",
                                     "A",         "--batch",
                                     "32",        "--max-batches",
                                     "2",         "--eval-batch",
                                     "16",        "--quiet",
                                     "--seed",    "4",
                                     "--threads", "1",
                                     "--trunc",   "exact",
                                     "--init",    "public",
                                     "--metrics", path(name + ".jsonl"),
                                     "--export",  path(name + ".sqtm")};
    args.insert(args.end(), extra.begin(), extra.end());
    const auto r = sqt(args);
    EXPECT_EQ(r.exit_code, 0) << name << ": " << r.output;
    return read_file(path(name + ".sqtm"));
  };
  const std::string clear = run("clear_whole", {"--protocol", "clear", "--data", whole});
  const std::string split = run("rep3_halves", {"--protocol", "rep3", "--data-owner", "1,2", "--data-for",
                                                "1=" + first, "--data-for", "2=" + second});
  ASSERT_FALSE(clear.empty());
  EXPECT_TRUE(split == clear) << "two owners' halves exported a different model from the whole set's";
  EXPECT_EQ(accuracy(read_file(path("rep3_halves.jsonl"))), accuracy(read_file(path("clear_whole.jsonl"))));

  // An owner without its folder, a folder for a party that owns nothing, and
  // an owner listed twice are refused by name.
  auto r = sqt({"train", "--data-owner", "1,1"});
  EXPECT_NE(r.output.find("party 1 is listed twice"), std::string::npos) << r.output;
  r = sqt({"train", "--data-owner", "1", "--data-for", "2=" + second});
  EXPECT_NE(r.output.find("party 2 is not a --data-owner"), std::string::npos) << r.output;
  r = sqt({"train", "--data-owner", "1", "--data-for", "one=" + second});
  EXPECT_NE(r.output.find("expected P=DIR"), std::string::npos) << r.output;
}

// A party that does not hold the data cannot be named its owner, and the
// clear emulation is one party (id 0).
TEST(DataOwner, OutsideTheRunsPartiesIsRefused) {
  auto r = sqt({"train", "--data-owner", "3"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("--data-owner 3: rep3 runs with 3 parties (ids 0 to 2)"), std::string::npos)
      << r.output;
  r = sqt({"train", "--protocol", "clear", "--data-owner", "1"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("--data-owner 1: clear runs with 1 party (ids 0 to 0)"), std::string::npos)
      << r.output;
}

}  // namespace
}  // namespace sqt::cli_test
