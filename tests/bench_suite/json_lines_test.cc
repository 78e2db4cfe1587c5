// `sqt bench simd --quick --json FILE`, run as operators run it: every line
// must be a well-formed result with the machine facts and the commit, and the
// run must carry baselines measured in the same run.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "bench/report/report.h"

namespace {

namespace fs = std::filesystem;

#ifdef SQT_BINARY
const char* const kSqt = SQT_BINARY;
#else
const char* const kSqt = nullptr;
#endif

TEST(BenchJsonLines, QuickSimdRunIsWellFormed) {
  if (kSqt == nullptr || !fs::exists(kSqt)) GTEST_SKIP() << "the sqt executable is not part of this build";
  const fs::path dir = fs::temp_directory_path() / ("sqt-json-test-" + std::to_string(getpid()));
  fs::create_directories(dir);
  const fs::path json = dir / "simd.jsonl";
  const std::string command = std::string(kSqt) + " bench simd --quick --json " + json.string() + " > " +
                              (dir / "stdout.txt").string() + " 2>&1";
  const int status = std::system(command.c_str());
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << command;

  std::ifstream in(json);
  std::string line;
  int lines = 0, baselines = 0;
  std::set<std::string> names;
  while (std::getline(in, line)) {
    ++lines;
    SCOPED_TRACE("line " + std::to_string(lines) + ": " + line);
    const auto object = nlohmann::json::parse(line);  // throws (fails) on malformed JSON
    ASSERT_TRUE(object.is_object());
    EXPECT_EQ(object.at("suite"), "simd");
    EXPECT_FALSE(object.at("name").get<std::string>().empty());
    EXPECT_FALSE(object.at("metric").get<std::string>().empty());
    ASSERT_TRUE(object.at("value").is_number());
    EXPECT_GT(object.at("value").get<double>(), 0);
    EXPECT_FALSE(object.at("cpu_model").get<std::string>().empty());
    EXPECT_GE(object.at("cores").get<int>(), 1);
    EXPECT_FALSE(object.at("simd_target").get<std::string>().empty());
    EXPECT_FALSE(object.at("git_commit").get<std::string>().empty());
    EXPECT_EQ(object.at("quick"), true);
    if (object.value("baseline", false)) ++baselines;
    names.insert(object.at("name").get<std::string>());
  }
  EXPECT_GE(lines, 3);
  EXPECT_GE(baselines, 1) << "no baseline measured in the same run";

  // The report reads what the runner wrote.
  const auto summary = sqt::bench::report::write_report({json.string()}, (dir / "report").string());
  EXPECT_EQ(summary.results, static_cast<size_t>(lines));
  fs::remove_all(dir);
}

}  // namespace
