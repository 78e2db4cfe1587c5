// Scaffolding of the multi-process training tests. Such a test binary
// launches itself once per party through the local launcher (TLS on
// loopback) as `--party-run ARGS... --config party-i.toml`; each party trains
// a short run on synthetic data owned by party 0 and exports the model to
// party 0. The test then compares that model with the clear emulation of the
// same run (exact truncation, public initial weights), or with another
// backend's model bit for bit.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "host/backend/backend.h"
#include "host/mpc/clear/clear.h"
#include "host/net/session.h"
#include "host/nn/model_file.h"
#include "host/nn/trainer_instances.h"
#include "tests/nn/synthetic_data.h"

namespace sqt::testing {

// What a short run trains; every run of one test uses the same values.
struct ShortRun {
  std::string model = "A";
  int batch = 32;
  long max_batches = 3;
  int eval_batch = 50;
  std::uint64_t seed = 5;
  std::size_t train_rows = 128, test_rows = 50;
};

inline nn::TrainOptions short_run_options(const ShortRun& r, const std::string& export_path) {
  nn::TrainOptions o;
  o.model = r.model;
  o.batch = r.batch;
  o.max_batches = r.max_batches;
  o.epochs = 1;
  o.seed = r.seed;
  o.eval_batch = r.eval_batch;
  o.quiet = true;
  o.export_path = export_path;
  // The same initial weights in every run: secure runs are compared with the
  // clear emulation and across backends.
  o.init = nn::InitMode::kPublic;
  return o;
}

// One party of a short run: `make(network, backend)` builds the protocol.
template <class P, class Make>
int run_training_party(const ShortRun& r, const std::string& config, const std::string& export_path,
                       const std::string& backend_name, Make make) {
  const auto cfg = net::load_node_config(config);
  auto network = net::connect_mesh(cfg);
  auto be = backend::make_backend(backend_name, 1);
  const auto train = nn::testing::synthetic_mnist(r.train_rows, 1);
  const auto test = nn::testing::synthetic_mnist(r.test_rows, 2);
  nn::Trainer<P> t(short_run_options(r, export_path),
                   [&](std::uint64_t) -> std::unique_ptr<P> { return make(*network, *be); });
  t.run(cfg.party == 0 ? &train : nullptr, cfg.party == 0 ? &test : nullptr);
  return 0;
}

// The clear emulation of the same short run, exported to `path`.
inline void run_clear_emulation(const ShortRun& r, const std::string& path) {
  auto be = backend::make_backend("cpu", 1);
  const auto train = nn::testing::synthetic_mnist(r.train_rows, 1);
  const auto test = nn::testing::synthetic_mnist(r.test_rows, 2);
  nn::Trainer<mpc::Clear> t(short_run_options(r, path), [&](std::uint64_t seed) {
    return std::make_unique<mpc::Clear>(*be, FixedParams{}, mpc::TruncMode::kExact, seed);
  });
  t.run(&train, &test);
}

// The secure model is within `tolerance` of the emulation's in every weight,
// and the emulation moved more than `min_moved` from the initial weights (so the comparison
// is not between two untrained models).
inline void expect_close_to_emulation(const ShortRun& r, const std::string& secure,
                                      const std::string& emulated, double tolerance = 1e-3,
                                      double min_moved = 1e-3) {
  const auto a = nn::read_model_file(secure).params, b = nn::read_model_file(emulated).params;
  const auto init = nn::glorot_init(nn::make_architecture(r.model), r.seed);
  ASSERT_EQ(a.size(), b.size());
  double diff = 0, moved = 0;
  for (std::size_t i = 0; i < a.size(); ++i)
    for (std::size_t j = 0; j < a[i].weight.size(); ++j) {
      diff = std::max(diff, std::abs(a[i].weight[j] - b[i].weight[j]));
      moved = std::max(moved, std::abs(b[i].weight[j] - init[i].weight[j]));
    }
  EXPECT_GT(moved, min_moved);
  EXPECT_LT(diff, tolerance) << "largest weight difference to the emulation";
  std::printf("largest weight difference to the emulation: %.3g (moved %.3g)\n", diff, moved);
}

inline void expect_same_model(const std::string& a_path, const std::string& b_path) {
  const auto a = nn::read_model_file(a_path).params, b = nn::read_model_file(b_path).params;
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].weight, b[i].weight) << "layer " << i;
    EXPECT_EQ(a[i].bias, b[i].bias) << "layer " << i;
  }
}

// A fresh directory under the test's temporary directory.
inline std::string fresh_dir(const std::string& name) {
  const std::string dir = ::testing::TempDir() + "/" + name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

// main() of such a binary: `--party-run ARGS... --config FILE` runs
// party(ARGS, FILE) (a failure prints why and exits 1); anything else runs
// the tests.
using PartyMain = std::function<int(const std::vector<std::string>& args, const std::string& config)>;

inline int party_test_main(int argc, char** argv, const PartyMain& party) {
  if (argc >= 4 && std::strcmp(argv[1], "--party-run") == 0 && std::strcmp(argv[argc - 2], "--config") == 0) {
    try {
      return party(std::vector<std::string>(argv + 2, argv + argc - 2), argv[argc - 1]);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "party failed: %s\n", e.what());
      return 1;
    }
  }
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}

}  // namespace sqt::testing
