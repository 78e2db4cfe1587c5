// What every fx:: function costs on rep4, asserted: rounds (the network's
// count, the most any party counts) and bytes sent (summed over the four
// parties), each measured at two batch sizes. The rounds must be equal at
// both sizes and equal to the count docs/PROTOCOLS.md states; the bytes
// must be exactly proportional to the batch (in both truncation modes).
// Summed over the parties the bytes do not depend on how the roles rotate.
// A change of the protocol's cost fails here and must be made on purpose,
// with docs/PROTOCOLS.md.
//
// Sizes are multiples of 64 so that bit-packed messages (64 elements per
// word) carry no padding and bytes scale exactly.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <random>
#include <vector>

#include "host/mpc/fixed/fixed.h"
#include "tests/mpc_rep4/rep4_test_util.h"

namespace sqt::test {
namespace {

using mpc::Rep4;
using Share = Rep4::Share;
namespace fx = mpc::fx;

constexpr int kF = 16, kK = 31;

struct Cost {
  std::uint64_t rounds = 0;  // the most any party counts
  std::uint64_t bytes = 0;   // sent, summed over the parties
};

using Input = std::vector<Ring>;
using Op = std::function<void(Rep4&, const Share&)>;

// Uniform values in [lo, hi) encoded at f fractional bits.
Input encoded(std::size_t n, double lo, double hi) {
  std::mt19937_64 rng(n);
  std::uniform_real_distribution<double> dist(lo, hi);
  Input v(n);
  for (auto& x : v) x = static_cast<Ring>(static_cast<std::int64_t>(std::llround(dist(rng) * (1 << kF))));
  return v;
}

// Cost of op over x (input by party 0 and checked before: neither counts).
Cost measure(const Op& op, const Input& x, mpc::TruncMode mode) {
  Rep4Options options;
  options.fixed = FixedParams{kF, kK};
  options.mode = mode;
  const auto costs = run_rep4(
      [&](Rep4& p) {
        const Share s = p.input(0, owned_by(p, 0, x), x.size());
        p.verify();
        const auto before = p.stats();
        op(p, s);
        const auto cost = p.stats() - before;
        return Cost{cost.rounds, cost.bytes_sent};
      },
      options);
  Cost c;
  for (const Cost& party : costs) {
    c.rounds = std::max(c.rounds, party.rounds);
    c.bytes += party.bytes;
  }
  return c;
}

// Measures op at `small` and 64 x `small` elements and asserts the rounds
// (`rounds`, both sizes), the bytes at `small` (`bytes`) and proportional
// bytes, in both truncation modes.
void expect_cost(const char* name, const Op& op, std::size_t small, std::uint64_t rounds, std::uint64_t bytes,
                 double lo = 0.5, double hi = 4.0) {
  const std::size_t large = 64 * small;
  const Cost a = measure(op, encoded(small, lo, hi), mpc::TruncMode::kProbabilistic);
  const Cost b = measure(op, encoded(large, lo, hi), mpc::TruncMode::kProbabilistic);
  std::printf("[ measured ] %-16s rounds %3llu / %3llu, bytes %llu / %llu, per element and party %.2f\n", name,
              static_cast<unsigned long long>(a.rounds), static_cast<unsigned long long>(b.rounds),
              static_cast<unsigned long long>(a.bytes), static_cast<unsigned long long>(b.bytes),
              static_cast<double>(b.bytes) / 4.0 / static_cast<double>(large));
  EXPECT_EQ(a.rounds, b.rounds) << name << ": rounds depend on the batch size";
  EXPECT_EQ(b.rounds, rounds) << name << ": rounds";
  EXPECT_EQ(a.bytes, bytes) << name << ": bytes at " << small << " elements";
  EXPECT_EQ(b.bytes, 64 * a.bytes) << name << ": bytes not proportional to the batch";
  const Cost ea = measure(op, encoded(small, lo, hi), mpc::TruncMode::kExact);
  const Cost eb = measure(op, encoded(large, lo, hi), mpc::TruncMode::kExact);
  EXPECT_EQ(ea.rounds, eb.rounds) << name << ": exact-mode rounds depend on the batch size";
  EXPECT_EQ(eb.bytes, 64 * ea.bytes) << name << ": exact-mode bytes not proportional to the batch";
  EXPECT_GE(eb.bytes, b.bytes) << name << ": exact truncation cheaper than probabilistic";
}

// Rounds are the network's count: a party counts one at its first receive
// after a send, so where a party only sends in one round and only receives
// in the next the count is below the depth (relu: 10 deep, 8 counted).
// Bytes are summed over the parties at the small size.
TEST(Rep4FixedRounds, EveryFunctionCostsTheSameRoundsAtEverySize) {
  // mul = mul_trunc, the product fused into the truncation: 8 ring elements
  // and 6 values of 2 bytes per element (Rep4Basic's cost test).
  expect_cost("mul", [](Rep4& p, const Share& x) { fx::mul(p, x, x); }, 64, 3, 64 * (8 * 8 + 6 * 2));
  // relu: ltz (110.5 bytes per element: 500 bits of planes and ANDs, 6
  // elements of b2a) and one product (6 elements).
  expect_cost("relu", [](Rep4& p, const Share& x) { fx::relu(p, x); }, 64, 8, 64 * 110 + 32 + 64 * 6 * 8);
  expect_cost("max 2x2",
              [](Rep4& p, const Share& x) {
                std::vector<std::uint32_t> w(x.size());
                for (std::size_t i = 0; i < w.size(); ++i) w[i] = static_cast<std::uint32_t>(i);
                fx::max_windows(p, x, w, 4);
              },
              256, 18, 39648);
  // The transcendental functions, as measured here (docs/PROTOCOLS.md).
  expect_cost("exp", [](Rep4& p, const Share& x) { fx::exp(p, x); }, 64, 23, 91232);
  expect_cost("exp_nonpositive", [](Rep4& p, const Share& x) { fx::exp_nonpositive(p, p.neg(x)); }, 64, 17,
              83424);
  expect_cost("reciprocal", [](Rep4& p, const Share& x) { fx::reciprocal(p, x); }, 64, 32, 156496);
  expect_cost("div", [](Rep4& p, const Share& x) { fx::div(p, x, x); }, 64, 31, 161360);
  expect_cost("invsqrt", [](Rep4& p, const Share& x) { fx::invsqrt(p, x); }, 64, 19, 121776);
  expect_cost("sqrt", [](Rep4& p, const Share& x) { fx::sqrt(p, x); }, 64, 19, 121776);
  expect_cost("log", [](Rep4& p, const Share& x) { fx::log(p, x); }, 64, 22, 136368);
  // softmax over rows of 16 columns (64 and 4096 rows).
  expect_cost(
      "softmax 16 cols", [](Rep4& p, const Share& x) { fx::softmax(p, x, x.size() / 16, 16); }, 1024, 41,
      3097856, -8.0, 8.0);
}

}  // namespace
}  // namespace sqt::test
