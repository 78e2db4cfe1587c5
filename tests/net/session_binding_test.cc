// Session binding: every party derives the same fresh session id, and a job
// that differs on one party ends setup on every party with an error naming
// the parameter and both values.
#include "host/net/session_binding.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "host/core/error.h"
#include "tests/common/fake_network.h"

namespace sqt::net {
namespace {

using ::testing::HasSubstr;

std::vector<JobParameter> job(const std::string& epochs = "2") {
  return {{"protocol", "rep3"}, {"model", "C"}, {"epochs", epochs}, {"seed", "1"}};
}

TEST(SessionBinding, AllPartiesAgreeOnAFreshId) {
  auto run = [] { return test::run_three([](Network& n) { return bind_session(n, job()).id_hex(); }); };
  const auto first = run(), second = run();
  EXPECT_EQ(first[0], first[1]);
  EXPECT_EQ(first[0], first[2]);
  EXPECT_EQ(first[0].size(), 64u);
  EXPECT_EQ(second[0], second[2]);
  EXPECT_NE(first[0], second[0]) << "two sessions of the same job share an id";
}

TEST(SessionBinding, DifferingParameterEndsSetupOnEveryParty) {
  const auto errors = test::run_three([](Network& n) -> std::string {
    try {
      bind_session(n, job(n.party() == 2 ? "3" : "2"));
      return "accepted";
    } catch (const ConfigError& e) {
      return e.what();
    }
  });
  EXPECT_THAT(errors[0], HasSubstr("job mismatch with party 2: epochs is '2' on party 0 and '3' on party 2"));
  EXPECT_THAT(errors[1], HasSubstr("job mismatch with party 2: epochs is '2' on party 1 and '3' on party 2"));
  EXPECT_THAT(errors[2], HasSubstr("job mismatch with party 0: epochs is '3' on party 2 and '2' on party 0"));
}

TEST(SessionBinding, DifferentParameterListsAreNamed) {
  const auto errors = test::run_three([](Network& n) -> std::string {
    auto j = job();
    if (n.party() == 1) j.push_back({"conv", "im2col"});
    try {
      bind_session(n, j);
      return "accepted";
    } catch (const ConfigError& e) {
      return e.what();
    }
  });
  EXPECT_THAT(errors[0], HasSubstr("parameter 5 is '(none)' here and 'conv' there"));
  EXPECT_THAT(errors[1], HasSubstr("parameter 5 is 'conv' here and '(none)' there"));
}

TEST(SessionBinding, MalformedJobTextIsRefused) {
  EXPECT_EQ(decode_job(encode_job(job()), 1).size(), 4u);
  EXPECT_THROW(decode_job("model=C\nnoequals\n", 1), NetError);
  EXPECT_THROW(decode_job("=C\n", 1), NetError);
  EXPECT_THROW(decode_job("model=C", 1), NetError);
  EXPECT_THROW(encode_job({{"a=b", "1"}}), ConfigError);
  EXPECT_THROW(encode_job({{"a", "1\n2"}}), ConfigError);
}

}  // namespace
}  // namespace sqt::net
