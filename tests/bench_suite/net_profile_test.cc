#include "bench/netns/net_profile.h"

#include <gtest/gtest.h>

#include "bench/netns/command_runner.h"
#include "host/core/error.h"

namespace sqt::bench::netns {
namespace {

TEST(NetProfile, PresetsMatchTheIssue) {
  const NetProfile lan = make_net_profile("lan");
  EXPECT_DOUBLE_EQ(lan.rate_bit_per_s, 10e9);
  EXPECT_DOUBLE_EQ(lan.rtt_ms, 0.1);
  const NetProfile wan = make_net_profile("wan");
  EXPECT_DOUBLE_EQ(wan.rate_bit_per_s, 100e6);
  EXPECT_DOUBLE_EQ(wan.rtt_ms, 20);
  EXPECT_FALSE(make_net_profile("none").shaped());
}

TEST(NetProfile, FlagsOverrideThePreset) {
  const NetProfile p = make_net_profile("wan", "1gbit", 5);
  EXPECT_DOUBLE_EQ(p.rate_bit_per_s, 1e9);
  EXPECT_DOUBLE_EQ(p.rtt_ms, 5);
}

TEST(NetProfile, RatesRoundTripThroughTcSyntax) {
  for (double rate : {1e3, 250e3, 100e6, 10e9, 1234.0}) {
    EXPECT_DOUBLE_EQ(parse_rate(format_rate(rate)), rate) << format_rate(rate);
  }
  EXPECT_EQ(format_rate(100e6), "100mbit");
  EXPECT_EQ(format_rate(10e9), "10gbit");
  EXPECT_DOUBLE_EQ(parse_rate("2.5Gbit"), 2.5e9);
}

TEST(NetProfile, BadInputNamesTheFlag) {
  try {
    make_net_profile("dsl");
    FAIL() << "no error for an unknown profile";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("--net"), std::string::npos);
  }
  EXPECT_THROW(parse_rate("fast"), ConfigError);
  EXPECT_THROW(parse_rate("10tbit"), ConfigError);
  EXPECT_THROW(parse_rate("-5mbit"), ConfigError);
  EXPECT_THROW(make_net_profile("lan", "", 1e9), ConfigError);
}

TEST(CommandRunner, ReportsExitCodeAndOutput) {
  const CommandResult ok = run_command({"sh", "-c", "echo hello; exit 0"});
  EXPECT_EQ(ok.exit_code, 0);
  EXPECT_EQ(ok.output, "hello\n");
  EXPECT_EQ(run_command({"sh", "-c", "exit 7"}).exit_code, 7);
  const CommandResult missing = run_command({"/nonexistent/program"});
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_NE(missing.output.find("/nonexistent/program"), std::string::npos) << missing.output;
  try {
    run_checked({"sh", "-c", "echo broken >&2; exit 3"});
    FAIL() << "no error for exit code 3";
  } catch (const NetError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("sh -c"), std::string::npos) << message;
    EXPECT_NE(message.find("exit code 3"), std::string::npos) << message;
    EXPECT_NE(message.find("broken"), std::string::npos) << message;
  }
}

}  // namespace
}  // namespace sqt::bench::netns
