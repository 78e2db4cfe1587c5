// The FixedPoint suite (fixed_suite.h) on shamir at 3, 5 and 10 parties, in
// both truncation modes. One file per protocol so the protocols'
// instantiations compile in parallel and a change to one protocol rebuilds
// only its file.
#include <gtest/gtest.h>

#include "tests/common/protocol_runners.h"
#include "tests/mpc_fixed/fixed_suite.h"

namespace sqt::test {
namespace {

// One file for the three party counts: they share the protocol type, so
// its fx functions are compiled once.
using ShamirRunners = InBothModes<Shamir3Runner, Shamir5Runner, Shamir10Runner>;
INSTANTIATE_TYPED_TEST_SUITE_P(Fx, FixedPoint, ShamirRunners, RunnerNames);

}  // namespace
}  // namespace sqt::test
