// Rep4 against a deviating party: one party flips a bit of one of its
// input, multiplication, truncation, comparison or opening messages, or of
// its hash digests, or withholds its digests or its messages. For every
// party in that position, every other party must abort with
// VerificationError naming the check before anything is revealed; the same
// program without a fault opens the right values.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/mpc_rep4/rep4_test_util.h"

namespace sqt::test {
namespace {

using mpc::Rep4;
using mpc::rep4::Check;
using mpc::rep4::FrameKind;

constexpr std::size_t kN = 20;

struct Program {
  std::vector<std::vector<Ring>> inputs;  // one vector per owner
  Program() {
    for (int owner = 0; owner < 4; ++owner) {
      const std::int64_t bound = owner < 2 ? std::int64_t{1} << 20 : std::int64_t{1} << 28;
      inputs.push_back(random_signed(kN, bound, 500 + owner));
    }
  }
  // Every party inputs; a product, a truncation, a comparison; one opening.
  std::vector<Ring> operator()(Rep4& p) const {
    std::vector<Rep4::Share> in;
    for (int owner = 0; owner < 4; ++owner)
      in.push_back(p.input(owner, owned_by(p, owner, inputs[owner]), kN));
    const auto t = p.trunc(p.mul(in[0], in[1]), 16);
    const auto c = p.ltz(p.sub(in[2], in[3]));
    return p.reveal(p.add(p.add(t, c), in[3]));
  }
  // Whether `got` is the program's result (the truncation may round up).
  bool correct(const std::vector<Ring>& got) const {
    if (got.size() != kN) return false;
    for (std::size_t e = 0; e < kN; ++e) {
      const std::int64_t a = as_signed(inputs[0][e]), b = as_signed(inputs[1][e]);
      const std::int64_t c = as_signed(inputs[2][e]), d = as_signed(inputs[3][e]);
      const std::int64_t want = ((a * b) >> 16) + (c < d ? 1 : 0) + d;
      const std::int64_t diff = as_signed(got[e]) - want;
      if (diff != 0 && diff != 1) return false;
    }
    return true;
  }
};

TEST(Rep4Fault, WithoutAFaultEveryPartyOpensTheRightValues) {
  const Program program;
  const auto out = run_rep4([&](Rep4& p) { return program(p); });
  for (int i = 0; i < 4; ++i) {
    EXPECT_TRUE(program.correct(out[i])) << "party " << i;
    EXPECT_EQ(out[i], out[0]);
  }
}

struct FaultCase {
  const char* name;
  Fault::Action action;
  FrameKind frame;
  Check check;
  int occurrence;
  const char* expect;  // in every honest party's error
};

const FaultCase kCases[] = {
    {"FlipInput", Fault::Action::kFlip, FrameKind::kValue, Check::kInput, 0, "the input check failed"},
    {"FlipMultiplication", Fault::Action::kFlip, FrameKind::kValue, Check::kMultiplication, 0,
     "the multiplication check failed"},
    {"FlipTruncationFirstRound", Fault::Action::kFlip, FrameKind::kValue, Check::kTruncation, 0,
     "the truncation check failed"},
    {"FlipTruncationSecondMessage", Fault::Action::kFlip, FrameKind::kValue, Check::kTruncation, 1,
     "the truncation check failed"},
    {"FlipComparisonSplit", Fault::Action::kFlip, FrameKind::kValue, Check::kComparison, 0,
     "the comparison check failed"},
    {"FlipComparisonCarryTree", Fault::Action::kFlip, FrameKind::kValue, Check::kComparison, 4,
     "the comparison check failed"},
    {"FlipOpening", Fault::Action::kFlip, FrameKind::kValue, Check::kOpening, 0, "the opening check failed"},
    {"FlipDigest", Fault::Action::kFlip, FrameKind::kDigests, Check::kKeys, 0, "check failed"},
    {"WithholdDigests", Fault::Action::kWithhold, FrameKind::kDigests, Check::kKeys, 0,
     "the hash exchange failed"},
};

class Rep4FaultMatrix : public ::testing::TestWithParam<std::tuple<int, FaultCase>> {};

TEST_P(Rep4FaultMatrix, EveryHonestPartyAbortsNamingTheCheck) {
  const auto [bad, c] = GetParam();
  Fault fault;
  fault.party = bad;
  fault.action = c.action;
  fault.frame = c.frame;
  fault.check = c.check;
  fault.occurrence = c.occurrence;
  fault.bit = 13;
  const Program program;
  const auto out = run_rep4_with_fault(fault, [&](Rep4& p) { return program(p); });
  ASSERT_GT(out[bad].frames_corrupted, 0) << "party " << bad << " sent no such frame";
  expect_honest_parties_abort(out, bad, c.expect, party_name(bad));
}

INSTANTIATE_TEST_SUITE_P(Rep4, Rep4FaultMatrix,
                         ::testing::Combine(::testing::Range(0, 4), ::testing::ValuesIn(kCases)),
                         [](const auto& info) {
                           return std::string(std::get<1>(info.param).name) + "_Party" +
                                  std::to_string(std::get<0>(info.param));
                         });

// Every honest party ends with VerificationError naming `expect` and the
// deviating party, and reveals nothing.
template <class R>
void expect_caught(const std::vector<Outcome<R>>& out, int bad, const std::string& expect) {
  expect_honest_parties_abort(out, bad, expect, "Suspected: " + party_name(bad));
}

// A party that withholds its digests from one honest party only: that
// party's hash exchange fails, and its verdict tells the two others, so
// every honest party aborts naming the withholder.
class Rep4WithholdFromOne : public ::testing::TestWithParam<std::tuple<int, int>> {};

TEST_P(Rep4WithholdFromOne, EveryHonestPartyAborts) {
  const auto [bad, step] = GetParam();
  Fault fault;
  fault.party = bad;
  fault.action = Fault::Action::kWithhold;
  fault.frame = FrameKind::kDigests;
  fault.to = (bad + step) % 4;
  const Program program;
  const auto out = run_rep4_with_fault(fault, [&](Rep4& p) { return program(p); });
  ASSERT_GT(out[bad].frames_corrupted, 0) << "party " << bad << " withheld nothing";
  expect_caught(out, bad, "the digests of party " + std::to_string(bad) + " did not arrive");
  // Only the party that missed them saw it first-hand.
  const int missed = (bad + step) % 4;
  EXPECT_NE(out[missed].error.find("the hash exchange failed at party " + std::to_string(missed)),
            std::string::npos)
      << out[missed].error;
}

INSTANTIATE_TEST_SUITE_P(Rep4, Rep4WithholdFromOne,
                         ::testing::Combine(::testing::Range(0, 4), ::testing::Range(1, 4)),
                         [](const auto& info) {
                           return "Party" + std::to_string(std::get<0>(info.param)) + "_ToParty" +
                                  std::to_string((std::get<0>(info.param) + std::get<1>(info.param)) % 4);
                         });

// Key setup: party d draws the triple key of all but d-1 and sends it to
// d+1 and d+2 (rep4.cc). Flipping a bit of the copy for d+1 only makes the
// two hold different keys; the key-setup check that ends the setup names
// it on every honest party before any key is used. Frames from d to d+1: the pair key first when
// d < 3, then the triple key.
class Rep4KeySetupFault : public ::testing::TestWithParam<int> {};

TEST_P(Rep4KeySetupFault, AWrongTripleKeyToOneMemberIsCaught) {
  const int bad = GetParam();
  Fault fault;
  fault.party = bad;
  fault.frame = FrameKind::kValue;
  fault.check = Check::kKeys;
  fault.to = (bad + 1) % 4;
  fault.occurrence = bad < 3 ? 1 : 0;
  fault.bit = 77;
  const Program program;
  const auto out = run_rep4_with_fault(fault, [&](Rep4& p) { return program(p); });
  ASSERT_EQ(out[bad].frames_corrupted, 1) << "party " << bad << " flipped no key";
  expect_caught(out, bad, "the key setup check failed");
  // Caught at the setup's own check, before any key was used.
  for (int i = 0; i < 4; ++i) {
    if (i == bad) continue;
    for (const char* later : {"input check", "multiplication check", "truncation check", "comparison check"})
      EXPECT_EQ(out[i].error.find(later), std::string::npos) << "party " << i << ": " << out[i].error;
  }
}

INSTANTIATE_TEST_SUITE_P(Rep4, Rep4KeySetupFault, ::testing::Range(0, 4),
                         [](const auto& info) { return "Party" + std::to_string(info.param); });

// A deviation is caught by verify() alone, before any opening.
TEST(Rep4Fault, VerifyCatchesAMultiplicationFaultWithoutAnOpening) {
  Fault fault;
  fault.party = 2;
  fault.check = Check::kMultiplication;
  fault.bit = 63;
  const auto a = random_ring(kN, 1);
  const auto out = run_rep4_with_fault(fault, [&](Rep4& p) {
    const auto x = p.input(0, owned_by(p, 0, a), kN);
    const auto z = p.mul(x, x);
    p.verify();
    return z.size();
  });
  ASSERT_GT(out[2].frames_corrupted, 0);
  for (int i = 0; i < 4; ++i) {
    if (i == 2) continue;
    EXPECT_TRUE(out[i].verification_error) << "party " << i << ": " << out[i].error;
    EXPECT_NE(out[i].error.find("the multiplication check failed"), std::string::npos) << out[i].error;
  }
}

// After a failed check the session is over: a later verify() throws again.
TEST(Rep4Fault, AFailedCheckStaysFailed) {
  Fault fault;
  fault.party = 1;
  fault.check = Check::kMultiplication;
  const auto a = random_ring(kN, 2);
  const auto out = run_rep4_with_fault(fault, [&](Rep4& p) {
    const auto x = p.input(0, owned_by(p, 0, a), kN);
    const auto z = p.mul(x, x);
    bool first = false;
    try {
      p.verify();
    } catch (const VerificationError&) {
      first = true;
    }
    p.verify();  // must throw again
    return first;
  });
  ASSERT_GT(out[1].frames_corrupted, 0);
  for (int i = 0; i < 4; ++i) {
    if (i == 1) continue;
    EXPECT_TRUE(out[i].verification_error) << "party " << i << ": " << out[i].error;
    EXPECT_FALSE(out[i].value.has_value());
  }
}

// A party that stops sending its products: every honest party ends with an
// error (the missing message times out) and none opens anything.
TEST(Rep4Fault, APartyThatSendsNothingEndsTheSession) {
  Fault fault;
  fault.party = 3;
  fault.action = Fault::Action::kWithhold;
  fault.check = Check::kMultiplication;
  const Program program;
  const auto out = run_rep4_with_fault(fault, [&](Rep4& p) { return program(p); });
  ASSERT_GT(out[3].frames_corrupted, 0);
  for (int i = 0; i < 3; ++i) {
    EXPECT_FALSE(out[i].value.has_value()) << "party " << i;
    EXPECT_FALSE(out[i].error.empty()) << "party " << i;
  }
}

}  // namespace
}  // namespace sqt::test
