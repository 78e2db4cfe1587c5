// The fixed-point algorithms on the clear emulation protocol, against
// float64 (the checks and their bounds are in fixed_checks.h, shared with
// the rep3 tests).
#include <gtest/gtest.h>

#include <memory>

#include "host/backend/backend.h"
#include "host/mpc/clear/clear.h"
#include "tests/mpc_fixed/fixed_checks.h"

namespace sqt::test {
namespace {

using mpc::Clear;
using mpc::TruncMode;

class ClearFixed : public ::testing::TestWithParam<TruncMode> {
 protected:
  std::unique_ptr<backend::Backend> backend_ = backend::make_backend("cpu", 1);
  FixedParams fp_{16, 31};
  std::uint64_t seed_ = 20240611;

  auto runner() {
    return [this](auto&& body) {
      Clear p(*backend_, fp_, GetParam(), seed_++);
      return body(p);
    };
  }
};

TEST_P(ClearFixed, MulWithinOneUlp) { check_mul(runner(), fp_, GetParam(), 1); }
TEST_P(ClearFixed, MatmulWithinOneUlp) { check_matmul(runner(), fp_, 2); }
TEST_P(ClearFixed, CompareReluSelectExact) { check_compare_relu_select(runner(), fp_, 3); }
TEST_P(ClearFixed, MaxPool2x2) { check_max_windows(runner(), fp_, 2, 2, 4); }
TEST_P(ClearFixed, MaxPool3x3Overlapping) { check_max_windows(runner(), fp_, 3, 2, 5); }
TEST_P(ClearFixed, MaxPool3x3Stride1) { check_max_windows(runner(), fp_, 3, 1, 6); }
TEST_P(ClearFixed, Exp) { check_exp(runner(), fp_, 7, kExpRel, kExpUlps); }
TEST_P(ClearFixed, Reciprocal) { check_reciprocal(runner(), fp_, 8, kReciprocalRel, kReciprocalUlps); }
TEST_P(ClearFixed, Div) { check_div(runner(), fp_, 9, kDivRel, kDivUlps); }
TEST_P(ClearFixed, InvSqrt) { check_invsqrt(runner(), fp_, 10, kInvSqrtRel, kInvSqrtUlps); }
TEST_P(ClearFixed, Sqrt) { check_sqrt(runner(), fp_, 11, kSqrtRel, kSqrtUlps); }
TEST_P(ClearFixed, Log) { check_log(runner(), fp_, 12, kLogAbs); }
TEST_P(ClearFixed, Softmax) { check_softmax(runner(), fp_, 13, kSoftmaxAbs, kSoftmaxRowSum); }

INSTANTIATE_TEST_SUITE_P(Truncation, ClearFixed,
                         ::testing::Values(TruncMode::kProbabilistic, TruncMode::kExact),
                         [](const auto& info) {
                           return info.param == TruncMode::kExact ? std::string("Exact")
                                                                  : std::string("Probabilistic");
                         });

}  // namespace
}  // namespace sqt::test
