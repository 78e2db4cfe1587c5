// Multi-process tests: the launcher starts real party processes of the
// net_party helper, each with its own TLS connections on loopback.
#include <fmt/core.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <string>

namespace {

using ::testing::HasSubstr;

struct PartiesRun {
  int status = -1;
  std::string output;  // stdout and stderr
};

PartiesRun run_parties(const std::string& args) {
  const std::string cmd = fmt::format("{} {} 2>&1", SQT_NET_PARTY_EXE, args);
  PartiesRun run;
  FILE* pipe = ::popen(cmd.c_str(), "r");
  std::array<char, 4096> buf{};
  while (std::size_t n = std::fread(buf.data(), 1, buf.size(), pipe)) run.output.append(buf.data(), n);
  const int status = ::pclose(pipe);
  run.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return run;
}

TEST(PartyProcesses, ThreePartiesExchangeBitExactData) {
  const PartiesRun run = run_parties("--parties 3 --rounds 12 --seed 11");
  EXPECT_EQ(run.status, 0) << run.output;
  for (int i = 0; i < 3; ++i) EXPECT_THAT(run.output, HasSubstr(fmt::format("[P{}] party {} ok", i, i)));
}

TEST(PartyProcesses, TenPartiesExchangeBitExactData) {
  const PartiesRun run = run_parties("--parties 10 --rounds 6 --seed 5");
  EXPECT_EQ(run.status, 0) << run.output;
  for (int i = 0; i < 10; ++i) EXPECT_THAT(run.output, HasSubstr(fmt::format("[P{}] party {} ok", i, i)));
}

TEST(PartyProcesses, KilledPartyMakesEveryOtherPartyFail) {
  const auto start = std::chrono::steady_clock::now();
  const PartiesRun run =
      run_parties("--parties 3 --rounds 50 --kill-party 1 --kill-round 3 --timeout-ms 2000");
  EXPECT_NE(run.status, 0) << run.output;
  for (int i : {0, 2}) {
    EXPECT_THAT(run.output, HasSubstr(fmt::format("[P{}] net_party: error:", i))) << run.output;
  }
  EXPECT_THAT(run.output, HasSubstr("party 1 (127.0.0.1:")) << run.output;
  EXPECT_THAT(run.output, ::testing::Not(HasSubstr("ok: sent"))) << run.output;
  // Hang check (bounded by timeout + the launcher's grace), not a timing claim.
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(30));
}

TEST(PartyProcesses, StuckPartyTimesOutAndTheLauncherKillsIt) {
  const auto start = std::chrono::steady_clock::now();
  const PartiesRun run = run_parties("--parties 3 --rounds 4 --hang-party 2 --timeout-ms 1000");
  EXPECT_NE(run.status, 0) << run.output;
  for (int i : {0, 1}) {
    EXPECT_THAT(run.output, HasSubstr(fmt::format("[P{}] net_party: error:", i))) << run.output;
  }
  EXPECT_THAT(run.output, HasSubstr("no data from party 2 (127.0.0.1:")) << run.output;
  // Party 2 never notices (it ignores the network): the launcher kills it
  // after the timeout plus its grace period instead of waiting an hour.
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(60));
}

}  // namespace
