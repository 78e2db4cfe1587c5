// Shamir training runs over real party processes: this binary launches
// itself N times through the local launcher (TLS on loopback); each party
// trains a network for two batches on synthetic data owned by party 0 with
// exact truncation and public initial weights, and exports the model to
// party 0. It must match the clear emulation of the same run; the fpga-sim
// backend must give the cpu backend's model bit for bit. Ten processes run
// a short protocol workload instead (ten parties share two cores).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "host/backend/backend.h"
#include "host/mpc/clear/clear.h"
#include "host/mpc/shamir/shamir.h"
#include "host/net/launcher.h"
#include "host/net/session.h"
#include "host/nn/model_file.h"
#include "host/nn/trainer_instances.h"
#include "tests/nn/synthetic_data.h"

namespace sqt::nn {
namespace {

TrainOptions run_options(const std::string& model, const std::string& export_path) {
  TrainOptions o;
  o.model = model;
  o.batch = model == "A" ? 32 : 8;
  o.max_batches = 2;
  o.epochs = 1;
  o.seed = 5;
  o.eval_batch = 20;
  o.quiet = true;
  o.export_path = export_path;
  o.init = InitMode::kPublic;  // the same initial weights in every run
  return o;
}

const auto& train_set() {
  static const auto s = testing::synthetic_mnist(64, 1);
  return s;
}
const auto& test_set() {
  static const auto s = testing::synthetic_mnist(20, 2);
  return s;
}

// Values the "ops" run computes: party 0 inputs a, the last party b.
std::vector<Ring> ops_input(std::uint64_t seed, int shift) {
  std::vector<Ring> v(300);
  std::uint64_t state = seed;
  for (auto& x : v) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    x = static_cast<Ring>(static_cast<SignedRing>(state) >> shift);
  }
  return v;
}

// A protocol workload over the mesh: product, exact truncation, ltz,
// revealed by everyone; party 0 writes the results (one value a line).
int run_ops(net::Network& network, backend::Backend& be, const std::string& out_path) {
  mpc::Shamir p(network, be, FixedParams{}, mpc::TruncMode::kExact);
  const int last = p.parties() - 1;
  const auto a = ops_input(1, 36), b = ops_input(2, 36);  // 28-bit: products in the 63-bit range
  const auto x = p.input(0, p.party() == 0 ? std::span<const Ring>(a) : std::span<const Ring>(), a.size());
  const auto y =
      p.input(last, p.party() == last ? std::span<const Ring>(b) : std::span<const Ring>(), b.size());
  const auto prod = p.reveal(p.mul(x, y));
  const auto tr = p.reveal(p.mul_trunc(x, y, 16));
  const auto lt = p.reveal(p.ltz(p.sub(x, y)));
  if (p.party() == 0) {
    std::ofstream f(out_path);
    for (const auto* v : {&prod, &tr, &lt})
      for (const Ring r : *v) f << r << "\n";
  }
  return 0;
}

int run_party(const std::string& config, const std::string& export_path, const std::string& backend_name,
              const std::string& model) {
  const auto cfg = net::load_node_config(config);
  auto network = net::connect_mesh(cfg);
  auto be = backend::make_backend(backend_name, 1);
  if (model == "ops") return run_ops(*network, *be, export_path);
  Trainer<mpc::Shamir> t(run_options(model, export_path), [&](std::uint64_t) {
    return std::make_unique<mpc::Shamir>(*network, *be, FixedParams{}, mpc::TruncMode::kExact,
                                         std::uint64_t{0});
  });
  t.run(cfg.party == 0 ? &train_set() : nullptr, cfg.party == 0 ? &test_set() : nullptr);
  return 0;
}

std::string fresh_dir(const std::string& name) {
  const std::string dir = ::testing::TempDir() + "/" + name;
  std::filesystem::create_directories(dir);
  return dir;
}

void expect_matches_clear(int parties, const std::string& model) {
  const std::string dir = fresh_dir("sqt_shamir_training_" + model + std::to_string(parties));
  const std::string secure = dir + "/shamir.sqtm", emulated = dir + "/clear.sqtm";
  std::filesystem::remove(secure);
  ASSERT_EQ(net::launch_local_parties(parties, {"--party-run", secure, "cpu", model}), 0);

  auto be = backend::make_backend("cpu", 1);
  Trainer<mpc::Clear> t(run_options(model, emulated), [&](std::uint64_t seed) {
    return std::make_unique<mpc::Clear>(*be, FixedParams{}, mpc::TruncMode::kExact, seed);
  });
  t.run(&train_set(), &test_set());

  const auto a = read_model_file(secure).params, b = read_model_file(emulated).params;
  const auto init = glorot_init(make_architecture(model), 5);
  ASSERT_EQ(a.size(), b.size());
  double diff = 0, moved = 0;
  for (std::size_t i = 0; i < a.size(); ++i)
    for (std::size_t j = 0; j < a[i].weight.size(); ++j) {
      diff = std::max(diff, std::abs(a[i].weight[j] - b[i].weight[j]));
      moved = std::max(moved, std::abs(b[i].weight[j] - init[i].weight[j]));
    }
  EXPECT_GT(moved, 1e-4);
  EXPECT_LT(diff, 1e-3);
}

TEST(ShamirTraining, NetworkAThreeProcessesMatchTheClearEmulation) { expect_matches_clear(3, "A"); }

TEST(ShamirTraining, NetworkCThreeProcessesMatchTheClearEmulation) { expect_matches_clear(3, "C"); }

// Ten processes over TLS: a product, an exact truncation and a comparison
// against plain Z_2^64 arithmetic.
TEST(ShamirTraining, TenProcessesOverTlsComputeProductsTruncationAndComparison) {
  const std::string dir = fresh_dir("sqt_shamir_ten");
  const std::string out = dir + "/ops.txt";
  std::filesystem::remove(out);
  ASSERT_EQ(net::launch_local_parties(10, {"--party-run", out, "cpu", "ops"}), 0);
  std::ifstream f(out);
  std::vector<Ring> got;
  for (Ring v; f >> v;) got.push_back(v);
  const auto a = ops_input(1, 36), b = ops_input(2, 36);  // 28-bit: products in the 63-bit range
  ASSERT_EQ(got.size(), 3 * a.size());
  for (std::size_t e = 0; e < a.size(); ++e) {
    EXPECT_EQ(got[e], a[e] * b[e]) << e;
    EXPECT_EQ(got[a.size() + e], static_cast<Ring>(static_cast<SignedRing>(a[e] * b[e]) >> 16)) << e;
    EXPECT_EQ(got[2 * a.size() + e], static_cast<Ring>(static_cast<SignedRing>(a[e] - b[e]) < 0)) << e;
  }
}

TEST(ShamirTraining, FpgaSimBackendGivesTheSameModelAsCpu) {
  const std::string dir = fresh_dir("sqt_shamir_backends");
  const std::string cpu = dir + "/cpu.sqtm", sim = dir + "/fpga-sim.sqtm";
  std::filesystem::remove(cpu);
  std::filesystem::remove(sim);
  ASSERT_EQ(net::launch_local_parties(3, {"--party-run", cpu, "cpu", "A"}), 0);
  ASSERT_EQ(net::launch_local_parties(3, {"--party-run", sim, "fpga-sim", "A"}), 0);
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
// `--party-run EXPORT BACKEND MODEL --config party-i.toml`.
int main(int argc, char** argv) {
  if (argc == 7 && std::strcmp(argv[1], "--party-run") == 0 && std::strcmp(argv[5], "--config") == 0) {
    try {
      return sqt::nn::run_party(argv[6], argv[2], argv[3], argv[4]);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "party failed: %s\n", e.what());
      return 1;
    }
  }
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
