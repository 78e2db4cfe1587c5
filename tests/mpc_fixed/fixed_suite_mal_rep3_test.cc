// The FixedPoint suite (fixed_suite.h) on mal-rep3, in both truncation modes.
// One file per protocol so the protocols' instantiations compile in parallel
// and a change to one protocol rebuilds only its file.
#include <gtest/gtest.h>

#include "tests/common/protocol_runners.h"
#include "tests/mpc_fixed/fixed_suite.h"

namespace sqt::test {
namespace {

// mal-rep3 runs at f = 16, k = 31 in its Z_2^128 (MalRep3Runner::kFixed).
using MalRep3Modes = InBothModes<MalRep3Runner>;
INSTANTIATE_TYPED_TEST_SUITE_P(FxMalRep3, FixedPoint, MalRep3Modes, RunnerNames);

}  // namespace
}  // namespace sqt::test
