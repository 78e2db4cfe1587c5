// Shamir training runs over real party processes (TLS on loopback,
// tests/common/process_training.h): each party trains a network for two
// batches on synthetic data owned by party 0 with exact truncation and
// public initial weights. The model must match the clear emulation of the
// same run; the fpga-sim backend must give the cpu backend's model bit for
// bit. Ten processes run a short protocol workload instead (ten parties
// share two cores).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "host/mpc/shamir/shamir.h"
#include "host/net/launcher.h"
#include "tests/common/process_training.h"

namespace sqt::testing {
namespace {

// Two batches; network C with small batches (its convolutions are the
// slow part at three parties).
ShortRun run_of(const std::string& model) {
  ShortRun r;
  r.model = model;
  r.batch = model == "A" ? 32 : 8;
  r.max_batches = 2;
  r.eval_batch = 20;
  r.train_rows = 64;
  r.test_rows = 20;
  return r;
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

// args: EXPORT BACKEND MODEL (A, C, or "ops" for the protocol workload)
int run_party(const std::vector<std::string>& args, const std::string& config) {
  const std::string& model = args.at(2);
  if (model == "ops") {
    const auto cfg = net::load_node_config(config);
    auto network = net::connect_mesh(cfg);
    auto be = backend::make_backend(args.at(1), 1);
    return run_ops(*network, *be, args.at(0));
  }
  return run_training_party<mpc::Shamir>(
      run_of(model), config, args.at(0), args.at(1), [](net::Network& n, backend::Backend& be) {
        return std::make_unique<mpc::Shamir>(n, be, FixedParams{}, mpc::TruncMode::kExact, std::uint64_t{0});
      });
}

void expect_matches_clear(int parties, const std::string& model) {
  const std::string dir = fresh_dir("sqt_shamir_training_" + model + std::to_string(parties));
  const std::string secure = dir + "/shamir.sqtm", emulated = dir + "/clear.sqtm";
  ASSERT_EQ(net::launch_local_parties(parties, {"--party-run", secure, "cpu", model}), 0);
  run_clear_emulation(run_of(model), emulated);
  expect_close_to_emulation(run_of(model), secure, emulated, 1e-3, 1e-4);
}

TEST(ShamirTraining, NetworkAThreeProcessesMatchTheClearEmulation) { expect_matches_clear(3, "A"); }

TEST(ShamirTraining, NetworkCThreeProcessesMatchTheClearEmulation) { expect_matches_clear(3, "C"); }

// Ten processes over TLS: a product, an exact truncation and a comparison
// against plain Z_2^64 arithmetic. At ten parties the double sharings are
// dealt in batches and extracted through the backend (shamir_doubles.cc),
// so running it on fpga-sim covers that path there too.
void expect_ten_processes_compute_ops(const std::string& backend) {
  const std::string dir = fresh_dir("sqt_shamir_ten_" + backend);
  const std::string out = dir + "/ops.txt";
  ASSERT_EQ(net::launch_local_parties(10, {"--party-run", out, backend, "ops"}), 0);
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

TEST(ShamirTraining, TenProcessesOverTlsComputeProductsTruncationAndComparison) {
  expect_ten_processes_compute_ops("cpu");
}

TEST(ShamirTraining, TenProcessesOnTheFpgaSimBackendComputeTheSameValues) {
  expect_ten_processes_compute_ops("fpga-sim");
}

TEST(ShamirTraining, FpgaSimBackendGivesTheSameModelAsCpu) {
  const std::string dir = fresh_dir("sqt_shamir_backends");
  const std::string cpu = dir + "/cpu.sqtm", sim = dir + "/fpga-sim.sqtm";
  ASSERT_EQ(net::launch_local_parties(3, {"--party-run", cpu, "cpu", "A"}), 0);
  ASSERT_EQ(net::launch_local_parties(3, {"--party-run", sim, "fpga-sim", "A"}), 0);
  expect_same_model(cpu, sim);
}

}  // namespace
}  // namespace sqt::testing

// The launcher re-runs this binary as
// `--party-run EXPORT BACKEND MODEL --config party-i.toml`.
int main(int argc, char** argv) { return sqt::testing::party_test_main(argc, argv, sqt::testing::run_party); }
