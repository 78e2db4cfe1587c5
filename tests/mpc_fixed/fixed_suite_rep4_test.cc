// The FixedPoint suite (fixed_suite.h) on rep4 (four parties), in both
// truncation modes. One file per protocol so the protocols' instantiations
// compile in parallel and a change to one protocol rebuilds only its file.
#include <gtest/gtest.h>

#include "tests/common/protocol_runners.h"
#include "tests/mpc_fixed/fixed_suite.h"

namespace sqt::test {
namespace {

using Rep4Runners = InBothModes<Rep4Runner>;
INSTANTIATE_TYPED_TEST_SUITE_P(Fx, FixedPoint, Rep4Runners, RunnerNames);

}  // namespace
}  // namespace sqt::test
