// The fixed-point algorithms (host/mpc/fixed) on every protocol against
// float64: the FixedPoint suite (fixed_suite.h; checks and bounds in
// fixed_checks.h) for each registered protocol runner
// (tests/common/protocol_runners.h), in both truncation modes. On the
// secure protocols every party must reveal the same values.
#include "tests/mpc_fixed/fixed_suite.h"

#include <gtest/gtest.h>

#include "tests/common/protocol_runners.h"

namespace sqt::test {
namespace {

// A new protocol joins here with its runner.
using FixedRunners = InBothModes<ClearRunner, Rep3Runner, Rep4Runner, Clear128Runner, Rep3_128Runner,
                                 Shamir3Runner, Shamir5Runner, Shamir10Runner>;
INSTANTIATE_TYPED_TEST_SUITE_P(Fx, FixedPoint, FixedRunners, RunnerNames);

// mal-rep3's probabilistic truncation lands within 2 ulp of x / 2^b, not on
// one of its two neighbours, so the suite's 1-ulp checks run it in exact
// mode; its own tests (tests/mpc_mal_rep3) bound the probabilistic error.
using MalRep3Exact = ::testing::Types<InMode<MalRep3Runner, mpc::TruncMode::kExact>>;
INSTANTIATE_TYPED_TEST_SUITE_P(FxMalRep3, FixedPoint, MalRep3Exact, RunnerNames);

}  // namespace
}  // namespace sqt::test
