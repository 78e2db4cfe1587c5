// `sqt predict` and `sqt evaluate` as an operator runs them (the real
// binary; rep3 as three processes under the local launcher) on synthetic
// MNIST files: rep3's predictions equal the clear emulation's bit for bit
// (exact truncation), the logits follow a float64 forward pass of the
// model file, only the data owner receives anything, evaluate's accuracy is
// the training run's test accuracy, and wrong input is refused by name.
// Also the progress display outside a terminal (host/nn/progress.h).
#include <gtest/gtest.h>
#include <stdio.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "host/nn/model_file.h"
#include "host/nn/progress.h"
#include "tests/cli/mnist_files.h"
#include "tests/cli/run_sqt.h"

namespace sqt::cli_test {
namespace {

constexpr int kTest = 40;  // test images

class InferenceTest : public TempDirTest {
 protected:
  void SetUp() override {
    TempDirTest::SetUp();
    data_ = path("mnist");
    std::filesystem::create_directories(data_);
    write_idx_mnist(data_, "train", 64);
    write_idx_mnist(data_, "t10k", kTest);
  }

  // Two batches of network A; exact truncation makes every forward pass
  // deterministic, so runs under different protocols can be compared.
  void train(std::vector<std::string> extra) {
    std::vector<std::string> args = {
        "train",   "--model", "A",   "--batch", "32", "--max-batches", "2", "--eval-batch", "16",
        "--quiet", "--data",  data_, "--seed",  "4",  "--threads",     "1", "--trunc",      "exact"};
    args.insert(args.end(), extra.begin(), extra.end());
    const auto r = sqt(args);
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }

  bench::netns::CommandResult infer(const std::string& command, std::vector<std::string> extra) {
    std::vector<std::string> args = {command, "--data", data_, "--trunc", "exact", "--threads", "1"};
    args.insert(args.end(), extra.begin(), extra.end());
    return sqt(args);
  }

  std::string data_;
};

std::vector<std::vector<double>> rows_of(const std::string& text) {
  std::vector<std::vector<double>> rows;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    std::istringstream l(line);
    rows.emplace_back();
    for (double v; l >> v;) rows.back().push_back(v);
  }
  return rows;
}

// The lines party `party` printed under the local launcher.
std::vector<std::string> lines_of(const std::string& output, int party) {
  std::vector<std::string> out;
  std::istringstream in(output);
  const std::string prefix = "[P" + std::to_string(party) + "] ";
  for (std::string line; std::getline(in, line);)
    if (line.rfind(prefix, 0) == 0) out.push_back(line.substr(prefix.size()));
  return out;
}

// Network A (flatten, dense 128, relu, dense 128, relu, dense 10) in
// float64 on test image i of write_idx_mnist, from the model file.
std::vector<double> float_logits(const nn::ModelFile& m, int i) {
  std::vector<double> a(784);
  for (int p = 0; p < 784; ++p) a[p] = ((i * 53 + p * 7 + p / 28) % 256) * m.input->scale + m.input->offset;
  for (std::size_t l = 0; l < m.params.size(); ++l) {
    const auto& w = m.params[l].weight;
    if (w.empty()) {
      if (m.arch.layers[l].kind == nn::LayerKind::kRelu)
        for (double& v : a) v = std::max(v, 0.0);
      continue;
    }
    const std::size_t out = m.params[l].bias.size(), in = a.size();
    std::vector<double> y(m.params[l].bias);
    for (std::size_t r = 0; r < in; ++r)
      for (std::size_t c = 0; c < out; ++c) y[c] += a[r] * w[r * out + c];  // dense weights [in][out]
    a = y;
  }
  return a;
}

TEST_F(InferenceTest, Rep3PredictionsEqualClearAndOnlyTheDataOwnerReceivesThem) {
  train({"--protocol", "clear", "--init", "public", "--export", path("a.sqtm")});
  const auto clear = infer("predict", {"--protocol", "clear", "--model-file", path("a.sqtm"), "--scores",
                                       "--out", path("clear.txt")});
  ASSERT_EQ(clear.exit_code, 0) << clear.output;
  const auto rep3 = infer("predict", {"--model-file", path("a.sqtm"), "--model-owner", "1", "--data-owner",
                                      "2", "--scores", "--out", path("rep3.txt")});
  ASSERT_EQ(rep3.exit_code, 0) << rep3.output;
  const std::string expected = read_file(path("clear.txt"));
  EXPECT_EQ(read_file(path("rep3.txt")), expected) << "rep3's predictions differ from clear's";

  // The model owner (1) and party 0 print nothing at all; the data owner
  // says where its predictions went.
  EXPECT_TRUE(lines_of(rep3.output, 0).empty()) << rep3.output;
  EXPECT_TRUE(lines_of(rep3.output, 1).empty()) << rep3.output;
  const auto owner = lines_of(rep3.output, 2);
  EXPECT_NE(std::find(owner.begin(), owner.end(),
                      std::to_string(kTest) + " predictions written to " + path("rep3.txt")),
            owner.end())
      << rep3.output;

  // Each line: the arg-max label of its logits, which follow float64.
  const nn::ModelFile model = nn::read_model_file(path("a.sqtm"));
  const auto rows = rows_of(expected);
  ASSERT_EQ(rows.size(), static_cast<std::size_t>(kTest));
  for (int i = 0; i < kTest; ++i) {
    ASSERT_EQ(rows[i].size(), 11u) << "line " << i;
    const std::vector<double> logits(rows[i].begin() + 1, rows[i].end());
    const auto top = std::max_element(logits.begin(), logits.end()) - logits.begin();
    EXPECT_EQ(rows[i][0], static_cast<double>(top)) << "line " << i;
    const auto ref = float_logits(model, i);
    for (int c = 0; c < 10; ++c) EXPECT_NEAR(logits[c], ref[c], 2e-3) << "image " << i << " class " << c;
  }
}

// The count evaluate opens is the training run's test accuracy for the
// same model, whether the model comes as checkpoint shares or as the
// exported file; predict's labels give the same count.
TEST_F(InferenceTest, EvaluateGivesTheTrainingRunsTestAccuracy) {
  train({"--protocol", "rep3", "--checkpoint", path("ck"), "--metrics", path("m.jsonl"), "--export",
         path("a.sqtm")});
  std::smatch m;
  const std::string metrics = read_file(path("m.jsonl"));
  ASSERT_TRUE(std::regex_search(metrics, m, std::regex(R"("test_accuracy":([0-9.eE+-]+))"))) << metrics;
  const double trained = std::stod(m[1]);

  auto correct_of = [](const std::string& line) {
    std::smatch a;
    if (!std::regex_search(line, a, std::regex(R"(accuracy [0-9.]+ % \(([0-9]+) of ([0-9]+) images)")))
      return -1;
    EXPECT_EQ(std::stoi(a[2]), kTest);
    return std::stoi(a[1]);
  };
  const auto ck = infer("evaluate", {"--checkpoint", path("ck"), "--data-owner", "1", "--batch", "7"});
  ASSERT_EQ(ck.exit_code, 0) << ck.output;
  int count = -1;
  for (const auto& line : lines_of(ck.output, 1)) count = std::max(count, correct_of(line));
  EXPECT_EQ(static_cast<double>(count) / kTest, trained) << ck.output;
  for (int other : {0, 2})
    for (const auto& line : lines_of(ck.output, other))
      EXPECT_EQ(line.find("accuracy"), std::string::npos) << line;

  const auto file = infer("evaluate", {"--protocol", "clear", "--model-file", path("a.sqtm")});
  ASSERT_EQ(file.exit_code, 0) << file.output;
  EXPECT_EQ(correct_of(file.output), count) << file.output;

  const auto pr = infer("predict", {"--checkpoint", path("ck"), "--out", path("p.txt"), "--quiet"});
  ASSERT_EQ(pr.exit_code, 0) << pr.output;
  const auto rows = rows_of(read_file(path("p.txt")));
  ASSERT_EQ(rows.size(), static_cast<std::size_t>(kTest));
  int hits = 0;
  for (int i = 0; i < kTest; ++i) hits += rows[i].at(0) == i % 10;  // write_idx_mnist's labels
  EXPECT_EQ(hits, count);
}

TEST_F(InferenceTest, WrongInputIsRefusedByName) {
  train({"--protocol", "clear", "--export", path("a.sqtm"), "--checkpoint", path("ck")});
  struct Case {
    std::vector<std::string> args;
    std::string expect;
  };
  const std::vector<Case> cases = {
      {{"evaluate", "--checkpoint", path("none")},
       "--checkpoint: party 0 has no checkpoint " + path("none") + "/party-0/party-0.ckpt"},
      {{"evaluate", "--model", "C", "--model-file", path("a.sqtm")},
       "--model-file: " + path("a.sqtm") + " holds network A, --model is C"},
      {{"evaluate", "--model-file", path("a.sqtm"), "--data-owner", "3"},
       "--data-owner 3: rep3 runs with 3 parties (ids 0 to 2)"},
      {{"evaluate", "--model-file", path("a.sqtm"), "--model-owner", "5"},
       "--model-owner 5: rep3 runs with 3 parties (ids 0 to 2)"},
      {{"evaluate"}, "give the model as --checkpoint DIR or as --model-file FILE"},
      {{"evaluate", "--checkpoint", path("ck"), "--model-file", path("a.sqtm")}, "not both"},
      {{"predict", "--model-file", path("a.sqtm")}, "predict: --out FILE is required"},
      {{"predict", "--protocol", "plain", "--model-file", path("a.sqtm"), "--out", path("x")},
       "--protocol plain: predict runs on secret shares"},
      {{"evaluate", "--model-file", path("missing.sqtm")}, path("missing.sqtm")},
      {{"evaluate", "--protocol", "clear", "--ring", "128", "--checkpoint", path("ck")},
       "--checkpoint: " + path("ck") + "/party-0.ckpt holds Z_2^64 shares, --ring is 128"},
  };
  for (const auto& c : cases) {
    auto args = c.args;
    args.insert(args.end(), {"--data", data_});
    const auto r = sqt(args);
    EXPECT_NE(r.exit_code, 0) << c.expect;
    EXPECT_NE(r.output.find(c.expect), std::string::npos) << "expected '" << c.expect << "' in: " << r.output;
  }
}

// A party that is not the data owner cannot be given an output file: the
// predictions never reach it (checked before it connects).
TEST_F(InferenceTest, APartyOtherThanTheDataOwnerRefusesOut) {
  const std::string keys = path("keys");
  ASSERT_EQ(sqt({"keys", "--parties", "3", "--out", keys}).exit_code, 0);
  write_file(path("p1.toml"), "party = 1\nca_cert = \"" + keys + "/ca.pem\"\ncert = \"" + keys +
                                  "/party-1.pem\"\nkey = \"" + keys +
                                  "/party-1.key\"\n"
                                  "[[parties]]\nhost = \"127.0.0.1\"\nport = 7000\n"
                                  "[[parties]]\nhost = \"127.0.0.1\"\nport = 7001\n"
                                  "[[parties]]\nhost = \"127.0.0.1\"\nport = 7002\n");
  const auto r = sqt({"predict", "--config", path("p1.toml"), "--model-owner", "1", "--model-file",
                      path("a.sqtm"), "--out", path("p1.txt")});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("--out: party 1 is not the data owner (party 0); only the data owner receives the "
                          "predictions"),
            std::string::npos)
      << r.output;
  EXPECT_FALSE(std::filesystem::exists(path("p1.txt")));
}

// Outside a terminal (here a pipe) the training progress is plain lines,
// not one carriage-return update per batch.
TEST_F(InferenceTest, ProgressOutsideATerminalIsPlainLines) {
  const auto r = sqt({"train", "--protocol", "clear", "--model", "A", "--batch", "4", "--data", data_,
                      "--eval-batch", "40", "--threads", "1"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output.find('\r'), std::string::npos) << r.output;
  std::istringstream in(r.output);
  int progress = 0, last = 0;
  for (std::string line; std::getline(in, line);) {
    progress += line.find("epoch 1 batch ") == 0;
    last += line.find("epoch 1 batch 16/16 ") == 0;
  }
  EXPECT_EQ(last, 1) << r.output;
  EXPECT_LE(progress, 3) << "16 batches in a few seconds: the last line and at most one per 5 s\n"
                         << r.output;
}

// Both commands have their help, also as jobs of `sqt node`.
TEST(InferenceHelp, CommandsAndNodeJobsShowTheirFlags) {
  for (const std::vector<std::string> args :
       {std::vector<std::string>{"predict", "--help"}, {"node", "predict", "--help"}}) {
    const auto r = sqt(args);
    EXPECT_EQ(r.exit_code, 0) << r.output;
    for (const char* flag :
         {"--checkpoint", "--model-file", "--model-owner", "--data-owner", "--out", "--scores"})
      EXPECT_NE(r.output.find(flag), std::string::npos) << flag << " missing in " << r.output;
  }
  const auto e = sqt({"node", "evaluate", "--help"});
  EXPECT_EQ(e.exit_code, 0) << e.output;
  EXPECT_EQ(e.output.find("--out"), std::string::npos) << "evaluate writes no file: " << e.output;
  const auto n = sqt({"node", "--help"});
  EXPECT_NE(n.output.find("predict"), std::string::npos) << n.output;
}

TEST(ProgressDisplay, PlainLinesAtMostOncePerIntervalAndTheLast) {
  char* buf = nullptr;
  std::size_t len = 0;
  FILE* out = open_memstream(&buf, &len);
  ASSERT_NE(out, nullptr);
  const auto t0 = nn::ProgressDisplay::Clock::now();
  {
    nn::ProgressDisplay d(out, false, 5.0, t0);
    for (int s = 1; s <= 12; ++s) d.update("at " + std::to_string(s), s == 12, t0 + std::chrono::seconds(s));
  }
  std::fclose(out);
  EXPECT_EQ(std::string(buf, len), "at 5\nat 10\nat 12\n");
  std::free(buf);

  out = open_memstream(&buf, &len);
  {
    nn::ProgressDisplay d(out, true, 5.0, t0);
    for (int s = 1; s <= 3; ++s) d.update("at " + std::to_string(s), s == 3, t0 + std::chrono::seconds(s));
  }
  std::fclose(out);
  EXPECT_EQ(std::string(buf, len), "\rat 1   \rat 2   \rat 3   \n");
  std::free(buf);
}

}  // namespace
}  // namespace sqt::cli_test
