// Short mal-rep3 training runs over three real party processes (TLS on
// loopback, tests/common/process_training.h). With exact truncation (no
// randomness in the values) network A must match the clear emulation of the
// same run, and a one-batch run under the fpga-sim backend must give the cpu
// backend's model bit for bit. With probabilistic truncation (the default:
// the products' unbiased rounding without the masks' carry, the carry where
// fx functions truncate) it must stay close to the exact emulation.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "host/mpc/mal_rep3/mal_rep3.h"
#include "host/net/launcher.h"
#include "tests/common/process_training.h"

namespace sqt::testing {
namespace {

ShortRun run_of(int batches) {
  ShortRun r;
  r.max_batches = batches;
  return r;
}

// args: EXPORT BACKEND exact|probabilistic BATCHES
int run_party(const std::vector<std::string>& args, const std::string& config) {
  const auto mode = args.at(2) == "exact" ? mpc::TruncMode::kExact : mpc::TruncMode::kProbabilistic;
  return run_training_party<mpc::MalRep3>(
      run_of(std::stoi(args.at(3))), config, args.at(0), args.at(1),
      [&](net::Network& n, backend::Backend& be) {
        return std::make_unique<mpc::MalRep3>(n, be, FixedParams{16, 31}, mode, std::uint64_t{0});
      });
}

TEST(MalRep3Training, ThreeProcessesMatchTheClearEmulation) {
  const std::string dir = fresh_dir("sqt_mal_rep3_training");
  const std::string secure = dir + "/mal-rep3.sqtm", emulated = dir + "/clear.sqtm";
  ASSERT_EQ(net::launch_local_parties(3, {"--party-run", secure, "cpu", "exact", "3"}), 0);
  run_clear_emulation(run_of(3), emulated);
  expect_close_to_emulation(run_of(3), secure, emulated);
}

// Each truncation adds at most a few ulps (2^-16) of zero-mean error, so
// three batches stay within 1e-4 (6.5 ulps) of the exact run in every weight
// (6.3e-7 when written); a wrong truncation, such as fx::exp off by factors
// of 2 in the defect this guards against, does not.
TEST(MalRep3Training, ProbabilisticTruncationStaysCloseToTheExactEmulation) {
  const std::string dir = fresh_dir("sqt_mal_rep3_probabilistic");
  const std::string secure = dir + "/mal-rep3.sqtm", emulated = dir + "/clear.sqtm";
  ASSERT_EQ(net::launch_local_parties(3, {"--party-run", secure, "cpu", "probabilistic", "3"}), 0);
  run_clear_emulation(run_of(3), emulated);
  expect_close_to_emulation(run_of(3), secure, emulated, 1e-4);
}

TEST(MalRep3Training, FpgaSimBackendGivesTheSameModelAsCpu) {
  const std::string dir = fresh_dir("sqt_mal_rep3_backends");
  const std::string cpu = dir + "/cpu.sqtm", sim = dir + "/fpga-sim.sqtm";
  ASSERT_EQ(net::launch_local_parties(3, {"--party-run", cpu, "cpu", "exact", "1"}), 0);
  ASSERT_EQ(net::launch_local_parties(3, {"--party-run", sim, "fpga-sim", "exact", "1"}), 0);
  expect_same_model(cpu, sim);
}

}  // namespace
}  // namespace sqt::testing

// The launcher re-runs this binary as
// `--party-run EXPORT BACKEND exact|probabilistic BATCHES --config party-i.toml`.
int main(int argc, char** argv) { return sqt::testing::party_test_main(argc, argv, sqt::testing::run_party); }
