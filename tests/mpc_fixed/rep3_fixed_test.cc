// The shared FixedPoint suite (fixed_suite.h, checks and bounds in
// fixed_checks.h) on rep3 with both truncation modes: three parties as
// threads over the FakeNetwork of tests/mpc_rep3; every party must reveal
// the same values, and party 0's are checked against float64.
#include <gtest/gtest.h>

#include <vector>

#include "host/mpc/rep3/rep3.h"
#include "tests/mpc_fixed/fixed_suite.h"
#include "tests/mpc_rep3/rep3_test_util.h"

namespace sqt::test {
namespace {

using mpc::TruncMode;

template <TruncMode M>
struct Rep3Runner {
  static constexpr TruncMode kMode = M;
  static constexpr std::uint64_t kFirstSeed = 99;
  static std::string name() { return trunc_mode_name(M); }

  template <class Body>
  auto run(FixedParams fp, std::uint64_t seed, Body&& body) {
    Rep3Options options{fp, M, seed};
    auto results = run_rep3([&](mpc::Rep3& p) { return body(p); }, options);
    EXPECT_EQ(results[0], results[1]) << "parties 0 and 1 revealed different values";
    EXPECT_EQ(results[0], results[2]) << "parties 0 and 2 revealed different values";
    return results[0];
  }
};

using Rep3Runners = ::testing::Types<Rep3Runner<TruncMode::kProbabilistic>, Rep3Runner<TruncMode::kExact>>;
INSTANTIATE_TYPED_TEST_SUITE_P(Rep3Fixed, FixedPoint, Rep3Runners, RunnerNames);

}  // namespace
}  // namespace sqt::test
