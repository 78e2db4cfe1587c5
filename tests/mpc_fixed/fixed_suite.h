// The protocol-generic checks of fixed_checks.h as one type-parameterised
// GoogleTest suite, `FixedPoint`, over (protocol runner, truncation mode).
// A runner (tests/common/protocol_runners.h) says how to run a body on every
// party of one protocol; the suite runs each check through it with the next
// seed, asserts that every party revealed the same values and checks party
// 0's against float64. fixed_suite_<protocol>_test.cc instantiate the suite
// for every registered runner in both truncation modes, one file per protocol:
//   using Rep3Runners = InBothModes<Rep3Runner, Rep3_128Runner>;
//   INSTANTIATE_TYPED_TEST_SUITE_P(Fx, FixedPoint, Rep3Runners, RunnerNames);
// so a new protocol gets the whole check list from one such file (and its
// line in CMakeLists.txt).
// Protocol-specific tests stay in their own suites.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "tests/common/protocol_runners.h"
#include "tests/mpc_fixed/fixed_checks.h"

namespace sqt::test {

// One suite parameter: runner R with truncation mode M.
template <class R, mpc::TruncMode M>
struct InMode {
  using Runner = R;
  static constexpr mpc::TruncMode kMode = M;
};

// Every runner in Rs with both truncation modes.
template <class... Rs>
using InBothModes =
    ::testing::Types<InMode<Rs, mpc::TruncMode::kProbabilistic>..., InMode<Rs, mpc::TruncMode::kExact>...>;

template <class T>
class FixedPoint : public ::testing::Test {
 protected:
  using Runner = typename T::Runner;
  using Checks = FixedChecks<typename Runner::Protocol::Ring>;
  // The paper's parameters for the protocol's ring: f = 16, k = 31 in
  // Z_2^64, f = 32, k = 63 in Z_2^128, unless the runner names its own
  // (kFixed, with the bounds of the ring BoundsRing that has them).
  static constexpr FixedParams suite_fixed() {
    if constexpr (requires { Runner::kFixed; })
      return Runner::kFixed;
    else
      return default_fixed<typename Runner::Protocol::Ring>();
  }
  template <class R>
  static auto bounds_ring() {
    if constexpr (requires { typename R::BoundsRing; })
      return typename R::BoundsRing{};
    else
      return typename R::Protocol::Ring{};
  }
  using Bounds = ErrorBounds<decltype(bounds_ring<Runner>())>;
  FixedParams fp_ = suite_fixed();
  std::uint64_t seed_ = Runner::kFirstSeed;

  // The `run(body)` callable of fixed_checks.h; every call uses the next seed.
  auto runner() {
    return [this](auto&& body) { return run_on_party0<Runner>(RunConfig{fp_, T::kMode, seed_++}, body); };
  }
};

TYPED_TEST_SUITE_P(FixedPoint);

TYPED_TEST_P(FixedPoint, MulWithinOneUlp) {
  TestFixture::Checks::check_mul(this->runner(), this->fp_, TypeParam::kMode, 1);
}
TYPED_TEST_P(FixedPoint, MatmulWithinOneUlp) {
  TestFixture::Checks::check_matmul(this->runner(), this->fp_, 2);
}
TYPED_TEST_P(FixedPoint, CompareReluSelectExact) {
  TestFixture::Checks::check_compare_relu_select(this->runner(), this->fp_, 3);
}
TYPED_TEST_P(FixedPoint, MaxPool2x2) {
  TestFixture::Checks::check_max_windows(this->runner(), this->fp_, 2, 2, 4);
}
TYPED_TEST_P(FixedPoint, MaxPool3x3Overlapping) {
  TestFixture::Checks::check_max_windows(this->runner(), this->fp_, 3, 2, 5);
}
TYPED_TEST_P(FixedPoint, MaxPool3x3Stride1) {
  TestFixture::Checks::check_max_windows(this->runner(), this->fp_, 3, 1, 6);
}
TYPED_TEST_P(FixedPoint, MaxOnlyAllPairs) {
  TestFixture::Checks::check_max_only(this->runner(), this->fp_, 14);
}
TYPED_TEST_P(FixedPoint, Exp) {
  TestFixture::Checks::check_exp(this->runner(), this->fp_, 7, TestFixture::Bounds::kExpRel,
                                 TestFixture::Bounds::kExpUlps);
}
TYPED_TEST_P(FixedPoint, ExpNonpositive) {
  TestFixture::Checks::check_exp_nonpositive(this->runner(), this->fp_, 16, TestFixture::Bounds::kExpRel,
                                             TestFixture::Bounds::kExpUlps);
}
TYPED_TEST_P(FixedPoint, Reciprocal) {
  TestFixture::Checks::check_reciprocal(this->runner(), this->fp_, 8, TestFixture::Bounds::kReciprocalRel,
                                        TestFixture::Bounds::kReciprocalUlps);
}
TYPED_TEST_P(FixedPoint, ReciprocalInRange) {
  TestFixture::Checks::check_reciprocal_in_range(this->runner(), this->fp_, 15,
                                                 TestFixture::Bounds::kReciprocalRel,
                                                 TestFixture::Bounds::kReciprocalUlps);
}
TYPED_TEST_P(FixedPoint, Div) {
  TestFixture::Checks::check_div(this->runner(), this->fp_, 9, TestFixture::Bounds::kDivRel,
                                 TestFixture::Bounds::kDivUlps);
}
TYPED_TEST_P(FixedPoint, InvSqrt) {
  TestFixture::Checks::check_invsqrt(this->runner(), this->fp_, 10, TestFixture::Bounds::kInvSqrtRel,
                                     TestFixture::Bounds::kInvSqrtUlps);
}
TYPED_TEST_P(FixedPoint, Sqrt) {
  TestFixture::Checks::check_sqrt(this->runner(), this->fp_, 11, TestFixture::Bounds::kSqrtRel,
                                  TestFixture::Bounds::kSqrtUlps);
}
TYPED_TEST_P(FixedPoint, Log) {
  TestFixture::Checks::check_log(this->runner(), this->fp_, 12, TestFixture::Bounds::kLogAbs);
}
TYPED_TEST_P(FixedPoint, Softmax) {
  TestFixture::Checks::check_softmax(this->runner(), this->fp_, 13, TestFixture::Bounds::kSoftmaxAbs,
                                     TestFixture::Bounds::kSoftmaxRowSum);
}

REGISTER_TYPED_TEST_SUITE_P(FixedPoint, MulWithinOneUlp, MatmulWithinOneUlp, CompareReluSelectExact,
                            MaxPool2x2, MaxPool3x3Overlapping, MaxPool3x3Stride1, MaxOnlyAllPairs, Exp,
                            ExpNonpositive, Reciprocal, ReciprocalInRange, Div, InvSqrt, Sqrt, Log, Softmax);

// Names an instantiation after its runner and mode:
// `Fx/FixedPoint/Rep3_Exact.Softmax`.
struct RunnerNames {
  template <class T>
  static std::string GetName(int) {
    return std::string(T::Runner::kName) + (T::kMode == mpc::TruncMode::kExact ? "_Exact" : "_Probabilistic");
  }
};

}  // namespace sqt::test
