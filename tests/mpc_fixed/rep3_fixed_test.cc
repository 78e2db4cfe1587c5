// The same fixed-point checks (fixed_checks.h) on rep3: three parties as
// threads over the FakeNetwork of tests/mpc_rep3; every party must reveal the
// same values, and party 0's are checked against float64.
#include <gtest/gtest.h>

#include <vector>

#include "host/mpc/rep3/rep3.h"
#include "tests/mpc_fixed/fixed_checks.h"
#include "tests/mpc_rep3/rep3_test_util.h"

namespace sqt::test {
namespace {

using mpc::TruncMode;

class Rep3Fixed : public ::testing::TestWithParam<TruncMode> {
 protected:
  FixedParams fp_{16, 31};
  std::uint64_t seed_ = 99;

  auto runner() {
    return [this](auto&& body) {
      Rep3Options options{fp_, GetParam(), seed_++};
      auto results = run_rep3([&](mpc::Rep3& p) { return body(p); }, options);
      EXPECT_EQ(results[0], results[1]) << "parties 0 and 1 revealed different values";
      EXPECT_EQ(results[0], results[2]) << "parties 0 and 2 revealed different values";
      return results[0];
    };
  }
};

TEST_P(Rep3Fixed, MulWithinOneUlp) { check_mul(runner(), fp_, GetParam(), 1); }
TEST_P(Rep3Fixed, MatmulWithinOneUlp) { check_matmul(runner(), fp_, 2); }
TEST_P(Rep3Fixed, CompareReluSelectExact) { check_compare_relu_select(runner(), fp_, 3); }
TEST_P(Rep3Fixed, MaxPool2x2) { check_max_windows(runner(), fp_, 2, 2, 4); }
TEST_P(Rep3Fixed, MaxPool3x3Overlapping) { check_max_windows(runner(), fp_, 3, 2, 5); }
TEST_P(Rep3Fixed, Exp) { check_exp(runner(), fp_, 7, kExpRel, kExpUlps); }
TEST_P(Rep3Fixed, Reciprocal) { check_reciprocal(runner(), fp_, 8, kReciprocalRel, kReciprocalUlps); }
TEST_P(Rep3Fixed, Div) { check_div(runner(), fp_, 9, kDivRel, kDivUlps); }
TEST_P(Rep3Fixed, InvSqrt) { check_invsqrt(runner(), fp_, 10, kInvSqrtRel, kInvSqrtUlps); }
TEST_P(Rep3Fixed, Sqrt) { check_sqrt(runner(), fp_, 11, kSqrtRel, kSqrtUlps); }
TEST_P(Rep3Fixed, Log) { check_log(runner(), fp_, 12, kLogAbs); }
TEST_P(Rep3Fixed, Softmax) { check_softmax(runner(), fp_, 13, kSoftmaxAbs, kSoftmaxRowSum); }

INSTANTIATE_TEST_SUITE_P(Truncation, Rep3Fixed,
                         ::testing::Values(TruncMode::kProbabilistic, TruncMode::kExact),
                         [](const auto& info) {
                           return info.param == TruncMode::kExact ? std::string("Exact")
                                                                  : std::string("Probabilistic");
                         });

}  // namespace
}  // namespace sqt::test
