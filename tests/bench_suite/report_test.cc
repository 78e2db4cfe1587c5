// The report generator on a small results file written here: the table's
// cells, the baseline ratios, the LAN/WAN comparison and the plots' data.
#include "bench/report/report.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "bench/netns/command_runner.h"
#include "bench/report/analysis.h"
#include "bench/report/format.h"
#include "bench/report/markdown.h"
#include "bench/report/results.h"
#include "host/core/error.h"

namespace sqt::bench::report {
namespace {

namespace fs = std::filesystem;

const char* const kMachine =
    R"("cpu_model":"Test CPU @ 2GHz","cores":2,"simd_target":"AVX3","git_commit":"abc1234")";

std::string line(const std::string& body) { return "{" + body + "," + kMachine + "}\n"; }

class ReportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("sqt-report-test-" + std::to_string(getpid()));
    fs::create_directories(dir_);
    lan_ = (dir_ / "lan.jsonl").string();
    wan_ = (dir_ / "wan.jsonl").string();
    std::ofstream lan(lan_);
    lan << line(
               R"("suite":"simd","name":"gemm/256/naive","metric":"mac_per_s","value":1.5e9,"baseline":true,"n":256,"note":"first 64 rows")")
        << line(R"("suite":"simd","name":"gemm/256/hwy","metric":"mac_per_s","value":4.5e10,"n":256)")
        << "\n"  // blank lines are allowed
        << line(
               R"("suite":"train","name":"C/epoch","metric":"seconds","value":96,"net":"lan","protocol":"rep3",)"
               R"("net_link":"veth+tbf","net_rate_bit_per_s":1e10,"net_rtt_ms":0.1,"net_measured_rtt_ms":0.016)")
        << line(R"("suite":"net","name":"send/1MiB","metric":"bytes","value":3850000000,"net":"lan")");
    std::ofstream wan(wan_);
    wan << line(
               R"("suite":"train","name":"C/epoch","metric":"seconds","value":384,"net":"wan","protocol":"rep3")")
        << line(R"("suite":"net","name":"send/1MiB","metric":"bytes","value":3850000000,"net":"wan")");
  }
  void TearDown() override { fs::remove_all(dir_); }

  static std::string read(const fs::path& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

  fs::path dir_;
  std::string lan_, wan_;
};

TEST(ReportFormat, UnitsFollowTheMetric) {
  EXPECT_EQ(format_value("seconds", 0.61), "610 ms");
  EXPECT_EQ(format_value("seconds", 3.65), "3.65 s");
  EXPECT_EQ(format_value("seconds", 12600), "3.50 h");
  EXPECT_EQ(format_value("epoch_ms", 1500), "1.50 s");
  EXPECT_EQ(format_value("bytes", 3.85e9), "3.85 GB");
  EXPECT_EQ(format_value("bytes_sent", 22.9e6), "22.9 MB");
  EXPECT_EQ(format_value("mac_per_s", 3.9e10), "39.0 G/s");
  EXPECT_EQ(format_value("bytes_per_s", 1.3e9), "1.30 GB/s");
  EXPECT_EQ(format_value("test_accuracy", 0.992), "0.9920");
  EXPECT_EQ(format_value("rounds", 148), "148");
}

TEST_F(ReportTest, TableHasValuesRatiosAndNetworks) {
  const auto results = load_results({lan_, wan_});
  ASSERT_EQ(results.size(), 6u);
  const std::string md = render_markdown(results, {});

  // Machine facts shared by every line are shown once.
  EXPECT_NE(md.find("| cpu_model | Test CPU @ 2GHz |"), std::string::npos) << md;
  EXPECT_NE(md.find("| git_commit | abc1234 |"), std::string::npos) << md;
  // 4.5e10 / 1.5e9 = 30 against the baseline of the same group.
  EXPECT_NE(md.find("| gemm/256/hwy | mac_per_s | 45.0 G/s | 30.0x gemm/256/naive | - | n=256 |"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("| gemm/256/naive | mac_per_s | 1.50 G/s | baseline | - | n=256 |"), std::string::npos)
      << md;
  EXPECT_NE(md.find("- gemm/256/naive: first 64 rows\n"), std::string::npos) << md;  // notes below the table
  EXPECT_NE(md.find("| C/epoch | seconds | 1.60 min |  | lan | protocol=rep3 |"), std::string::npos) << md;
  // The link each network asked for and got.
  EXPECT_NE(md.find("| lan | veth+tbf | 10.0 Gbit/s | 100 us | 16.0 us |  |  |"), std::string::npos) << md;
  // LAN vs WAN side by side: 384 / 96 = 4.
  EXPECT_NE(md.find("| train | C/epoch | seconds | 1.60 min | 6.40 min | 4.00x |"), std::string::npos) << md;
  EXPECT_NE(md.find("| net | send/1MiB | bytes | 3.85 GB | 3.85 GB | 1.00x |"), std::string::npos) << md;
}

TEST_F(ReportTest, WritesReportAndPlots) {
  const fs::path out = dir_ / "out";
  const ReportSummary summary = write_report({lan_, wan_}, out.string());
  EXPECT_EQ(summary.results, 6u);
  const std::string md = read(out / "report.md");
  EXPECT_NE(md.find("## Suite `train`"), std::string::npos);
  if (netns::run_command({"gnuplot", "--version"}).exit_code != 0) {
    EXPECT_TRUE(summary.plots.empty());
    EXPECT_FALSE(summary.plots_skipped.empty());
    GTEST_SKIP() << "gnuplot not installed: " << summary.plots_skipped;
  }
  ASSERT_EQ(summary.plots.size(), 3u);  // time per step, simd throughput, LAN vs WAN
  for (const auto& plot : summary.plots) {
    const std::string png = read(plot);
    ASSERT_GT(png.size(), 8u) << plot;
    EXPECT_EQ(png.substr(1, 3), "PNG") << plot;
    EXPECT_NE(md.find(fs::path(plot).filename().string()), std::string::npos) << plot;
  }
  // The plotted numbers are the measured ones (seconds; one column per network).
  const std::string steps = read(out / "time_per_step.dat");
  EXPECT_NE(steps.find("C/epoch rep3 (seconds)\t96\t384"), std::string::npos) << steps;
  const std::string versus = read(out / "lan_vs_wan.dat");
  EXPECT_NE(versus.find("train C/epoch (seconds)\t96\t384"), std::string::npos) << versus;
}

TEST_F(ReportTest, BadLinesNameFileAndLine) {
  {
    std::ofstream bad(lan_, std::ios::app);
    bad << "{\"suite\":\"simd\",\"name\":\"x\",\"metric\":\"seconds\"}\n";
  }
  try {
    load_results({lan_});
    FAIL() << "no error for a line without a value";
  } catch (const FileError& e) {
    EXPECT_NE(std::string(e.what()).find("lan.jsonl:6"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("value"), std::string::npos) << e.what();
  }
  EXPECT_THROW(parse_result("not json", "x:1"), FileError);
  EXPECT_THROW(parse_result("[1,2]", "x:1"), FileError);
  EXPECT_THROW(load_results({(dir_ / "missing.jsonl").string()}), FileError);
}

TEST(ReportAnalysis, BaselineNeedsSameGroupMetricAndNetwork) {
  std::vector<Result> all = {
      parse_result(R"({"suite":"s","name":"a/1/base","metric":"seconds","value":2,"baseline":true})", "t:1"),
      parse_result(R"({"suite":"s","name":"a/1/fast","metric":"seconds","value":1})", "t:2"),
      parse_result(R"({"suite":"s","name":"a/1/fast","metric":"bytes","value":1})", "t:3"),
      parse_result(R"({"suite":"s","name":"a/1/fast","metric":"seconds","value":1,"net":"wan"})", "t:4"),
      parse_result(R"({"suite":"s","name":"b/1/fast","metric":"seconds","value":1})", "t:5"),
  };
  EXPECT_EQ(find_baseline(all[1], all), &all[0]);
  EXPECT_EQ(find_baseline(all[2], all), nullptr);  // other metric
  EXPECT_EQ(find_baseline(all[3], all), nullptr);  // other network
  EXPECT_EQ(find_baseline(all[4], all), nullptr);  // other group
  EXPECT_EQ(find_baseline(all[0], all), nullptr);  // a baseline has none
}

}  // namespace
}  // namespace sqt::bench::report
