// The protocol-generic checks of fixed_checks.h as one type-parameterised
// GoogleTest suite, `FixedPoint`, over a runner type R that stands for one
// protocol with one truncation mode. R provides
//   static constexpr mpc::TruncMode kMode;
//   static constexpr std::uint64_t kFirstSeed;  // seed of a test's first run
//   static std::string name();                  // test name part
//   std::vector<Ring> run(FixedParams, std::uint64_t seed, Body&& body);
// where run() builds the protocol with that seed (on every party), calls
// body(p) and returns party 0's revealed vector. Each protocol's test file
// defines its runners and instantiates the suite, e.g.
//   INSTANTIATE_TYPED_TEST_SUITE_P(ClearFixed, FixedPoint, ClearRunners, RunnerNames);
// Protocol-specific tests stay in their own suites.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "tests/mpc_fixed/fixed_checks.h"

namespace sqt::test {

template <class R>
class FixedPoint : public ::testing::Test {
 protected:
  FixedParams fp_{16, 31};
  std::uint64_t seed_ = R::kFirstSeed;
  R protocol_;

  // The `run(body)` callable of fixed_checks.h; every call uses the next seed.
  auto runner() {
    return [this](auto&& body) { return protocol_.run(fp_, seed_++, body); };
  }
};

TYPED_TEST_SUITE_P(FixedPoint);

TYPED_TEST_P(FixedPoint, MulWithinOneUlp) { check_mul(this->runner(), this->fp_, TypeParam::kMode, 1); }
TYPED_TEST_P(FixedPoint, MatmulWithinOneUlp) { check_matmul(this->runner(), this->fp_, 2); }
TYPED_TEST_P(FixedPoint, CompareReluSelectExact) { check_compare_relu_select(this->runner(), this->fp_, 3); }
TYPED_TEST_P(FixedPoint, MaxPool2x2) { check_max_windows(this->runner(), this->fp_, 2, 2, 4); }
TYPED_TEST_P(FixedPoint, MaxPool3x3Overlapping) { check_max_windows(this->runner(), this->fp_, 3, 2, 5); }
TYPED_TEST_P(FixedPoint, MaxPool3x3Stride1) { check_max_windows(this->runner(), this->fp_, 3, 1, 6); }
TYPED_TEST_P(FixedPoint, MaxOnlyAllPairs) { check_max_only(this->runner(), this->fp_, 14); }
TYPED_TEST_P(FixedPoint, Exp) { check_exp(this->runner(), this->fp_, 7, kExpRel, kExpUlps); }
TYPED_TEST_P(FixedPoint, ExpNonpositive) {
  check_exp_nonpositive(this->runner(), this->fp_, 16, kExpRel, kExpUlps);
}
TYPED_TEST_P(FixedPoint, Reciprocal) {
  check_reciprocal(this->runner(), this->fp_, 8, kReciprocalRel, kReciprocalUlps);
}
TYPED_TEST_P(FixedPoint, ReciprocalInRange) {
  check_reciprocal_in_range(this->runner(), this->fp_, 15, kReciprocalRel, kReciprocalUlps);
}
TYPED_TEST_P(FixedPoint, Div) { check_div(this->runner(), this->fp_, 9, kDivRel, kDivUlps); }
TYPED_TEST_P(FixedPoint, InvSqrt) { check_invsqrt(this->runner(), this->fp_, 10, kInvSqrtRel, kInvSqrtUlps); }
TYPED_TEST_P(FixedPoint, Sqrt) { check_sqrt(this->runner(), this->fp_, 11, kSqrtRel, kSqrtUlps); }
TYPED_TEST_P(FixedPoint, Log) { check_log(this->runner(), this->fp_, 12, kLogAbs); }
TYPED_TEST_P(FixedPoint, Softmax) {
  check_softmax(this->runner(), this->fp_, 13, kSoftmaxAbs, kSoftmaxRowSum);
}

REGISTER_TYPED_TEST_SUITE_P(FixedPoint, MulWithinOneUlp, MatmulWithinOneUlp, CompareReluSelectExact,
                            MaxPool2x2, MaxPool3x3Overlapping, MaxPool3x3Stride1, MaxOnlyAllPairs, Exp,
                            ExpNonpositive, Reciprocal, ReciprocalInRange, Div, InvSqrt, Sqrt, Log, Softmax);

// Names the instantiations after the runner: `ClearFixed/FixedPoint/Exact.Exp`.
struct RunnerNames {
  template <class R>
  static std::string GetName(int) {
    return R::name();
  }
};

inline std::string trunc_mode_name(mpc::TruncMode mode) {
  return mode == mpc::TruncMode::kExact ? "Exact" : "Probabilistic";
}

}  // namespace sqt::test
