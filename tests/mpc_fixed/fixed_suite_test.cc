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

// mal-rep3 runs at f = 16, k = 31 in its Z_2^128 (MalRep3Runner::kFixed).
using MalRep3Modes = InBothModes<MalRep3Runner>;
INSTANTIATE_TYPED_TEST_SUITE_P(FxMalRep3, FixedPoint, MalRep3Modes, RunnerNames);

}  // namespace
}  // namespace sqt::test
