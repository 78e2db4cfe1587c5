// `sqt bench simd --quick --json FILE`, run as operators run it: every line
// must be a well-formed result with the machine facts and the commit, and the
// run must carry baselines measured in the same run.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
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

namespace {

// Runs `sqt ARGS > out 2>&1` in a fresh directory; returns the exit status
// and leaves the combined output in *out.
int run_sqt(const std::string& args, const fs::path& dir, std::string* out) {
  const fs::path log = dir / "out.txt";
  const int status = std::system((std::string(kSqt) + " " + args + " > " + log.string() + " 2>&1").c_str());
  std::ifstream in(log);
  out->assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

TEST(BenchJsonLines, OnlyRunsTheNamedCasesAndTheirBaselines) {
  if (kSqt == nullptr || !fs::exists(kSqt)) GTEST_SKIP() << "the sqt executable is not part of this build";
  const fs::path dir = fs::temp_directory_path() / ("sqt-only-test-" + std::to_string(getpid()));
  fs::create_directories(dir);
  const fs::path json = dir / "simd.jsonl";
  std::string out;
  ASSERT_EQ(run_sqt("bench simd --quick --threads 1 --only square64 --json " + json.string(), dir, &out), 0)
      << out;
  std::ifstream in(json);
  std::set<std::string> names;
  for (std::string line; std::getline(in, line);) names.insert(nlohmann::json::parse(line).at("name"));
  // The named case and the naive baseline its ratio refers to, nothing else.
  EXPECT_EQ(names, (std::set<std::string>{"gemm/square64/nn/threads1", "gemm/square64/nn/naive"}));
  fs::remove_all(dir);
}

TEST(BenchJsonLines, OnlyThatMatchesNothingIsAnError) {
  if (kSqt == nullptr || !fs::exists(kSqt)) GTEST_SKIP() << "the sqt executable is not part of this build";
  const fs::path dir = fs::temp_directory_path() / ("sqt-only-none-" + std::to_string(getpid()));
  fs::create_directories(dir);
  std::string out;
  EXPECT_NE(run_sqt("bench simd --quick --only no_such_case --json " + (dir / "x.jsonl").string(), dir, &out),
            0);
  EXPECT_NE(out.find("--only no_such_case: no case of the suites run (simd) matched"), std::string::npos)
      << out;
  fs::remove_all(dir);
}
