// Secret initial weights (Model::set_secret_glorot, `--init secret`): the
// jointly drawn weights, opened here only, lie in each layer's Glorot
// interval [-l, l] and are uniform there (mean, variance, chi-square over
// bins); in rep3 no party's components reveal them; the clear emulation
// draws the same distribution; the trainer uses them by default.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "host/backend/backend.h"
#include "host/mpc/clear/clear.h"
#include "host/mpc/rep3/rep3.h"
#include "host/nn/model.h"
#include "host/nn/model_file.h"
#include "host/nn/trainer_instances.h"
#include "tests/mpc_rep3/rep3_test_util.h"
#include "tests/nn/synthetic_data.h"

namespace sqt::nn {
namespace {

constexpr int kF = 16;

// Glorot-uniform checks of one layer's weights against U(-l, l): every value
// within [-l, l] up to one ulp at f, mean and mean square within 5 standard
// errors of 0 and l^2/3, and (with 50 or more per bin) a chi-square over 16
// equal bins below 51 (15 degrees of freedom: p about 1e-5).
void expect_glorot_uniform(const std::vector<double>& w, double l, const std::string& what) {
  ASSERT_FALSE(w.empty()) << what;
  const double n = static_cast<double>(w.size());
  double sum = 0, sum_sq = 0;
  constexpr int kBins = 16;
  std::vector<double> bins(kBins, 0);
  for (double x : w) {
    ASSERT_LE(std::abs(x), l + std::ldexp(1.0, -kF)) << what;
    sum += x;
    sum_sq += x * x;
    const int b = std::clamp(static_cast<int>(std::floor((x + l) / (2 * l) * kBins)), 0, kBins - 1);
    bins[b] += 1;
  }
  EXPECT_LT(std::abs(sum / n), 5 * l / std::sqrt(3 * n)) << what << ": mean";
  EXPECT_LT(std::abs(sum_sq / n - l * l / 3), 5 * l * l * std::sqrt(4.0 / 45) / std::sqrt(n))
      << what << ": variance " << sum_sq / n << " against l^2/3 = " << l * l / 3;
  if (n >= 50 * kBins) {
    const double expected = n / kBins;
    double chi2 = 0;
    for (double c : bins) chi2 += (c - expected) * (c - expected) / expected;
    EXPECT_LT(chi2, 51.0) << what << ": chi-square over " << kBins << " bins";
  }
}

void expect_glorot_model(const Architecture& arch, const ModelParams& params, const std::string& who) {
  ASSERT_EQ(params.size(), arch.layers.size());
  for (std::size_t i = 0; i < arch.layers.size(); ++i) {
    if (weight_count(arch, i) == 0) continue;
    expect_glorot_uniform(params[i].weight, glorot_limit(arch, i), who + " layer " + std::to_string(i));
    for (double b : params[i].bias) ASSERT_EQ(b, 0.0) << who << " layer " << i << " bias";
  }
}

// Kolmogorov-Smirnov two-sample statistic.
double ks_statistic(std::vector<double> a, std::vector<double> b) {
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  std::size_t i = 0, j = 0;
  double d = 0;
  while (i < a.size() && j < b.size()) {
    const double x = std::min(a[i], b[j]);
    while (i < a.size() && a[i] <= x) ++i;
    while (j < b.size() && b[j] <= x) ++j;
    d = std::max(d, std::abs(static_cast<double>(i) / a.size() - static_cast<double>(j) / b.size()));
  }
  return d;
}

ModelParams clear_secret_init(const Architecture& arch, std::uint64_t seed) {
  auto be = backend::make_backend("cpu", 1);
  mpc::Clear p(*be, FixedParams{}, mpc::TruncMode::kProbabilistic, seed);
  Model<mpc::Clear> model(p, arch);
  model.set_secret_glorot();
  return model.decode(p.reveal(model.params()));
}

// What one rep3 party holds after the joint draw, and the opened weights.
struct PartyView {
  std::vector<Ring> part0, part1, opened;
  ModelParams params;
};

std::array<PartyView, 3> rep3_secret_init(const Architecture& arch, mpc::TruncMode mode) {
  test::Rep3Options options;
  options.mode = mode;
  return test::run_rep3(
      [&](mpc::Rep3& p) {
        Model<mpc::Rep3> model(p, arch);
        model.set_secret_glorot();
        PartyView v;
        v.part0.assign(model.params().part[0].begin(), model.params().part[0].end());
        v.part1.assign(model.params().part[1].begin(), model.params().part[1].end());
        v.opened = p.reveal(model.params());
        v.params = model.decode(v.opened);
        return v;
      },
      options);
}

// The same draw in Z_2^128 (f = 32, k = 63; the weights' scale is 2^100 there,
// past a 64-bit integer), by rep3 over the fake network: Glorot-uniform.
TEST(SecretInit, Rep3In128BitsDrawsGlorotUniformWeights) {
  const Architecture arch = make_architecture("A");
  const auto params = test::run_parties(3, [&](net::Network& network) {
    auto be = backend::make_backend("cpu", 1);
    mpc::Rep3_128 p(network, *be, default_fixed<Ring128>(), mpc::TruncMode::kProbabilistic, 5);
    Model<mpc::Rep3_128> model(p, arch);
    model.set_secret_glorot();
    return model.decode(p.reveal(model.params()));
  });
  expect_glorot_model(arch, params[0], "rep3 in Z_2^128");
}

TEST(SecretInit, ClearDrawsGlorotUniformWeights) {
  for (const char* name : {"A", "C"}) {
    const Architecture arch = make_architecture(name);
    expect_glorot_model(arch, clear_secret_init(arch, 11), std::string("clear ") + name);
  }
}

// The draw is sized against the protocol's exact truncation range
// (ExactBits::trunc), not rep3's number: under a narrower contract it stays
// inside (nothing counted) and is still Glorot-uniform; a range too narrow
// for the draw is refused. Under rep3's 63 bits it is the draw it always was
// (the ring values pinned by a hash).
TEST(SecretInit, ClearDrawFitsTheProtocolsTruncRange) {
  const Architecture arch = make_architecture("A");
  auto be = backend::make_backend("cpu", 1);
  for (const int width : {63, 50}) {
    mpc::Clear p(*be, FixedParams{}, mpc::TruncMode::kProbabilistic, 11);
    p.set_exact_bits({31, 64, width});
    Model<mpc::Clear> model(p, arch);
    model.set_secret_glorot();
    EXPECT_EQ(p.range_violations(), mpc::RangeViolations{}) << "trunc range " << width;
    const auto opened = p.reveal(model.params());
    expect_glorot_model(arch, model.decode(opened), "clear A, trunc range " + std::to_string(width));
    if (width == 63) {
      std::uint64_t h = 0xcbf29ce484222325ULL;  // FNV-1a over the values
      for (const Ring v : opened) h = (h ^ v) * 0x100000001b3ULL;
      EXPECT_EQ(h, 11474561453190581081ULL) << "the draw under rep3's contract changed";
    }
  }
  mpc::Clear narrow(*be, FixedParams{}, mpc::TruncMode::kProbabilistic, 11);
  narrow.set_exact_bits({31, 64, 20});
  Model<mpc::Clear> model(narrow, arch);
  EXPECT_THROW(model.set_secret_glorot(), ConfigError);
}

// Different draws for different protocol seeds, and not the public weights.
TEST(SecretInit, ClearDrawIsNotThePublicInit) {
  const Architecture arch = make_architecture("A");
  const ModelParams a = clear_secret_init(arch, 11), b = clear_secret_init(arch, 12);
  const ModelParams pub = glorot_init(arch, 11);
  std::size_t same_ab = 0, same_pub = 0, n = 0;
  for (std::size_t i = 0; i < a.size(); ++i)
    for (std::size_t j = 0; j < a[i].weight.size(); ++j, ++n) {
      same_ab += a[i].weight[j] == b[i].weight[j];
      same_pub += std::abs(a[i].weight[j] - pub[i].weight[j]) < 1e-4;
    }
  EXPECT_LT(same_ab, n / 1000);
  EXPECT_LT(same_pub, n / 100);
}

TEST(SecretInit, Rep3DrawsGlorotUniformWeightsThatNoPartyHolds) {
  const Architecture arch = make_architecture("A");
  const auto views = rep3_secret_init(arch, mpc::TruncMode::kProbabilistic);
  ASSERT_EQ(views[0].opened, views[1].opened);
  ASSERT_EQ(views[0].opened, views[2].opened);
  expect_glorot_model(arch, views[0].params, "rep3 A");

  // Every party's components look like uniform ring elements, never like
  // the weight (a few thousand of 2^16 or 2^32 at most); alone or summed
  // they are not the value.
  const std::vector<Ring>& value = views[0].opened;
  for (int party = 0; party < 3; ++party) {
    const PartyView& v = views[party];
    std::size_t equal = 0, small = 0, nonzero = 0;
    for (std::size_t e = 0; e < value.size(); ++e) {
      if (value[e] == 0) continue;  // the biases (zero, public)
      ++nonzero;
      equal += v.part0[e] == value[e] || v.part1[e] == value[e] || v.part0[e] + v.part1[e] == value[e];
      for (Ring c : {v.part0[e], v.part1[e]}) {
        const auto s = static_cast<std::int64_t>(c);
        small += s > -(std::int64_t{1} << 40) && s < (std::int64_t{1} << 40);
      }
    }
    EXPECT_GT(nonzero, 100000u);
    EXPECT_EQ(equal, 0u) << "party " << party;
    EXPECT_LT(small, nonzero / 1000) << "party " << party;
  }
}

// The clear emulation draws from the distribution rep3 draws from: per layer,
// a two-sample Kolmogorov-Smirnov test at about 1e-4.
TEST(SecretInit, ClearAndRep3DrawTheSameDistribution) {
  const Architecture arch = make_architecture("A");
  const auto views = rep3_secret_init(arch, mpc::TruncMode::kProbabilistic);
  const ModelParams clear = clear_secret_init(arch, 5);
  for (std::size_t i = 0; i < arch.layers.size(); ++i) {
    const auto& a = views[0].params[i].weight;
    const auto& b = clear[i].weight;
    if (a.empty()) continue;
    const double n = static_cast<double>(a.size()), m = static_cast<double>(b.size());
    EXPECT_LT(ks_statistic(a, b), 2.2 * std::sqrt((n + m) / (n * m))) << "layer " << i;
  }
}

// Exact truncation draws from the same interval (rep3's exact mode truncates
// each run of equal shifts by itself).
TEST(SecretInit, Rep3ExactTruncationDrawsGlorotUniformWeights) {
  const Architecture arch = make_architecture("B");
  const auto views = rep3_secret_init(arch, mpc::TruncMode::kExact);
  expect_glorot_model(arch, views[0].params, "rep3 exact B");
}

// The joint draw costs the same rounds for network A (118,282 parameters)
// as for network C (431,080): one random_int and one truncation for the
// whole model; and a few dozen bytes per weight and party.
TEST(SecretInit, Rep3CostIsConstantRoundsForTheWholeModel) {
  struct Cost {
    std::uint64_t rounds = 0, bytes = 0, weights = 0;
  };
  auto cost = [](const char* name) {
    const Architecture arch = make_architecture(name);
    const auto per_party = test::run_rep3([&](mpc::Rep3& p) {
      Model<mpc::Rep3> model(p, arch);
      const auto before = p.stats();
      model.set_secret_glorot();
      p.reveal(p.zeros(1));  // closes the last round for every party
      const auto after = p.stats();
      return Cost{after.rounds - before.rounds, after.bytes_sent - before.bytes_sent - 8, 0};
    });
    Cost c;
    for (const auto& pc : per_party) {
      c.rounds = std::max(c.rounds, pc.rounds);
      c.bytes = std::max(c.bytes, pc.bytes);
    }
    for (std::size_t i = 0; i < arch.layers.size(); ++i) c.weights += weight_count(arch, i);
    return c;
  };
  const Cost a = cost("A"), c = cost("C");
  EXPECT_EQ(a.rounds, c.rounds);
  EXPECT_LE(a.rounds, 16u);
  for (const Cost& x : {a, c}) {
    const double per_weight = static_cast<double>(x.bytes) / static_cast<double>(x.weights);
    EXPECT_LT(per_weight, 64.0);
    std::printf("set_secret_glorot: %llu weights, %llu rounds, %.1f bytes per weight (largest party)\n",
                static_cast<unsigned long long>(x.weights), static_cast<unsigned long long>(x.rounds),
                per_weight);
  }
}

TrainOptions init_options(const std::string& dir) {
  TrainOptions o;
  o.model = "A";
  o.batch = 32;
  o.max_batches = 0;  // no step: the export is the initial model
  o.seed = 9;
  o.eval_batch = 20;
  o.quiet = true;
  o.export_path = dir + "/init.sqtm";
  return o;
}

ModelParams initial_model(const TrainOptions& o) {
  std::filesystem::create_directories(std::filesystem::path(o.export_path).parent_path());
  const auto train = testing::synthetic_mnist(64, 1), test = testing::synthetic_mnist(20, 2);
  auto be = backend::make_backend("cpu", 1);
  Trainer<mpc::Clear> t(o, [&](std::uint64_t seed) {
    return std::make_unique<mpc::Clear>(*be, FixedParams{}, mpc::TruncMode::kProbabilistic, seed);
  });
  t.run(&train, &test);
  return read_model_file(o.export_path).params;
}

// By default the trainer starts from jointly drawn weights, not from the
// weights every party can compute from --seed.
TEST(SecretInit, TrainerDefaultIsTheSecretInit) {
  EXPECT_EQ(TrainOptions{}.init, InitMode::kSecret);
  const Architecture arch = make_architecture("A");
  const ModelParams got = initial_model(init_options(::testing::TempDir() + "/sqt_nn_init_default"));
  expect_glorot_model(arch, got, "trainer default");
  const ModelParams pub = glorot_init(arch, 9);
  std::size_t same = 0, n = 0;
  for (std::size_t i = 0; i < got.size(); ++i)
    for (std::size_t j = 0; j < got[i].weight.size(); ++j, ++n)
      same += std::abs(got[i].weight[j] - pub[i].weight[j]) < 1e-4;
  EXPECT_LT(same, n / 100);
}

// --init public keeps the reproducible public weights of --seed.
TEST(SecretInit, TrainerPublicInitIsTheSeedsGlorotWeights) {
  auto o = init_options(::testing::TempDir() + "/sqt_nn_init_public");
  o.init = InitMode::kPublic;
  const ModelParams got = initial_model(o);
  const ModelParams pub = glorot_init(make_architecture("A"), 9);
  for (std::size_t i = 0; i < got.size(); ++i)
    for (std::size_t j = 0; j < got[i].weight.size(); ++j)
      ASSERT_NEAR(got[i].weight[j], pub[i].weight[j], 1e-9) << "layer " << i;
  EXPECT_EQ(parse_init_mode("public"), InitMode::kPublic);
  EXPECT_EQ(parse_init_mode("secret"), InitMode::kSecret);
  EXPECT_THROW(parse_init_mode("seeded"), ConfigError);
}

}  // namespace
}  // namespace sqt::nn
