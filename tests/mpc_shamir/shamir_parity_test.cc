// The parity polynomial of b2a and daBits: a(S) = S mod 2 for S = 0..m in
// Z_2^64, checked by Horner's rule against the integer parity.
#include <gtest/gtest.h>

#include "host/core/error.h"
#include "host/mpc/shamir/shamir.h"

namespace sqt::test {
namespace {

TEST(ShamirParity, PolynomialIsTheParityUpToItsDegree) {
  for (int m = 1; m <= 16; ++m) {
    const auto a = mpc::parity_polynomial(m);
    ASSERT_EQ(a.size(), static_cast<std::size_t>(m) + 1);
    for (int s = 0; s <= m; ++s) {
      Ring v = 0;
      for (int j = m; j >= 0; --j) v = v * static_cast<Ring>(s) + a[static_cast<std::size_t>(j)];
      EXPECT_EQ(v, static_cast<Ring>(s % 2)) << "degree " << m << " at " << s;
    }
  }
  EXPECT_EQ(mpc::parity_polynomial(2), (std::vector<Ring>{0, 2, ~Ring{0}}));  // 2S - S^2
  EXPECT_THROW(mpc::parity_polynomial(0), ShapeError);
}

}  // namespace
}  // namespace sqt::test
