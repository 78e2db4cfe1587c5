// A short rep4 training run over four real party processes (TLS on
// loopback, tests/common/process_training.h): network A for a few batches
// with verification must match the clear emulation of the same run, and the
// fpga-sim backend must give the cpu backend's model bit for bit.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "host/mpc/rep4/rep4.h"
#include "host/net/launcher.h"
#include "tests/common/process_training.h"

namespace sqt::testing {
namespace {

const ShortRun kRun{};

int run_party(const std::vector<std::string>& args, const std::string& config) {
  return run_training_party<mpc::Rep4>(
      kRun, config, args.at(0), args.at(1), [](net::Network& n, backend::Backend& be) {
        return std::make_unique<mpc::Rep4>(n, be, FixedParams{}, mpc::TruncMode::kExact, std::uint64_t{0});
      });
}

TEST(Rep4Training, FourProcessesMatchTheClearEmulation) {
  const std::string dir = fresh_dir("sqt_rep4_training");
  const std::string secure = dir + "/rep4.sqtm", emulated = dir + "/clear.sqtm";
  ASSERT_EQ(net::launch_local_parties(4, {"--party-run", secure, "cpu"}), 0);
  run_clear_emulation(kRun, emulated);
  expect_close_to_emulation(kRun, secure, emulated);
}

TEST(Rep4Training, FpgaSimBackendGivesTheSameModelAsCpu) {
  const std::string dir = fresh_dir("sqt_rep4_backends");
  const std::string cpu = dir + "/cpu.sqtm", sim = dir + "/fpga-sim.sqtm";
  ASSERT_EQ(net::launch_local_parties(4, {"--party-run", cpu, "cpu"}), 0);
  ASSERT_EQ(net::launch_local_parties(4, {"--party-run", sim, "fpga-sim"}), 0);
  expect_same_model(cpu, sim);
}

}  // namespace
}  // namespace sqt::testing

// The launcher re-runs this binary as `--party-run EXPORT BACKEND --config party-i.toml`.
int main(int argc, char** argv) { return sqt::testing::party_test_main(argc, argv, sqt::testing::run_party); }
