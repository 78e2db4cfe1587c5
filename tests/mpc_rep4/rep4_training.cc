// A short rep4 training run over real party processes: this binary launches
// itself four times through the local launcher (TLS on loopback); each party
// trains network A for a few batches on synthetic data owned by party 0 with
// exact truncation and public initial weights, verifies, and exports the
// model to party 0. It must match the clear emulation of the same run, and
// the run under the fpga-sim backend must give the same model bit for bit.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <string>

#include "host/backend/backend.h"
#include "host/mpc/clear/clear.h"
#include "host/mpc/rep4/rep4.h"
#include "host/net/launcher.h"
#include "host/net/session.h"
#include "host/nn/model_file.h"
#include "host/nn/trainer_instances.h"
#include "tests/nn/synthetic_data.h"

namespace sqt::nn {
namespace {

TrainOptions run_options(const std::string& export_path) {
  TrainOptions o;
  o.model = "A";
  o.batch = 32;
  o.max_batches = 3;
  o.epochs = 1;
  o.seed = 5;
  o.eval_batch = 50;
  o.quiet = true;
  o.export_path = export_path;
  o.init = InitMode::kPublic;  // the same initial weights in every run
  return o;
}

int run_party(const std::string& config, const std::string& export_path, const std::string& backend_name) {
  const auto cfg = net::load_node_config(config);
  auto network = net::connect_mesh(cfg);
  auto be = backend::make_backend(backend_name, 1);
  const auto train = testing::synthetic_mnist(128, 1), test = testing::synthetic_mnist(50, 2);
  Trainer<mpc::Rep4> t(run_options(export_path), [&](std::uint64_t) {
    return std::make_unique<mpc::Rep4>(*network, *be, FixedParams{}, mpc::TruncMode::kExact,
                                       std::uint64_t{0});
  });
  t.run(cfg.party == 0 ? &train : nullptr, cfg.party == 0 ? &test : nullptr);
  return 0;
}

std::string fresh_dir(const std::string& name) {
  const std::string dir = ::testing::TempDir() + "/" + name;
  std::filesystem::create_directories(dir);
  return dir;
}

TEST(Rep4Training, FourProcessesMatchTheClearEmulation) {
  const std::string dir = fresh_dir("sqt_rep4_training");
  const std::string secure = dir + "/rep4.sqtm", emulated = dir + "/clear.sqtm";
  std::filesystem::remove(secure);
  ASSERT_EQ(net::launch_local_parties(4, {"--party-run", secure, "cpu"}), 0);

  auto be = backend::make_backend("cpu", 1);
  const auto train = testing::synthetic_mnist(128, 1), test = testing::synthetic_mnist(50, 2);
  Trainer<mpc::Clear> t(run_options(emulated), [&](std::uint64_t seed) {
    return std::make_unique<mpc::Clear>(*be, FixedParams{}, mpc::TruncMode::kExact, seed);
  });
  t.run(&train, &test);

  const auto a = read_model_file(secure).params, b = read_model_file(emulated).params;
  const auto init = glorot_init(make_architecture("A"), 5);
  ASSERT_EQ(a.size(), b.size());
  double diff = 0, moved = 0;
  for (std::size_t i = 0; i < a.size(); ++i)
    for (std::size_t j = 0; j < a[i].weight.size(); ++j) {
      diff = std::max(diff, std::abs(a[i].weight[j] - b[i].weight[j]));
      moved = std::max(moved, std::abs(b[i].weight[j] - init[i].weight[j]));
    }
  EXPECT_GT(moved, 1e-3);
  EXPECT_LT(diff, 1e-3);
}

TEST(Rep4Training, FpgaSimBackendGivesTheSameModelAsCpu) {
  const std::string dir = fresh_dir("sqt_rep4_backends");
  const std::string cpu = dir + "/cpu.sqtm", sim = dir + "/fpga-sim.sqtm";
  std::filesystem::remove(cpu);
  std::filesystem::remove(sim);
  ASSERT_EQ(net::launch_local_parties(4, {"--party-run", cpu, "cpu"}), 0);
  ASSERT_EQ(net::launch_local_parties(4, {"--party-run", sim, "fpga-sim"}), 0);
  const auto a = read_model_file(cpu).params, b = read_model_file(sim).params;
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].weight, b[i].weight) << "layer " << i;
    EXPECT_EQ(a[i].bias, b[i].bias) << "layer " << i;
  }
}

}  // namespace
}  // namespace sqt::nn

// The launcher re-runs this binary as
// `--party-run EXPORT BACKEND --config party-i.toml`.
int main(int argc, char** argv) {
  if (argc == 6 && std::strcmp(argv[1], "--party-run") == 0 && std::strcmp(argv[4], "--config") == 0) {
    try {
      return sqt::nn::run_party(argv[5], argv[2], argv[3]);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "party failed: %s\n", e.what());
      return 1;
    }
  }
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
