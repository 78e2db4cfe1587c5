// MalRep3 against a deviating party: one party flips a bit of one of its
// input, multiplication, truncation or opening messages, of its MAC-check
// messages or of its digests, or withholds its digests or its verdict. For
// every party in that position, both other parties must abort with
// VerificationError naming the check before anything is revealed; the same
// program without a fault opens the right values.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/mpc_mal_rep3/mal_rep3_test_util.h"

namespace sqt::test {
namespace {

using mpc::MalRep3;
using mpc::mal_rep3::Check;
using mpc::mal_rep3::FrameKind;

constexpr std::size_t kN = 20;

struct Program {
  std::vector<std::vector<R128>> inputs;  // one vector per owner
  Program() {
    for (int owner = 0; owner < 3; ++owner)
      inputs.push_back(random_signed(kN, std::int64_t{1} << 28, 500 + owner));
  }
  // Every party inputs; a product, a truncation, a matrix product; one opening.
  std::vector<R128> operator()(MalRep3& p) const {
    std::vector<MalRep3::Share> in;
    for (int owner = 0; owner < 3; ++owner)
      in.push_back(p.input(owner, owned_by(p, owner, inputs[owner]), kN));
    const auto t = p.trunc(p.mul(in[0], in[1]), 16);
    const auto d =
        p.matmul(mpc::Trans::kNo, mpc::Trans::kNo, kN, 1, 1, in[2], p.input(0, owned_by(p, 0, one_), 1));
    return p.reveal(p.add(t, d));
  }
  bool correct(const std::vector<R128>& got) const {
    if (got.size() != kN) return false;
    for (std::size_t e = 0; e < kN; ++e) {
      const S128 a = as_signed(inputs[0][e]), b = as_signed(inputs[1][e]), c = as_signed(inputs[2][e]);
      const S128 diff = as_signed(got[e]) - (floor_shift(a * b, 16) + 3 * c);
      if (diff < -1 || diff > 2) return false;
    }
    return true;
  }
  std::vector<R128> one_ = {3};
};

TEST(MalRep3Fault, WithoutAFaultEveryPartyOpensTheRightValues) {
  const Program program;
  const auto out = run_mal_rep3([&](MalRep3& p) { return program(p); });
  for (int i = 0; i < 3; ++i) {
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
  std::size_t bit;
  const char* expect;    // in every honest party's error
  bool names_the_party;  // hash checks name the sender and the hasher
};

constexpr std::size_t kMacHalf = kN * 16 * 8;  // first bit of a product's MAC summands

const FaultCase kCases[] = {
    {"FlipInputMac", Fault::Action::kFlip, FrameKind::kValue, Check::kInput, 0, 13, "the input check failed",
     false},
    {"FlipMultiplicationValue", Fault::Action::kFlip, FrameKind::kValue, Check::kMultiplication, 0, 13,
     "the multiplication check failed", false},
    {"FlipMultiplicationMac", Fault::Action::kFlip, FrameKind::kValue, Check::kMultiplication, 0,
     kMacHalf + 13, "the multiplication check failed", false},
    {"FlipMatmul", Fault::Action::kFlip, FrameKind::kValue, Check::kMultiplication, 1, 70,
     "the multiplication check failed", false},
    {"FlipTruncationMaskMac", Fault::Action::kFlip, FrameKind::kValue, Check::kTruncation, 0, 13,
     "the truncation check failed", false},
    {"FlipTruncationOpening", Fault::Action::kFlip, FrameKind::kValue, Check::kTruncation, 1, 13,
     "the truncation check failed", true},
    {"FlipOpening", Fault::Action::kFlip, FrameKind::kValue, Check::kOpening, 0, 13,
     "the opening check failed", true},
    {"FlipMacSeed", Fault::Action::kFlip, FrameKind::kValue, Check::kMac, 0, 13, "check failed", false},
    {"FlipMacProduct", Fault::Action::kFlip, FrameKind::kValue, Check::kMac, 1, 13, "check failed", false},
    {"FlipMacOpening", Fault::Action::kFlip, FrameKind::kValue, Check::kMac, 2, 13, "check failed", false},
    {"FlipDigest", Fault::Action::kFlip, FrameKind::kDigests, Check::kKeys, 0, 13, "check failed", true},
    // The comparison's zero-check digest (slot kCheckKinds + comparison).
    {"FlipZeroCheckDigest", Fault::Action::kFlip, FrameKind::kDigests, Check::kKeys, 0,
     (mpc::mal_rep3::kCheckKinds + static_cast<std::size_t>(Check::kComparison)) * 256 + 13,
     "the comparison check failed", false},
    {"WithholdDigests", Fault::Action::kWithhold, FrameKind::kDigests, Check::kKeys, 0, 0,
     "the hash exchange failed", true},
    {"WithholdVerdict", Fault::Action::kWithhold, FrameKind::kVerdict, Check::kKeys, 0, 0,
     "got no valid verdict", true},
};

class MalRep3FaultMatrix : public ::testing::TestWithParam<std::tuple<int, FaultCase>> {};

TEST_P(MalRep3FaultMatrix, EveryHonestPartyAbortsNamingTheCheck) {
  const auto [bad, c] = GetParam();
  Fault fault;
  fault.party = bad;
  fault.action = c.action;
  fault.frame = c.frame;
  fault.check = c.check;
  fault.occurrence = c.occurrence;
  fault.bit = c.bit;
  const Program program;
  const auto out = run_mal_rep3_with_fault(fault, [&](MalRep3& p) { return program(p); });
  ASSERT_GT(out[bad].frames_corrupted, 0) << "party " << bad << " sent no such frame";
  expect_honest_parties_abort(out, bad, c.expect, c.names_the_party ? party_name(bad) : "");
}

INSTANTIATE_TEST_SUITE_P(MalRep3, MalRep3FaultMatrix,
                         ::testing::Combine(::testing::Range(0, 3), ::testing::ValuesIn(kCases)),
                         [](const auto& info) {
                           return std::string(std::get<1>(info.param).name) + "_Party" +
                                  std::to_string(std::get<0>(info.param));
                         });

// The products' truncation without the masks' carry (ProductRounding::
// kUnbiased): a matrix product truncated, opened. Its truncation frames are
// the mask MAC (0) and the opening (1).
struct ProductProgram {
  std::vector<R128> a = random_signed(2 * kN, 1 << 24, 700), b = random_signed(2, 1 << 24, 701);
  std::vector<R128> operator()(MalRep3& p) const {
    const auto x = p.input(0, owned_by(p, 0, a), 2 * kN);
    const auto y = p.input(1, owned_by(p, 1, b), 2);
    return p.reveal(p.matmul_trunc(mpc::Trans::kNo, mpc::Trans::kNo, kN, 1, 2, x, y, 16));
  }
  bool correct(const std::vector<R128>& got) const {
    if (got.size() != kN) return false;
    for (std::size_t e = 0; e < kN; ++e) {
      const S128 dot = as_signed(a[2 * e]) * as_signed(b[0]) + as_signed(a[2 * e + 1]) * as_signed(b[1]);
      const S128 diff = as_signed(got[e]) - floor_shift(dot, 16);
      if (diff < -1 || diff > 2) return false;
    }
    return true;
  }
};

TEST(MalRep3Fault, WithoutAFaultTheProductTruncationIsRight) {
  const ProductProgram program;
  const auto out = run_mal_rep3([&](MalRep3& p) { return program(p); });
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(program.correct(out[i])) << "party " << i;
}

struct ProductCase {
  const char* name;
  int occurrence;  // of the party's kTruncation frames
  bool names_the_party;
};

const ProductCase kProductCases[] = {{"MaskMac", 0, false}, {"Opening", 1, true}};

class MalRep3ProductTruncationFault : public ::testing::TestWithParam<std::tuple<int, ProductCase>> {};

TEST_P(MalRep3ProductTruncationFault, EveryHonestPartyAbortsNamingTheTruncation) {
  const auto [bad, c] = GetParam();
  Fault fault;
  fault.party = bad;
  fault.check = Check::kTruncation;
  fault.occurrence = c.occurrence;
  const ProductProgram program;
  const auto out = run_mal_rep3_with_fault(fault, [&](MalRep3& p) { return program(p); });
  ASSERT_GT(out[bad].frames_corrupted, 0) << "party " << bad << " sent no such frame";
  expect_honest_parties_abort(out, bad, "the truncation check failed",
                              c.names_the_party ? party_name(bad) : "");
}

INSTANTIATE_TEST_SUITE_P(MalRep3, MalRep3ProductTruncationFault,
                         ::testing::Combine(::testing::Range(0, 3), ::testing::ValuesIn(kProductCases)),
                         [](const auto& info) {
                           return std::string(std::get<1>(info.param).name) + "_Party" +
                                  std::to_string(std::get<0>(info.param));
                         });

// The binary domain: a comparison whose AND gates, b2a MACs or AND
// verification messages are flipped.
struct BinaryProgram {
  std::vector<R128> a = random_signed(kN, 1 << 28, 600);
  std::vector<R128> operator()(MalRep3& p) const {
    return p.reveal(p.ltz(p.input(1, owned_by(p, 1, a), kN)));
  }
};

struct BinaryCase {
  const char* name;
  int occurrence;  // of the party's kComparison frames
};

// ltz at k = 31: AND rounds 0-1 (carry-save, g), 2-6 (the carry tree), the
// b2a MAC parts to the previous (7) and the next party (8); verify():
// triples (9), rho and sigma (10). The sacrifices' results are never sent:
// their zero check is in the digests (above).
const BinaryCase kBinaryCases[] = {{"CarrySave", 0},     {"Generate", 1},         {"CarryTree", 4},
                                   {"CarryTreeLast", 6}, {"B2aMacToPrev", 7},     {"B2aMacToNext", 8},
                                   {"Triples", 9},       {"SacrificeOpening", 10}};

class MalRep3BinaryFault : public ::testing::TestWithParam<std::tuple<int, BinaryCase>> {};

TEST_P(MalRep3BinaryFault, EveryHonestPartyAbortsNamingTheComparison) {
  const auto [bad, c] = GetParam();
  Fault fault;
  fault.party = bad;
  fault.check = Check::kComparison;
  fault.occurrence = c.occurrence;
  fault.bit = 5;
  const BinaryProgram program;
  const auto out = run_mal_rep3_with_fault(fault, [&](MalRep3& p) { return program(p); });
  ASSERT_GT(out[bad].frames_corrupted, 0) << "party " << bad << " sent no such frame";
  expect_honest_parties_abort(out, bad, "the comparison check failed");
}

INSTANTIATE_TEST_SUITE_P(MalRep3, MalRep3BinaryFault,
                         ::testing::Combine(::testing::Range(0, 3), ::testing::ValuesIn(kBinaryCases)),
                         [](const auto& info) {
                           return std::string(std::get<1>(info.param).name) + "_Party" +
                                  std::to_string(std::get<0>(info.param));
                         });

// A holder that feeds bit_decompose a wrong copy of one of its components
// (no frame is corrupted: the copy is local): the masks' low parts in the
// probabilistic truncation's carry, the value in exact truncation's
// decomposition. The two holders' copies then differ, and every check that
// sees both finds it: bit 3 enters the carry-save AND gates, whose inputs
// are opened (as x ^ a, y ^ b) at verify() as joint messages (the
// comparison check); bit 15 (= b - 1) is also the top plane of exact
// truncation's b-bit decomposition, which no gate reads: its bit reaches
// the opened c = x - low + 2^62 + r (the truncation check).
struct CopyCase {
  const char* name;
  mpc::TruncMode mode;
  MalRep3::CopyFault::Where where;
  int bit;
  const char* expect;
};

const CopyCase kCopyCases[] = {
    {"MaskLowBit3", mpc::TruncMode::kProbabilistic, MalRep3::CopyFault::Where::kMaskLow, 3,
     "the comparison check failed"},
    {"MaskLowBit15", mpc::TruncMode::kProbabilistic, MalRep3::CopyFault::Where::kMaskLow, 15,
     "the comparison check failed"},
    {"ValueLowBit3", mpc::TruncMode::kExact, MalRep3::CopyFault::Where::kValueLow, 3,
     "the comparison check failed"},
    {"ValueLowBit15", mpc::TruncMode::kExact, MalRep3::CopyFault::Where::kValueLow, 15,
     "the truncation check failed"},
};

class MalRep3CopyFault : public ::testing::TestWithParam<std::tuple<int, int, CopyCase>> {};

TEST_P(MalRep3CopyFault, EveryHonestPartyAbortsNamingTheCheckAndTheParty) {
  const auto [bad, part, c] = GetParam();
  const Program program;
  const auto out = run_parties(
      3,
      [&](net::Network& network) {
        Outcome<std::vector<R128>> o;
        try {
          auto backend = backend::make_backend("cpu", 1);
          mpc::MalRep3 p(network, *backend, FixedParams{16, 31}, c.mode, 7);
          if (network.party() == bad) p.set_copy_fault_for_test({c.where, part, c.bit});
          o.value.emplace(program(p));
        } catch (const VerificationError& e) {
          o.verification_error = true;
          o.error = e.what();
        } catch (const Error& e) {
          o.error = e.what();
        }
        return o;
      },
      std::chrono::milliseconds(1500));
  expect_honest_parties_abort(out, bad, c.expect);
  for (int i = 0; i < 3; ++i) {
    if (i == bad) continue;
    const std::string b = "party " + std::to_string(bad);
    EXPECT_TRUE(out[i].error.find("(" + b + " or") != std::string::npos ||
                out[i].error.find("or " + b + " deviated") != std::string::npos)
        << "party " << i << " does not name the deviating party: " << out[i].error;
  }
}

INSTANTIATE_TEST_SUITE_P(MalRep3, MalRep3CopyFault,
                         ::testing::Combine(::testing::Range(0, 3), ::testing::Range(0, 2),
                                            ::testing::ValuesIn(kCopyCases)),
                         [](const auto& info) {
                           return std::string(std::get<2>(info.param).name) + "_Party" +
                                  std::to_string(std::get<0>(info.param)) + "_Part" +
                                  std::to_string(std::get<1>(info.param));
                         });

TEST(MalRep3Fault, WithoutAFaultTheComparisonIsRight) {
  const BinaryProgram program;
  const auto out = run_mal_rep3([&](MalRep3& p) { return program(p); });
  for (std::size_t e = 0; e < kN; ++e) EXPECT_EQ(out[0][e], R128(as_signed(program.a[e]) < 0 ? 1 : 0));
}

// An error in the top bit of a product (value and MAC alike) passes the
// MAC check for half of the keys; then it never reaches a result, because
// truncation reads the opened value mod 2^81 and reveal sign-extends from
// bit 80. (A flipped frame also leaves the two copies of a component
// unequal, which the next joint opening finds.) Either both honest parties
// abort, or every party opens the right values.
TEST(MalRep3Fault, TopBitErrorsAreCaughtOrNeverReachAResult) {
  int aborted = 0, completed = 0;
  for (std::uint64_t seed = 1; seed <= 8; ++seed) {
    const int bad = static_cast<int>(seed % 3);
    Fault fault;
    fault.party = bad;
    fault.check = Check::kMultiplication;
    fault.bit = 127;
    fault.bit2 = static_cast<long>(kMacHalf + 127);
    const Program program;
    MalRep3Options options;
    options.seed = seed;
    const auto out = run_mal_rep3_with_fault(
        fault, [&](MalRep3& p) { return program(p); }, options);
    ASSERT_GT(out[bad].frames_corrupted, 0);
    for (int i = 0; i < 3; ++i) {
      if (i == bad) continue;
      if (out[i].value.has_value()) {
        ++completed;
        EXPECT_TRUE(program.correct(*out[i].value)) << "seed " << seed << ", party " << i;
      } else {
        ++aborted;
        EXPECT_TRUE(out[i].verification_error) << out[i].error;
      }
    }
  }
  EXPECT_EQ(aborted + completed, 16);
}

// A deviation is caught by verify() alone, before any opening.
TEST(MalRep3Fault, VerifyCatchesAMultiplicationFaultWithoutAnOpening) {
  Fault fault;
  fault.party = 2;
  fault.check = Check::kMultiplication;
  fault.bit = 63;
  const auto a = random_signed(kN, 1 << 20, 1);
  const auto out = run_mal_rep3_with_fault(fault, [&](MalRep3& p) {
    const auto x = p.input(0, owned_by(p, 0, a), kN);
    const auto z = p.mul(x, x);
    p.verify();
    return z.size();
  });
  ASSERT_GT(out[2].frames_corrupted, 0);
  for (int i = 0; i < 2; ++i) {
    EXPECT_TRUE(out[i].verification_error) << "party " << i << ": " << out[i].error;
    EXPECT_NE(out[i].error.find("the multiplication check failed"), std::string::npos) << out[i].error;
  }
}

// After a failed check the session is over: a later verify() throws again.
TEST(MalRep3Fault, AFailedCheckStaysFailed) {
  Fault fault;
  fault.party = 1;
  fault.check = Check::kMultiplication;
  const auto a = random_signed(kN, 1 << 20, 2);
  const auto out = run_mal_rep3_with_fault(fault, [&](MalRep3& p) {
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
  for (int i : {0, 2}) {
    EXPECT_TRUE(out[i].verification_error) << "party " << i << ": " << out[i].error;
    EXPECT_FALSE(out[i].value.has_value());
  }
}

// A party that stops sending its products: both honest parties end with an
// error (the missing message times out) and neither opens anything.
TEST(MalRep3Fault, APartyThatSendsNothingEndsTheSession) {
  Fault fault;
  fault.party = 0;
  fault.action = Fault::Action::kWithhold;
  fault.check = Check::kMultiplication;
  const Program program;
  const auto out = run_mal_rep3_with_fault(fault, [&](MalRep3& p) { return program(p); });
  ASSERT_GT(out[0].frames_corrupted, 0);
  for (int i : {1, 2}) {
    EXPECT_FALSE(out[i].value.has_value()) << "party " << i;
    EXPECT_FALSE(out[i].error.empty()) << "party " << i;
  }
}

}  // namespace
}  // namespace sqt::test
