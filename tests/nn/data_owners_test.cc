// Several data owners (host/nn/owned_sets.h): two parties each holding half
// of the rows train, under rep3, the model that one party holding all of
// them trains (exact truncation, public initial weights: a batch's sums do
// not depend on the order of its rows, so the models are bit-identical);
// the other parties see an owner's rows only as uniformly random
// components; owners whose sets do not fit the network or each other are
// refused by name; joint standardisation uses the union's statistics.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "host/backend/backend.h"
#include "host/mpc/clear/clear.h"
#include "host/mpc/rep3/rep3.h"
#include "host/nn/model_file.h"
#include "host/nn/owned_sets.h"
#include "host/nn/trainer_instances.h"
#include "tests/common/fake_network.h"
#include "tests/nn/synthetic_data.h"

namespace sqt::nn {
namespace {

namespace fs = std::filesystem;

// Rows [from, from + n) of d as a set of their own.
data::Dataset rows_of(const data::Dataset& d, std::size_t from, std::size_t n) {
  data::Dataset part = d;
  part.count = n;
  const std::size_t s = d.sample_size();
  part.pixels.assign(d.pixels.begin() + static_cast<std::ptrdiff_t>(from * s),
                     d.pixels.begin() + static_cast<std::ptrdiff_t>((from + n) * s));
  part.labels.assign(d.labels.begin() + static_cast<std::ptrdiff_t>(from),
                     d.labels.begin() + static_cast<std::ptrdiff_t>(from + n));
  return part;
}

TrainOptions options(const std::string& export_path) {
  TrainOptions o;
  o.model = "A";
  o.batch = 32;
  o.max_batches = 6;
  o.epochs = 2;
  o.seed = 8;
  o.eval_batch = 40;
  o.quiet = true;
  o.init = InitMode::kPublic;
  o.export_path = export_path;
  return o;
}

// Trains under rep3 (three threads over the FakeNetwork) with `owners`, each
// owner i holding train_parts[i] and test_parts[i]; returns party 0's results.
std::vector<EpochResult> train_rep3(TrainOptions o, std::vector<int> owners,
                                    const std::vector<data::Dataset>& train_parts,
                                    const std::vector<data::Dataset>& test_parts) {
  o.data_owners = owners;
  auto results = test::run_parties(3, [&](net::Network& network) {
    auto be = backend::make_backend("cpu", 1);
    Trainer<mpc::Rep3> t(o, [&](std::uint64_t) {
      return std::make_unique<mpc::Rep3>(network, *be, FixedParams{}, mpc::TruncMode::kExact,
                                         std::uint64_t{5});
    });
    const auto at = std::find(owners.begin(), owners.end(), network.party());
    const std::size_t i = static_cast<std::size_t>(at - owners.begin());
    const bool owner = at != owners.end();
    return t.run(owner ? &train_parts[i] : nullptr, owner ? &test_parts[i] : nullptr);
  });
  return results[0];
}

std::string fresh(const std::string& name) {
  const std::string dir = ::testing::TempDir() + "/sqt_nn_owners_" + name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

TEST(DataOwners, TwoHalvesTrainTheModelOfOneOwnerHoldingAll) {
  const std::string dir = fresh("halves");
  const auto train = testing::synthetic_mnist(192, 1), test = testing::synthetic_mnist(80, 2);
  // Owner 1 holds the first half of each set, owner 2 the second: the union
  // in owner order is the whole set in its order.
  const std::vector<data::Dataset> train_halves{rows_of(train, 0, 96), rows_of(train, 96, 96)};
  const std::vector<data::Dataset> test_halves{rows_of(test, 0, 40), rows_of(test, 40, 40)};

  const auto split = train_rep3(options(dir + "/split.sqtm"), {1, 2}, train_halves, test_halves);
  const auto whole = train_rep3(options(dir + "/whole.sqtm"), {0}, {train}, {test});

  // The clear emulation of the one-owner run as the independent reference.
  auto be = backend::make_backend("cpu", 1);
  Trainer<mpc::Clear> t(options(dir + "/clear.sqtm"), [&](std::uint64_t seed) {
    return std::make_unique<mpc::Clear>(*be, FixedParams{}, mpc::TruncMode::kExact, seed);
  });
  const auto clear = t.run(&train, &test);

  ASSERT_EQ(split.size(), 2u);
  for (std::size_t e = 0; e < 2; ++e) {
    EXPECT_EQ(split[e].test_accuracy, whole[e].test_accuracy) << "epoch " << e + 1;
    EXPECT_EQ(split[e].test_accuracy, clear[e].test_accuracy) << "epoch " << e + 1;
  }
  EXPECT_GT(split.back().test_accuracy, 0.3);  // it learned
  const auto a = read_model_file(dir + "/split.sqtm"), b = read_model_file(dir + "/clear.sqtm");
  for (std::size_t i = 0; i < a.params.size(); ++i) {
    EXPECT_EQ(a.params[i].weight, b.params[i].weight) << "layer " << i;
    EXPECT_EQ(a.params[i].bias, b.params[i].bias) << "layer " << i;
  }
}

// What parties 0 and 2 hold of owner 1's rows after sharing: full-width
// values with their top bit set half of the time, none equal to the row
// values themselves (which are below 2^16 at f = 16).
TEST(DataOwners, OtherPartiesHoldOnlyRandomComponentsOfAnOwnersRows) {
  const auto mine = testing::synthetic_mnist(64, 3), test = testing::synthetic_mnist(8, 4);
  const auto views = test::run_parties(3, [&](net::Network& network) {
    auto be = backend::make_backend("cpu", 1);
    mpc::Rep3 p(network, *be, FixedParams{}, mpc::TruncMode::kProbabilistic, 0);
    const bool owner = network.party() == 1;
    const OwnedSets<mpc::Rep3> sets(p, {1}, owner ? &mine : nullptr, owner ? &test : nullptr,
                                    make_architecture("A"), false, [](const std::string&) {});
    std::vector<std::uint32_t> idx(64);
    for (std::uint32_t i = 0; i < 64; ++i) idx[i] = i;
    const auto x = OwnedSets<mpc::Rep3>::gather(p, sets.train_x(), idx);
    std::vector<Ring> held;
    for (const auto& part : x.part) held.insert(held.end(), part.begin(), part.end());
    return held;
  });
  std::vector<Ring> values(64 * 784);
  std::vector<std::uint32_t> all(64);
  for (std::uint32_t i = 0; i < 64; ++i) all[i] = i;
  mine.gather_fixed<Ring>(all, 16, values.data());
  for (const int party : {0, 2}) {
    std::size_t top = 0, plain = 0, random = 0;
    const auto& held = views[static_cast<std::size_t>(party)];
    for (std::size_t e = 0; e < held.size(); ++e) {
      if (held[e] == 0) continue;  // rep3's public zero component of an input
      ++random;
      top += held[e] >> 63;
      plain += held[e] == values[e % values.size()];
    }
    ASSERT_GT(random, values.size() / 2) << "party " << party;
    const double share = static_cast<double>(top) / static_cast<double>(random);
    EXPECT_NEAR(share, 0.5, 0.02) << "party " << party << ": top bits of its components";
    EXPECT_LT(plain, random / 1000) << "party " << party << " holds row values in the clear";
  }
}

TEST(DataOwners, SetsThatDoNotFitAreRefusedNamingTheOwner) {
  const auto good = testing::synthetic_mnist(64, 1), test = testing::synthetic_mnist(8, 2);
  data::Dataset wide = good;  // CIFAR-shaped rows
  wide.height = wide.width = 32;
  wide.channels = 3;
  wide.pixels.assign(64 * 32 * 32 * 3, 7);
  auto run = [&](const data::Dataset& second) {
    return test::run_parties(3, [&](net::Network& network) {
      auto be = backend::make_backend("cpu", 1);
      mpc::Rep3 p(network, *be, FixedParams{}, mpc::TruncMode::kProbabilistic, 0);
      const data::Dataset* mine = network.party() == 0 ? &good : network.party() == 2 ? &second : nullptr;
      OwnedSets<mpc::Rep3> sets(p, {0, 2}, mine, mine ? &test : nullptr, make_architecture("A"), false,
                                [](const std::string&) {});
      return sets.train_rows();
    });
  };
  try {
    run(wide);
    ADD_FAILURE() << "an owner with 3072-value samples joined network A";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("data owner 2: samples of 3072 values, network A takes 784"),
              std::string::npos)
        << e.what();
  }
  EXPECT_THROW(check_data_owners(std::vector<int>{0, 0}, 3), ConfigError);
  EXPECT_THROW(check_data_owners(std::vector<int>{3}, 3), ConfigError);
}

// Joint standardisation: every owner maps its values with the union's mean
// and deviation (what standardize() computes on the union), not its own.
TEST(DataOwners, JointStandardisationUsesTheUnionsStatistics) {
  auto a = testing::synthetic_mnist(64, 5), b = testing::synthetic_mnist(64, 6);
  for (auto& px : b.pixels) px = static_cast<std::uint8_t>(px / 2);  // a darker owner
  const auto test = testing::synthetic_mnist(8, 7);
  data::Dataset all = a;
  all.count = 128;
  all.pixels.insert(all.pixels.end(), b.pixels.begin(), b.pixels.end());
  data::Dataset all_test = test;
  data::standardize(all, all_test);
  const auto maps = test::run_parties(3, [&](net::Network& network) {
    auto be = backend::make_backend("cpu", 1);
    mpc::Rep3 p(network, *be, FixedParams{}, mpc::TruncMode::kProbabilistic, 0);
    const data::Dataset* mine = network.party() == 0 ? &a : network.party() == 1 ? &b : nullptr;
    const OwnedSets<mpc::Rep3> sets(p, {0, 1}, mine, mine ? &test : nullptr, make_architecture("A"), true,
                                    [](const std::string&) {});
    const data::Dataset* own = sets.own_train();
    return own ? std::array<double, 2>{own->scale, own->offset} : std::array<double, 2>{0, 0};
  });
  for (const int owner : {0, 1}) {
    EXPECT_NEAR(maps[owner][0], all.scale, 1e-4 * std::abs(all.scale)) << "owner " << owner;
    EXPECT_NEAR(maps[owner][1], all.offset, 1e-4 * std::abs(all.offset)) << "owner " << owner;
  }
  EXPECT_NE(a.scale, all.scale);  // the callers' sets are left as they were
}

}  // namespace
}  // namespace sqt::nn
