// Every fx:: function costs a fixed number of rounds per call, whatever the
// batch size: measured on rep3 at two sizes and compared. The counts and
// bytes per element are printed for docs/PROTOCOLS.md.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "host/mpc/fixed/fixed.h"
#include "host/mpc/rep3/rep3.h"
#include "tests/mpc_fixed/fixed_checks.h"
#include "tests/mpc_rep3/rep3_test_util.h"

namespace sqt::test {
namespace {

using Share = mpc::Rep3::Share;
using Op = std::function<void(mpc::Rep3&, const Share&)>;

struct Cost {
  std::uint64_t rounds, bytes;
};

// Rounds (the most any party counts) and bytes (mean over the parties)
// of op over n positive inputs in (0.5, 4).
Cost measure(const Op& op, std::size_t n) {
  const auto x = encode_all(uniform(n, 0.5, 4.0, n), 16);
  auto costs = run_rep3([&](mpc::Rep3& p) {
    const Share s = owned(p, x);
    const auto before = p.stats();
    op(p, s);
    const auto cost = p.stats() - before;
    return Cost{cost.rounds, cost.bytes_sent};
  });
  Cost c{0, 0};
  for (const Cost& party : costs) {
    c.rounds = std::max(c.rounds, party.rounds);
    c.bytes += party.bytes;
  }
  c.bytes /= costs.size();
  return c;
}

void expect_fixed_rounds(const char* name, const Op& op) {
  const Cost small = measure(op, 64);
  const Cost large = measure(op, 4096);
  EXPECT_EQ(small.rounds, large.rounds) << name << " rounds depend on the batch size";
  EXPECT_GT(large.rounds, 0u) << name;
  std::printf("[ measured ] %-12s rounds %3llu, bytes/element per party %.1f\n", name,
              static_cast<unsigned long long>(large.rounds), static_cast<double>(large.bytes) / 4096.0);
}

TEST(Rep3FixedRounds, IndependentOfBatchSize) {
  namespace fx = mpc::fx;
  expect_fixed_rounds("mul", [](mpc::Rep3& p, const Share& x) { fx::mul(p, x, x); });
  expect_fixed_rounds("relu", [](mpc::Rep3& p, const Share& x) { fx::relu(p, x); });
  expect_fixed_rounds("max 2x2", [](mpc::Rep3& p, const Share& x) {
    std::vector<std::uint32_t> w(x.size());
    for (std::size_t i = 0; i < w.size(); ++i) w[i] = static_cast<std::uint32_t>(i);
    fx::max_windows(p, x, w, 4);
  });
  expect_fixed_rounds("exp", [](mpc::Rep3& p, const Share& x) { fx::exp(p, x); });
  expect_fixed_rounds("exp_nonpositive", [](mpc::Rep3& p, const Share& x) { fx::exp_nonpositive(p, x); });
  expect_fixed_rounds("reciprocal", [](mpc::Rep3& p, const Share& x) { fx::reciprocal(p, x); });
  expect_fixed_rounds("div", [](mpc::Rep3& p, const Share& x) { fx::div(p, x, x); });
  expect_fixed_rounds("invsqrt", [](mpc::Rep3& p, const Share& x) { fx::invsqrt(p, x); });
  expect_fixed_rounds("sqrt", [](mpc::Rep3& p, const Share& x) { fx::sqrt(p, x); });
  expect_fixed_rounds("log", [](mpc::Rep3& p, const Share& x) { fx::log(p, x); });
  expect_fixed_rounds("softmax x10",
                      [](mpc::Rep3& p, const Share& x) { fx::softmax(p, x, x.size() / 16, 16); });
}

}  // namespace
}  // namespace sqt::test
