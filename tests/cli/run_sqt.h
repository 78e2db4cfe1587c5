// Runs the built `sqt` binary (path compiled in as SQT_BINARY) with the
// process helper of bench/netns and returns its exit code and output
// (stdout and stderr interleaved); a fresh temporary folder per test.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "bench/netns/command_runner.h"

namespace sqt::cli_test {

inline bench::netns::CommandResult sqt(std::vector<std::string> args) {
  args.insert(args.begin(), SQT_BINARY);
  return bench::netns::run_command(args);
}

inline std::string data_file(const std::string& name) { return std::string(SQT_CLI_TEST_DATA) + "/" + name; }

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  ASSERT_TRUE(out.good()) << "cannot write " << path;
}

// A private folder, removed at the end of the test.
class TempDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "sqt-cli-test-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  std::string path(const std::string& name) const { return dir_ + "/" + name; }

  std::string dir_;
};

}  // namespace sqt::cli_test
