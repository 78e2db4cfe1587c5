// How each party of a fault-injection run ended, and the assertion every
// malicious-security test makes about the honest parties.
#pragma once

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

namespace sqt::test {

// One party's run: its result, or the error it threw.
template <class T>
struct Outcome {
  std::optional<T> value;
  std::string error;  // what() of the exception, empty when it returned
  bool verification_error = false;
  int frames_corrupted = 0;  // the deviating party: frames it flipped or withheld
};

// Every party but `bad` revealed nothing and threw a VerificationError whose
// message holds `check` and, when `deviator` is not empty, `deviator` (how
// the check names party `bad`).
template <class T>
void expect_honest_parties_abort(const std::vector<Outcome<T>>& out, int bad, const std::string& check,
                                 const std::string& deviator = {}) {
  for (int i = 0; i < static_cast<int>(out.size()); ++i) {
    if (i == bad) continue;
    EXPECT_FALSE(out[i].value.has_value()) << "honest party " << i << " revealed a value";
    EXPECT_TRUE(out[i].verification_error) << "party " << i << ": " << out[i].error;
    EXPECT_NE(out[i].error.find(check), std::string::npos) << "party " << i << ": " << out[i].error;
    if (!deviator.empty())
      EXPECT_NE(out[i].error.find(deviator), std::string::npos)
          << "party " << i << " does not name the deviating party: " << out[i].error;
  }
}

inline std::string party_name(int party) { return "party " + std::to_string(party); }

}  // namespace sqt::test
