// The fixed-point algorithms on the clear emulation protocol, against
// float64: the shared FixedPoint suite (fixed_suite.h, checks and bounds in
// fixed_checks.h) with both truncation modes.
#include <gtest/gtest.h>

#include <memory>

#include "host/backend/backend.h"
#include "host/mpc/clear/clear.h"
#include "tests/mpc_fixed/fixed_suite.h"

namespace sqt::test {
namespace {

using mpc::Clear;
using mpc::TruncMode;

template <TruncMode M>
struct ClearRunner {
  static constexpr TruncMode kMode = M;
  static constexpr std::uint64_t kFirstSeed = 20240611;
  static std::string name() { return trunc_mode_name(M); }

  std::unique_ptr<backend::Backend> backend = backend::make_backend("cpu", 1);

  template <class Body>
  auto run(FixedParams fp, std::uint64_t seed, Body&& body) {
    Clear p(*backend, fp, M, seed);
    return body(p);
  }
};

using ClearRunners = ::testing::Types<ClearRunner<TruncMode::kProbabilistic>, ClearRunner<TruncMode::kExact>>;
INSTANTIATE_TYPED_TEST_SUITE_P(ClearFixed, FixedPoint, ClearRunners, RunnerNames);

}  // namespace
}  // namespace sqt::test
