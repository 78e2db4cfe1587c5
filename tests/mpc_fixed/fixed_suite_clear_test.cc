// The FixedPoint suite (fixed_suite.h) on the clear emulation over Z_2^64 and
// Z_2^128, in both truncation modes. One file per protocol so the protocols'
// instantiations compile in parallel and a change to one protocol rebuilds
// only its file.
#include <gtest/gtest.h>

#include "tests/common/protocol_runners.h"
#include "tests/mpc_fixed/fixed_suite.h"

namespace sqt::test {
namespace {

using ClearRunners = InBothModes<ClearRunner, Clear128Runner>;
INSTANTIATE_TYPED_TEST_SUITE_P(Fx, FixedPoint, ClearRunners, RunnerNames);

}  // namespace
}  // namespace sqt::test
