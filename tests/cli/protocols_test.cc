// `sqt protocols` and the registry's checks on `sqt train` and `sqt bench`:
// models named by their rows, planned models and unbuilt rings refused by
// name, --parties bounded by the model's range, --export-party by the run's
// party count, and the protocol suites running the model they are given.
#include <gtest/gtest.h>

#include <regex>
#include <string>
#include <vector>

#include "tests/cli/run_sqt.h"

namespace sqt::cli_test {
namespace {

TEST(Protocols, TableNamesEachModelWithItsProperties) {
  const auto r = sqt({"protocols"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::string rows[] = {
      R"(rep3 +3 +semi-honest +honest +Z_2\^64 Z_2\^128 +built)",
      R"(clear +1 +none +- +Z_2\^64 Z_2\^128 +built)",
      R"(rep4 +4 +malicious +honest +Z_2\^64 +built)",
      R"(mal-rep3 +3 +malicious +honest +Z_2\^\(64\+64\) +built)",
      R"(shamir +3-10 +semi-honest +honest +GR\(2\^64, 4\))",
      R"(spdz2k +2-10 +malicious +dishonest)",
  };
  for (const auto& row : rows)
    EXPECT_TRUE(std::regex_search(r.output, std::regex(row))) << row << " missing in:\n" << r.output;
}

TEST(Protocols, TableHasARingColumn) {
  const auto r = sqt({"protocols"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::string rows[] = {
      R"(^name +parties +security +majority +ring +status +scheme)",
      R"(\nplain +1 +none +- +float32 +built)",
      R"(\nspdz2k +2-10 +malicious +dishonest +Z_2\^\(64\+s\) +planned)",
  };
  for (const auto& row : rows)
    EXPECT_TRUE(std::regex_search(r.output, std::regex(row))) << row << " missing in:\n" << r.output;
}

// Each case: the command and the message it must fail with.
void expect_refused(const std::vector<std::pair<std::vector<std::string>, std::string>>& cases) {
  for (const auto& [args, message] : cases) {
    const auto r = sqt(args);
    EXPECT_NE(r.exit_code, 0) << args[0] << " " << args[1];
    EXPECT_NE(r.output.find(message), std::string::npos) << message << " missing in:\n" << r.output;
  }
}

TEST(Protocols, PartiesOutsideTheModelsRangeAreRefused) {
  expect_refused({
      {{"train", "--parties", "4"}, "--parties 4: rep3 runs with 3 parties"},
      {{"train", "--parties", "2", "--protocol", "rep3"}, "--parties 2: rep3 runs with 3 parties"},
      {{"train", "--protocol", "clear", "--parties", "3"}, "--parties 3: clear runs with 1 party"},
      {{"bench", "protocol", "--parties", "4", "--json", "unused.jsonl"},
       "--parties 4: rep3 runs with 3 parties"},
      {{"bench", "train", "--parties", "2", "--json", "unused.jsonl"},
       "--parties 2: rep3 runs with 3 parties"},
  });
}

TEST(Protocols, UnbuiltRingsAreRefusedNamingModelAndRing) {
  expect_refused({
      {{"train", "--ring", "32"}, "--ring 32: rep3 is not built over Z_2^32"},
      {{"train", "--protocol", "clear", "--ring", "32"}, "--ring 32: clear is not built over Z_2^32"},
      {{"train", "--protocol", "plain", "--ring", "64"},
       "--ring 64: plain computes in float32, not in a ring"},
      {{"bench", "protocol", "--ring", "32", "--json", "unused.jsonl"},
       "--ring 32: rep3 is not built over Z_2^32"},
  });
}

TEST(Protocols, BenchSuitesRefuseOneProcessModels) {
  expect_refused({
      {{"bench", "protocol", "--protocol", "clear", "--json", "unused.jsonl"},
       "sqt bench protocol: --protocol clear runs in one process"},
      {{"bench", "train", "--protocol", "spdz2k", "--json", "unused.jsonl"},
       "--protocol spdz2k: this security model is planned but not built yet"},
  });
}

using ProtocolsDirTest = TempDirTest;

// `sqt bench protocol --protocol rep3` runs the model's cases on its three
// parties and names them after it.
TEST_F(ProtocolsDirTest, BenchProtocolRunsTheNamedModel) {
  const std::string json = path("protocol.jsonl");
  const auto r = sqt({"bench", "protocol", "--protocol", "rep3", "--quick", "--only", "round_latency",
                      "--repeats", "1", "--json", json});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::string lines = read_file(json);
  for (const char* field : {R"("name":"rep3/round_latency_x100")", R"("protocol":"rep3")", R"("parties":3)",
                            R"("ring":"Z_2^64")"})
    EXPECT_NE(lines.find(field), std::string::npos) << field << " missing in:\n" << lines;
  // 100 dependent products: 100 rounds.
  EXPECT_TRUE(std::regex_search(
      lines, std::regex(R"("metric":"rounds".*"name":"rep3/round_latency_x100".*"value":100\b)")))
      << lines;
}

// A node.toml of `parties` parties (placeholder key files: the checks come
// before any connection), with `extra` lines first.
std::string write_node_toml(const std::string& dir, int parties, const std::string& extra = "",
                            const std::string& name = "node.toml") {
  for (const char* f : {"ca.pem", "p0.pem", "p0.key"}) write_file(dir + "/" + f, "unused\n");
  std::string text = "party = 0\nca_cert = \"ca.pem\"\ncert = \"p0.pem\"\nkey = \"p0.key\"\n" + extra;
  for (int p = 0; p < parties; ++p)
    text += "[[parties]]\nhost = \"127.0.0.1\"\nport = " + std::to_string(p + 1) + "\n";
  const std::string toml = dir + "/" + name;
  write_file(toml, text);
  return toml;
}

// node.toml lists the parties; --parties must agree with it.
TEST_F(ProtocolsDirTest, PartiesContradictingNodeTomlIsRefused) {
  const std::string toml = write_node_toml(dir_, 3);
  expect_refused({
      {{"train", "--config", toml, "--parties", "4"},
       "--parties 4 contradicts the 3 [[parties]] entries in " + toml},
      {{"bench", "protocol", "--config", toml, "--parties", "2", "--json", path("unused.jsonl")},
       "--parties 2 contradicts the 3 [[parties]] entries in " + toml},
  });
}

TEST(Protocols, TrainRefusesPlannedUnknownAndOutOfRangeParties) {
  auto r = sqt({"train", "--protocol", "spdz2k"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("--protocol spdz2k: this security model is planned but not built yet"),
            std::string::npos)
      << r.output;
  r = sqt({"train", "--protocol", "rep5"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("--protocol rep5: unknown protocol (built: rep3, clear, plain"), std::string::npos)
      << r.output;
  r = sqt({"train", "--export-party", "3", "--export", "/nonexistent/model.sqt"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("--export-party 3: rep3 runs with 3 parties (ids 0 to 2)"), std::string::npos)
      << r.output;
}

// `sqt node` checks node.toml's model against the registry before the job.
TEST_F(ProtocolsDirTest, NodeRefusesAModelItsFileCannotRun) {
  expect_refused({
      {{"node", "--config", write_node_toml(dir_, 3, "protocol = \"spdz2k\"\n", "spdz2k.toml"), "train"},
       "protocol = \"spdz2k\": --protocol spdz2k: this security model is planned but not built yet"},
      {{"node", "--config", write_node_toml(dir_, 3, "protocol = \"rep4\"\n", "rep4.toml"), "train"},
       "protocol = \"rep4\": 3 [[parties]]: rep4 runs with 4 parties"},
      {{"node", "--config", write_node_toml(dir_, 4, "protocol = \"rep3\"\n", "rep3.toml"), "train"},
       "protocol = \"rep3\": 4 [[parties]]: rep3 runs with 3 parties"},
      {{"train", "--config", write_node_toml(dir_, 4)}, "lists 4 [[parties]]: rep3 runs with 3 parties"},
  });
}

}  // namespace
}  // namespace sqt::cli_test
