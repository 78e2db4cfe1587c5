// `sqt protocols` and the registry's checks on `sqt train`: models named by
// their rows, planned models refused by name, --export-party bounded by the
// model's party count.
#include <gtest/gtest.h>

#include <regex>
#include <string>

#include "tests/cli/run_sqt.h"

namespace sqt::cli_test {
namespace {

TEST(Protocols, TableNamesEachModelWithItsProperties) {
  const auto r = sqt({"protocols"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::string rows[] = {
      R"(rep3 +3 +semi-honest +honest +Z_2\^64 +built)",      R"(clear +1 +none +- +Z_2\^64 +built)",
      R"(rep4 +4 +malicious +honest +Z_2\^64 +planned)",      R"(mal-rep3 +3 +malicious +honest)",
      R"(shamir +3-10 +semi-honest +honest +GR\(2\^64, 4\))", R"(spdz2k +2-10 +malicious +dishonest)",
  };
  for (const auto& row : rows)
    EXPECT_TRUE(std::regex_search(r.output, std::regex(row))) << row << " missing in:\n" << r.output;
}

TEST(Protocols, TrainRefusesPlannedUnknownAndOutOfRangeParties) {
  auto r = sqt({"train", "--protocol", "rep4"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("--protocol rep4: this security model is planned but not built yet"),
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

}  // namespace
}  // namespace sqt::cli_test
