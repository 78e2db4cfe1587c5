// `sqt plot`: PNG from fixed metrics files; bad inputs fail with a message
// naming the file and line.
#include <gtest/gtest.h>

#include <string>

#include "tests/cli/run_sqt.h"

namespace sqt::cli_test {
namespace {

using PlotTest = TempDirTest;

constexpr char kPngSignature[] = "\x89PNG\r\n\x1a\n";

void expect_png(const std::string& path) {
  const std::string png = read_file(path);
  ASSERT_GE(png.size(), 8u) << path;
  EXPECT_EQ(png.substr(0, 8), std::string(kPngSignature, 8)) << path << " is not a PNG";
  // A 900x560 chart with axes, labels and lines; an empty image is ~3 kB.
  EXPECT_GT(png.size(), 10000u) << path;
}

TEST_F(PlotTest, TwoFilesAgainstTimeAndEpoch) {
  const std::string rep3 = data_file("metrics_a_rep3.jsonl"), plain = data_file("metrics_a_plain.jsonl");
  const auto by_time = sqt({"plot", rep3, plain, "--out", path("time.png")});
  ASSERT_EQ(by_time.exit_code, 0) << by_time.output;
  // rep3: one run of 3 epochs; plain: two appended runs (seeds 1, 2) of 2 epochs.
  EXPECT_NE(by_time.output.find("3 runs, 7 epoch records"), std::string::npos) << by_time.output;
  expect_png(path("time.png"));

  const auto by_epoch = sqt({"plot", rep3, "--x", "epoch", "--out", path("epoch.png")});
  ASSERT_EQ(by_epoch.exit_code, 0) << by_epoch.output;
  EXPECT_NE(by_epoch.output.find("1 run, 3 epoch records"), std::string::npos) << by_epoch.output;
  expect_png(path("epoch.png"));
}

TEST_F(PlotTest, SkipsRecordsWithoutEpoch) {
  write_file(
      path("mixed.jsonl"),
      "{\"note\":\"not an epoch record\"}\n"
      "{\"epoch\":1,\"test_accuracy\":0.5,\"elapsed_s\":1.5,\"model\":\"B\",\"protocol\":\"clear\"}\n");
  const auto r = sqt({"plot", path("mixed.jsonl"), "--out", path("mixed.png")});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("1 run, 1 epoch record)"), std::string::npos) << r.output;
  expect_png(path("mixed.png"));
}

TEST_F(PlotTest, ResumedRunContinuesItsLine) {
  // Epochs 1-2, then a --resume'd epoch 3 (elapsed_s restarts): one run;
  // then a new run of the same model (epoch 1 again): a second line.
  write_file(path("resumed.jsonl"),
             "{\"epoch\":1,\"test_accuracy\":0.90,\"elapsed_s\":10,\"model\":\"A\",\"protocol\":\"clear\"}\n"
             "{\"epoch\":2,\"test_accuracy\":0.93,\"elapsed_s\":20,\"model\":\"A\",\"protocol\":\"clear\"}\n"
             "{\"epoch\":3,\"test_accuracy\":0.95,\"elapsed_s\":11,\"model\":\"A\",\"protocol\":\"clear\"}\n"
             "{\"epoch\":1,\"test_accuracy\":0.91,\"elapsed_s\":9,\"model\":\"A\",\"protocol\":\"clear\"}\n");
  const auto r = sqt({"plot", path("resumed.jsonl"), "--out", path("resumed.png")});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("2 runs, 4 epoch records"), std::string::npos) << r.output;
  expect_png(path("resumed.png"));
}

struct BadInput {
  const char* name;
  const char* text;
  const char* where;  // expected after the file name, e.g. ":3:"
  const char* what;   // expected in the message
};

TEST_F(PlotTest, BadInputsNameFileAndLine) {
  const std::string good =
      "{\"epoch\":1,\"test_accuracy\":0.9,\"elapsed_s\":3,\"model\":\"A\",\"protocol\":\"clear\"}\n";
  const BadInput cases[] = {
      {"bad_json.jsonl", "", ":3:", "not valid JSON"},
      {"no_epochs.jsonl", "{\"suite\":\"net\"}\n{\"suite\":\"simd\"}\n", ":", "no epoch records"},
      {"empty.jsonl", "", ":", "no epoch records"},
      {"no_accuracy.jsonl", "", ":2:", "'test_accuracy'"},
      {"no_time.jsonl", "", ":2:", "'elapsed_s'"},
      {"array.jsonl", "[1, 2]\n", ":1:", "expected a JSON object"},
      {"percent.jsonl", "{\"epoch\":1,\"test_accuracy\":92.5,\"elapsed_s\":1}\n", ":1:", "expected 0..1"},
      {"epoch0.jsonl", "{\"epoch\":0,\"test_accuracy\":0.5,\"elapsed_s\":1}\n", ":1:", "'epoch'"},
  };
  for (const auto& c : cases) {
    std::string text = c.text;
    const std::string name = c.name;
    if (name == "bad_json.jsonl") text = good + good + "{\"epoch\": 3, \"test_accuracy\"\n";
    if (name == "no_accuracy.jsonl") text = good + "{\"epoch\":2,\"elapsed_s\":6}\n";
    if (name == "no_time.jsonl") text = good + "{\"epoch\":2,\"test_accuracy\":0.92}\n";
    write_file(path(name), text);
    const auto r = sqt({"plot", path(name), "--out", path("out.png")});
    EXPECT_NE(r.exit_code, 0) << name;
    EXPECT_NE(r.output.find(path(name) + c.where), std::string::npos) << name << ": " << r.output;
    EXPECT_NE(r.output.find(c.what), std::string::npos) << name << ": " << r.output;
    EXPECT_FALSE(std::filesystem::exists(path("out.png"))) << name;
  }
}

TEST_F(PlotTest, MissingFileOutFolderAndGnuplot) {
  const std::string rep3 = data_file("metrics_a_rep3.jsonl");
  auto r = sqt({"plot", path("nope.jsonl"), "--out", path("out.png")});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find(path("nope.jsonl") + ": cannot open"), std::string::npos) << r.output;

  r = sqt({"plot", dir_, "--out", path("out.png")});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find(dir_ + ": is a folder"), std::string::npos) << r.output;

  r = sqt({"plot", rep3, "--out", path("no/such/folder/out.png")});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("--out " + path("no/such/folder/out.png")), std::string::npos) << r.output;

  r = sqt({"plot", rep3, "--out", path("out.png"), "--gnuplot", path("no-gnuplot")});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("install it (apt-get install gnuplot-nox)"), std::string::npos) << r.output;

  r = sqt({"plot", rep3, "--out", path("out.png"), "--x", "batch"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("--x"), std::string::npos) << r.output;

  r = sqt({"plot", rep3});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("--out"), std::string::npos) << r.output;
  EXPECT_FALSE(std::filesystem::exists(path("out.png")));
}

}  // namespace
}  // namespace sqt::cli_test
