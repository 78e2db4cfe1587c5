// Every command's --help exits 0 and shows its usage and own options.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/cli/run_sqt.h"

namespace sqt::cli_test {
namespace {

TEST(Help, EveryCommandExitsZero) {
  struct Case {
    std::vector<std::string> args;
    std::vector<std::string> expect;
  };
  const Case cases[] = {
      {{"--help"}, {"train", "node", "keys", "bench", "plot"}},
      {{"train", "--help"},
       {"--model", "--protocol", "--metrics", "--lr-schedule", "--momentum", "--standardize",
        "--data-owner 1,2", "--data-for 1="}},
      {{"node", "--help"}, {"--config", "sqt train --help"}},
      {{"keys", "--help"}, {"--parties", "--out", "--days", "--force"}},
      {{"bench", "--help"}, {"--json", "--quick"}},
      {{"bench", "report", "--help"}, {"--out"}},
      {{"plot", "--help"}, {"--out", "--x", "time", "epoch"}},
      {{"plot", "-h"}, {"--out"}},
  };
  for (const auto& c : cases) {
    const auto r = sqt(c.args);
    const std::string what = c.args.front() + (c.args.size() > 1 ? " " + c.args[1] : "");
    EXPECT_EQ(r.exit_code, 0) << what << ": " << r.output;
    EXPECT_NE(r.output.find("Usage"), std::string::npos) << what << ": " << r.output;
    for (const auto& text : c.expect)
      EXPECT_NE(r.output.find(text), std::string::npos)
          << what << ": '" << text << "' missing in " << r.output;
  }
}

TEST(Help, NoCommandOrUnknownCommandFails) {
  auto r = sqt({});
  EXPECT_NE(r.exit_code, 0);
  r = sqt({"fly"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("unknown command 'fly'"), std::string::npos) << r.output;
}

// Bad training flags are refused by name before anything starts.
TEST(Help, BadTrainFlagsAreNamed) {
  auto r = sqt({"train", "--momentum", "1.5"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("--momentum"), std::string::npos) << r.output;
  r = sqt({"train", "--lr-schedule", "cosine"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("--lr-schedule"), std::string::npos) << r.output;
  // Numeric bounds say what is allowed and what was given, in one short line.
  const std::pair<std::vector<std::string>, std::string> bounds[] = {
      {{"train", "--batch", "0"}, "--batch: must be a positive number, got 0"},
      {{"train", "--eval-batch", "0"}, "--eval-batch: must be a positive number, got 0"},
      {{"train", "--lr", "-0.1"}, "--lr: must be a positive number, got -0.1"},
      {{"train", "--threads", "-2"}, "--threads: must be 0 or more, got -2"},
      {{"bench", "--repeats", "-1", "--json", "x.jsonl"}, "--repeats: must be 0 or more, got -1"},
  };
  for (const auto& [args, message] : bounds) {
    r = sqt(args);
    EXPECT_NE(r.exit_code, 0) << args[1];
    EXPECT_NE(r.output.find(message), std::string::npos) << r.output;
    EXPECT_LT(r.output.size(), 200u) << r.output;
  }
}

}  // namespace
}  // namespace sqt::cli_test
