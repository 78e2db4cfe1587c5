// The result documents generated from a small manifest and metrics lines
// written here: every cell asserted is a number of the fixture (accuracies,
// times, bytes), and bad input is refused naming its file and line.
#include "bench/report/training_docs.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "bench/report/training_runs.h"
#include "bench/report/training_tables.h"
#include "host/core/error.h"

namespace sqt::bench::report {
namespace {

namespace fs = std::filesystem;

// One epoch record as `sqt train --metrics` writes it (secure trainer).
std::string epoch(const char* protocol, int e, double accuracy, double elapsed, double bytes) {
  std::ostringstream j;
  j << R"({"epoch":)" << e << R"(,"batches":100,"test_accuracy":)" << accuracy << R"(,"elapsed_s":)"
    << elapsed << R"(,"train_s":)" << elapsed / e - 10 << R"(,"test_s":10,"bytes_sent":)" << bytes
    << R"(,"rounds":)" << 1000 * e << R"(,"model":"C","protocol":")" << protocol
    << R"(","seed":1,"init":"secret","lr":0.05})" << '\n';
  return j.str();
}

const char* const kRecipe = "--epochs 3 --lr 0.05 --lr-schedule linear --standardize --seed 1";

std::string entry(const std::string& file, const std::string& protocol, const std::string& extra = "") {
  return R"({"metrics":")" + file + R"(","command":"sqt train --model C --protocol )" + protocol + " " +
         kRecipe + R"( --quiet","commit":"abc1234","machine":"test machine","date":"2026-01-02")" + extra +
         "}\n";
}

class TrainingDocsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("sqt-training-docs-" + std::to_string(getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "results");
    // rep3 peaks at epoch 2 (97.50 %) and ends at 97.00 %; 100 s per epoch,
    // 1 GB per epoch.
    write("C_rep3.jsonl", epoch("rep3", 1, 0.9, 100, 1e9) + epoch("rep3", 2, 0.975, 200, 2e9) +
                              epoch("rep3", 3, 0.97, 300, 3e9));
    write("C_clear.jsonl",
          epoch("clear", 1, 0.91, 10, 0) + epoch("clear", 2, 0.96, 20, 0) + epoch("clear", 3, 0.975, 30, 0));
    // The float trainer writes fewer fields: no train_s, test_s, lr.
    write("C_plain.jsonl",
          R"({"epoch":1,"batches":100,"test_accuracy":0.92,"train_loss":0.3,"elapsed_s":5,"bytes_sent":0,)"
          R"("rounds":0,"protocol":"plain","model":"C","optimizer":"sgd","seed":1})"
          "\n"
          R"({"epoch":2,"batches":100,"test_accuracy":0.97,"train_loss":0.2,"elapsed_s":10,"bytes_sent":0,)"
          R"("rounds":0,"protocol":"plain","model":"C","optimizer":"sgd","seed":1})"
          "\n"
          R"({"epoch":3,"batches":100,"test_accuracy":0.98,"train_loss":0.1,"elapsed_s":15,"bytes_sent":0,)"
          R"("rounds":0,"protocol":"plain","model":"C","optimizer":"sgd","seed":1})"
          "\n");
    write("manifest.jsonl", entry("C_rep3.jsonl", "rep3", R"(,"milestones":[95,99])") +
                                entry("C_clear.jsonl", "clear") + entry("C_plain.jsonl", "plain"));
  }
  void TearDown() override { fs::remove_all(dir_); }

  void write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / "results" / name) << text;
  }
  std::string manifest() const { return (dir_ / "results" / "manifest.jsonl").string(); }
  static std::string read(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  // The message of the FileError `f` throws.
  template <class F>
  static std::string error_of(F f) {
    try {
      f();
    } catch (const FileError& e) {
      return e.what();
    }
    ADD_FAILURE() << "no FileError";
    return "";
  }

  fs::path dir_;
};

TEST_F(TrainingDocsTest, RunsCarryTheFixturesNumbersAndTheManifestsFacts) {
  const auto runs = load_training_runs(manifest());
  ASSERT_EQ(runs.size(), 3u);
  EXPECT_EQ(runs[0].protocol, "rep3");
  EXPECT_DOUBLE_EQ(runs[0].last().accuracy, 0.97);
  EXPECT_EQ(runs[0].peak().epoch, 2);
  EXPECT_DOUBLE_EQ(runs[0].last().bytes_sent, 3e9);
  EXPECT_EQ(runs[0].commit, "abc1234");
  EXPECT_EQ(runs[0].recipe, "--epochs 3 --lr 0.05 --lr-schedule linear --seed 1 --standardize");
  EXPECT_EQ(runs[2].recipe, runs[0].recipe);  // --protocol and --quiet are not the recipe
}

TEST_F(TrainingDocsTest, TablesShowFinalPeakGapTimeAndBytes) {
  const auto runs = load_training_runs(manifest());
  const std::string md = results_section(runs, {}, "how");
  // Float versus secure: plain 98.00, clear 97.50, rep3 97.00 -> gaps -1.00, -0.50.
  EXPECT_NE(md.find("| 98.00 % | 97.50 % | 97.00 % | -1.00 | -0.50 |"), std::string::npos) << md;
  // The rep3 row: 3 epochs, final 97.00, peak 97.50 at epoch 2, 300 s, 3 GB.
  EXPECT_NE(
      md.find("| C | rep3 | 3 | 97.00 % | 97.50 % (2) | 5.00 min | 3.00 GB | test machine | 2026-01-02 | "
              "abc1234 | `sqt train --model C --protocol rep3 "),
      std::string::npos)
      << md;
  EXPECT_NE(md.find("| C | plain | 3 | 98.00 % | 98.00 % (3) | 15.0 s | - |"), std::string::npos) << md;
  // Milestones: 95 % first at epoch 2 (200 s), 99 % never.
  EXPECT_NE(md.find("| C | rep3 | 95.00 % | 2 | 3.33 min |"), std::string::npos) << md;
  EXPECT_NE(md.find("| C | rep3 | 99.00 % | not reached |"), std::string::npos) << md;
  // Per epoch: plain, clear, rep3 and its wall clock.
  EXPECT_NE(md.find("| 2 | 97.00 % | 96.00 % | 97.50 % | 3.33 min |"), std::string::npos) << md;

  const std::string perf = performance_section(runs, "how");
  // 100 s per epoch, train_s 90 s over 100 batches, test 10 s, 1 GB and 1000 rounds per epoch.
  EXPECT_NE(perf.find("| C | rep3 | 3 | 100 | 1.67 min | 900 ms | 10.0 s | 1.00 GB | 1000 |"),
            std::string::npos)
      << perf;
  EXPECT_NE(perf.find("| C | plain | 3 | 100 | 5.00 s | - | - | - | - |"), std::string::npos) << perf;
}

// A second secure protocol on the same recipe gets its own float-versus-secure
// row (gaps against the same twins) and its own per-epoch column.
TEST_F(TrainingDocsTest, EverySecureProtocolGetsItsRowAndColumn) {
  write("C_rep4.jsonl", epoch("rep4", 1, 0.89, 400, 4e9) + epoch("rep4", 2, 0.95, 800, 8e9) +
                            epoch("rep4", 3, 0.985, 1200, 12e9));
  std::ofstream(manifest(), std::ios::app) << entry("C_rep4.jsonl", "rep4");
  const std::string md = results_section(load_training_runs(manifest()), {}, "how");
  EXPECT_NE(md.find("| rep3 | 98.00 % | 97.50 % | 97.00 % | -1.00 | -0.50 |"), std::string::npos) << md;
  EXPECT_NE(md.find("| rep4 | 98.00 % | 97.50 % | 98.50 % | +0.50 | +1.00 |"), std::string::npos) << md;
  // Epoch 2: plain, clear, rep3 and its clock, rep4 and its clock.
  EXPECT_NE(md.find("| 2 | 97.00 % | 96.00 % | 97.50 % | 3.33 min | 95.00 % | 13.3 min |"), std::string::npos)
      << md;
}

// A secure run that stopped after epoch 1 of the recipe's 3 is compared with
// its twins' epoch 1, and their cells say so.
TEST_F(TrainingDocsTest, ASecureRunThatStoppedEarlyIsComparedAtItsLastEpoch) {
  write("C_rep4.jsonl", epoch("rep4", 1, 0.905, 400, 4e9));
  std::ofstream(manifest(), std::ios::app) << entry("C_rep4.jsonl", "rep4");
  const std::string md = results_section(load_training_runs(manifest()), {}, "how");
  EXPECT_NE(md.find("| rep4 | 92.00 % at epoch 1 | 91.00 % at epoch 1 | 90.50 % | -1.50 | -0.50 |"),
            std::string::npos)
      << md;
  // The finished secure run keeps the final comparison.
  EXPECT_NE(md.find("| rep3 | 98.00 % | 97.50 % | 97.00 % | -1.00 | -0.50 |"), std::string::npos) << md;
}

TEST_F(TrainingDocsTest, SeveralRunsOfOneProtocolShowTheirMeanAndRange) {
  write("C_rep3.jsonl", epoch("rep3", 1, 0.9, 100, 1e9) + epoch("rep3", 1, 0.96, 100, 1e9));
  write("C_clear.jsonl", epoch("clear", 1, 0.95, 10, 0));
  write("manifest.jsonl", entry("C_rep3.jsonl", "rep3") + entry("C_rep3.jsonl", "rep3", R"(,"run":2)") +
                              entry("C_clear.jsonl", "clear"));
  fs::remove(dir_ / "results" / "C_plain.jsonl");
  const std::string md = results_section(load_training_runs(manifest()), {}, "how");
  EXPECT_NE(md.find("| 95.00 % | 93.00 % (mean of 2: 90.00-96.00) |  | -2.00 |"), std::string::npos) << md;
}

TEST_F(TrainingDocsTest, MalformedMetricsLineNamesFileAndLine) {
  write("C_clear.jsonl", epoch("clear", 1, 0.91, 10, 0) + "{\"epoch\":2,\"test_accuracy\":\n");
  const std::string message = error_of([&] { load_training_runs(manifest()); });
  EXPECT_NE(message.find("C_clear.jsonl:2"), std::string::npos) << message;
  EXPECT_NE(message.find("not valid JSON"), std::string::npos) << message;

  write("C_clear.jsonl", epoch("clear", 1, 0.91, 10, 0) + epoch("clear", 2, 1.5, 20, 0));
  const std::string above = error_of([&] { load_training_runs(manifest()); });
  EXPECT_NE(above.find("C_clear.jsonl:2: field 'test_accuracy' is above 1"), std::string::npos) << above;

  write("C_clear.jsonl", R"({"epoch":1,"batches":1,"elapsed_s":1,"model":"C","protocol":"clear"})"
                         "\n");
  const std::string missing = error_of([&] { load_training_runs(manifest()); });
  EXPECT_NE(missing.find("C_clear.jsonl:1: field 'test_accuracy' is missing"), std::string::npos) << missing;
}

TEST_F(TrainingDocsTest, ManifestProblemsAreNamed) {
  // A second run appended to a file without an entry.
  write("C_clear.jsonl", epoch("clear", 1, 0.91, 10, 0) + epoch("clear", 1, 0.92, 10, 0));
  std::string m = error_of([&] { load_training_runs(manifest()); });
  EXPECT_NE(m.find("run 2 of C_clear.jsonl (from "), std::string::npos) << m;
  EXPECT_NE(m.find("C_clear.jsonl:2) has no entry"), std::string::npos) << m;

  // A command for another network.
  write("C_clear.jsonl", epoch("clear", 1, 0.91, 10, 0));
  write("manifest.jsonl",
        entry("C_rep3.jsonl", "rep3") + entry("C_clear.jsonl", "rep3") + entry("C_plain.jsonl", "plain"));
  m = error_of([&] { load_training_runs(manifest()); });
  EXPECT_NE(
      m.find(
          "manifest.jsonl:2: the command trains C under rep3, but run 1 of C_clear.jsonl is C under clear"),
      std::string::npos)
      << m;

  // A metrics file nobody listed.
  write("manifest.jsonl", entry("C_rep3.jsonl", "rep3") + entry("C_plain.jsonl", "plain"));
  m = error_of([&] { load_training_runs(manifest()); });
  EXPECT_NE(m.find("C_clear.jsonl: metrics file not listed in"), std::string::npos) << m;

  // An entry without its command.
  write("manifest.jsonl", R"({"metrics":"C_rep3.jsonl","commit":"a","machine":"m","date":"d"})"
                          "\n");
  m = error_of([&] { load_training_runs(manifest()); });
  EXPECT_NE(m.find("manifest.jsonl:1: field 'command' is missing"), std::string::npos) << m;
}

TEST_F(TrainingDocsTest, ResumedRunContinuesItsClockAndCounters) {
  // Epoch 2 after --resume: its clock and counters started again.
  write("C_rep3.jsonl", epoch("rep3", 1, 0.9, 100, 1e9) + epoch("rep3", 2, 0.95, 60, 5e8));
  const auto runs = read_metrics_runs((dir_ / "results" / "C_rep3.jsonl").string(), "C_rep3.jsonl");
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_DOUBLE_EQ(runs[0].last().elapsed_s, 160);
  EXPECT_DOUBLE_EQ(runs[0].last().bytes_sent, 1.5e9);
}

TEST_F(TrainingDocsTest, RecipeKeepsWhatShapesTrainingOnly) {
  EXPECT_EQ(
      recipe_of("sqt train --model C --protocol rep3 --threads 1 --batch=64 --standardize --quiet --data d "
                "--seed 2 --init public"),
      "--batch 64 --seed 2 --standardize");
  EXPECT_EQ(flag_value("sqt train --model alexnet --standardize", "--model"), "alexnet");
  EXPECT_EQ(flag_value("sqt train --standardize", "--protocol"), "");
}

TEST_F(TrainingDocsTest, DocumentsKeepTheirHandWrittenTextAroundTheGeneratedSection) {
  const fs::path out = dir_ / "docs";
  fs::create_directories(out);
  std::ofstream(out / "RESULTS.md") << "# Accuracy runs\n\nHand-written intro.\n\n"
                                    << kBeginMarker << "\nold table\n"
                                    << kEndMarker << "\n\nHand-written end.\n";
  const auto summary = write_training_docs({manifest(), out.string(), "", ""});
  EXPECT_EQ(summary.runs, 3u);
  const std::string results = read(out / "RESULTS.md");
  EXPECT_EQ(results.find("old table"), std::string::npos);
  EXPECT_NE(results.find("Hand-written intro.\n\n<!-- BEGIN"), std::string::npos) << results;
  EXPECT_NE(results.find("<!-- END generated -->\n\nHand-written end.\n"), std::string::npos) << results;
  EXPECT_NE(results.find("| C | rep3 | 3 | 97.00 % |"), std::string::npos);
  // PERFORMANCE.md did not exist: created with its title.
  EXPECT_EQ(read(out / "PERFORMANCE.md").rfind("# Performance\n\n" + std::string(kBeginMarker), 0), 0u);

  std::ofstream(out / "PERFORMANCE.md") << "# Performance\n\nno markers\n";
  const std::string m = error_of([&] { write_training_docs({manifest(), out.string(), "", ""}); });
  EXPECT_NE(m.find("PERFORMANCE.md: no generated section"), std::string::npos) << m;
}

}  // namespace
}  // namespace sqt::bench::report
