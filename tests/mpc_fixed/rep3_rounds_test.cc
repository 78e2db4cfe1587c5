// What every fx:: function costs on rep3, asserted: rounds (the network's
// count, the most any party counts) and bytes sent (summed over the three
// parties), each measured at two batch sizes. The rounds must be equal at
// both sizes (one call is a fixed number of rounds, docs/PROTOCOLS.md) and
// equal to the documented count; the bytes must be exactly proportional to
// the batch and equal to the cost derived from the protocol's messages
// below, or, where the composition is long, to the documented bytes per
// element within the table's rounding. A change of the protocol's cost
// fails here and must be made on purpose, with docs/PROTOCOLS.md.
//
// Sizes are multiples of 64 so that bit-packed messages (64 elements per
// word) carry no padding and bytes scale exactly.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <vector>

#include "host/mpc/fixed/fixed.h"
#include "host/mpc/rep3/rep3.h"
#include "tests/common/protocol_runners.h"
#include "tests/mpc_fixed/fixed_checks.h"
#include "tests/mpc_rep3/rep3_test_util.h"

namespace sqt::test {
namespace {

using Share = mpc::Rep3::Share;
namespace fx = mpc::fx;

// f = 16, k = 31: the defaults every figure below is derived for.
constexpr int kF = 16, kK = 31;

// ---- Bytes of rep3's building blocks, summed over the three parties, per
// element, in eighths of a byte (a bit plane costs one bit per element).
// From host/mpc/rep3/rep3.cc:
// and_planes (a reshare): every party sends one packed bit per element and
// plane.
constexpr std::uint64_t and_eighths(std::uint64_t planes) { return 3 * planes; }
// trunc_additive with a summand at P0 and P1 (mul_trunc): P0 and P1 send
// their masked summands to P2 (8 + 8), P2 returns y0 to P0 (8) and the wrap
// bit's beta packed at 2 bytes for a shift of f = 16, P0 and P1 send d to P2
// at 2 bytes each: 30 bytes.
constexpr std::uint64_t kMulTruncEighths = (8 + 8 + 8 + 2 + 2 + 2) * 8;
// split_two_summands(bits, g): P0 sends `bits` masked planes, P1 and P2
// `g` generate planes each.
constexpr std::uint64_t split_eighths(std::uint64_t bits, std::uint64_t g) { return bits + 2 * g; }
// ltz_bits: a split of k bits with k - 1 generate planes, then the carry
// tree over the k - 1 = 30 segments (rep3.cc ltz_bits): levels of 30, 15,
// 8, 4 and 2 segments need 15 + 14, 7 + 6, 4 + 3, 2 + 1 and 1 ANDs (G of
// each pair, P where a later level reads it): 53 planes, 5 AND rounds.
constexpr std::uint64_t kLtzAnds = (15 + 14) + (7 + 6) + (4 + 3) + (2 + 1) + 1;
constexpr std::uint64_t kLtzBitsEighths = split_eighths(kK, kK - 1) + and_eighths(kLtzAnds);
// make_factor: the lead sends u - rho (8 bytes); mul_factor: the lead sends
// one product (8), then replicate_to_lead: the two others send 8 each.
constexpr std::uint64_t kFactorEighths = 8 * 8;
constexpr std::uint64_t kMulFactorEighths = (8 + 8 + 8) * 8;

struct Cost {
  std::uint64_t rounds = 0;  // the most any party counts
  std::uint64_t bytes = 0;   // sent, summed over the parties
};

using Input = std::vector<Ring>;
using Op = std::function<void(mpc::Rep3&, const Share&)>;

// Cost of op over the shared input x (owned by party 0; the sharing is not
// counted).
Cost measure(const Op& op, const Input& x, mpc::TruncMode mode) {
  const auto costs = Rep3Runner::run_all(RunConfig{FixedParams{kF, kK}, mode, 7}, [&](mpc::Rep3& p) {
    const Share s = Checks64::owned(p, x);
    const auto before = p.stats();
    op(p, s);
    const auto cost = p.stats() - before;
    return Cost{cost.rounds, cost.bytes_sent};
  });
  Cost c;
  for (const Cost& party : costs) {
    c.rounds = std::max(c.rounds, party.rounds);
    c.bytes += party.bytes;
  }
  return c;
}

// Positive inputs in (0.5, 4): in range for every function below.
Input positives(std::size_t n) { return Checks64::encode_all(Checks64::uniform(n, 0.5, 4.0, n), kF); }

struct Expected {
  std::uint64_t rounds;
  // Exactly derived bytes per element over all parties, in eighths of a
  // byte (0: not derived), or the documented bytes per element and party
  // with the table's rounding step.
  std::uint64_t eighths = 0;
  std::size_t unit = 1;  // elements that `eighths` is for
  double doc_per_party = 0, doc_step = 0;
};

// Measures op at `small` and 64 x `small` elements (from make_input(n)) and
// asserts the expected costs. `per` divides the size into the table's unit
// (elements, or rows for softmax).
void expect_cost(const char* name, const Op& op, std::size_t small, const Expected& want,
                 const std::function<Input(std::size_t)>& make_input = positives) {
  const std::size_t large = 64 * small;
  const Cost a = measure(op, make_input(small), mpc::TruncMode::kProbabilistic);
  const Cost b = measure(op, make_input(large), mpc::TruncMode::kProbabilistic);
  const double per_party = static_cast<double>(b.bytes) / 3.0 / static_cast<double>(large);
  std::printf("[ measured ] %-16s rounds %3llu / %3llu, bytes %llu / %llu, per element and party %.3f\n",
              name, static_cast<unsigned long long>(a.rounds), static_cast<unsigned long long>(b.rounds),
              static_cast<unsigned long long>(a.bytes), static_cast<unsigned long long>(b.bytes), per_party);
  EXPECT_EQ(a.rounds, b.rounds) << name << ": rounds depend on the batch size";
  EXPECT_EQ(b.rounds, want.rounds) << name << ": rounds";
  EXPECT_EQ(b.bytes, 64 * a.bytes) << name << ": bytes not proportional to the batch";
  // Exact truncation replaces each truncation by a bit decomposition and
  // b2a (rep3.cc trunc_exact): no documented figure, but the same shape.
  const Cost ea = measure(op, make_input(small), mpc::TruncMode::kExact);
  const Cost eb = measure(op, make_input(large), mpc::TruncMode::kExact);
  EXPECT_EQ(ea.rounds, eb.rounds) << name << ": exact-mode rounds depend on the batch size";
  EXPECT_EQ(eb.bytes, 64 * ea.bytes) << name << ": exact-mode bytes not proportional to the batch";
  EXPECT_GE(eb.bytes, b.bytes) << name << ": exact truncation cheaper than probabilistic";
  if (want.eighths != 0) {
    EXPECT_EQ(a.bytes * 8 * want.unit, want.eighths * small) << name << ": bytes at " << small << " elements";
  } else {
    EXPECT_NEAR(per_party, want.doc_per_party, want.doc_step / 2) << name << ": bytes per element and party";
  }
}

TEST(Rep3FixedRounds, EveryFunctionCostsItsDocumentedRoundsAndBytes) {
  // fx::mul = mul_trunc: the rounds are the network's count (at the first
  // recv after a send): P0 sends its summand and receives y0 (1); P1 only
  // sends; P2 receives, sends, receives d (its first recv follows the
  // sharing's round of the input, so 1). The trailing sends of d count at
  // the next operation.
  expect_cost("mul", [](mpc::Rep3& p, const Share& x) { fx::mul(p, x, x); }, 64, {1, kMulTruncEighths});
  // relu: one ltz_factor (ltz_bits, make_factor) and one mul_factor; rounds
  // as the table states (7; 5 of them the carry tree's AND levels).
  expect_cost("relu", [](mpc::Rep3& p, const Share& x) { fx::relu(p, x); }, 64,
              {7, kLtzBitsEighths + kFactorEighths + kMulFactorEighths});
  // max_windows over windows of 4: two levels, each an ltz_factor and a
  // mul_factor over all its pairs (n/2, then n/4), and the one-hot masks:
  // route_back of a public ones gradient, one mul_factor per level (n/4,
  // then n/2): per window 3 ltz_factor and 6 mul_factor. Rounds: the
  // table's 14 (two levels of relu's 7).
  expect_cost("max 2x2",
              [](mpc::Rep3& p, const Share& x) {
                std::vector<std::uint32_t> w(x.size());
                for (std::size_t i = 0; i < w.size(); ++i) w[i] = static_cast<std::uint32_t>(i);
                fx::max_windows(p, x, w, 4);
              },
              256, {14, 3 * (kLtzBitsEighths + kFactorEighths) + 6 * kMulFactorEighths, 4});
  // The transcendental functions: rounds and bytes per element and party as
  // docs/PROTOCOLS.md ("Algorithms, rounds and measured errors") states them.
  expect_cost("exp", [](mpc::Rep3& p, const Share& x) { fx::exp(p, x); }, 64, {18, 0, 1, 206, 1});
  expect_cost("exp_nonpositive", [](mpc::Rep3& p, const Share& x) { fx::exp_nonpositive(p, p.neg(x)); }, 64,
              {12, 0, 1, 185, 1});
  expect_cost("reciprocal", [](mpc::Rep3& p, const Share& x) { fx::reciprocal(p, x); }, 64,
              {26, 0, 1, 386, 1});
  expect_cost("div", [](mpc::Rep3& p, const Share& x) { fx::div(p, x, x); }, 64, {25, 0, 1, 396, 1});
  expect_cost("invsqrt", [](mpc::Rep3& p, const Share& x) { fx::invsqrt(p, x); }, 64, {16, 0, 1, 309, 1});
  expect_cost("sqrt", [](mpc::Rep3& p, const Share& x) { fx::sqrt(p, x); }, 64, {16, 0, 1, 309, 1});
  expect_cost("log", [](mpc::Rep3& p, const Share& x) { fx::log(p, x); }, 64, {17, 0, 1, 339, 1});
  // softmax over rows of 16 columns (64 and 4096 rows; 120 comparisons per
  // row): the table's softmax row was measured so (its label says 10).
  expect_cost(
      "softmax 16 cols", [](mpc::Rep3& p, const Share& x) { fx::softmax(p, x, x.size() / 16, 16); }, 1024,
      {30, 0, 1, 468, 1},
      [](std::size_t n) { return Checks64::encode_all(Checks64::uniform(n, -8.0, 8.0, n), kF); });
}

}  // namespace
}  // namespace sqt::test
