// GR(2^64, 4): the scalar arithmetic against polynomial products reduced by
// long division, the backend kernels against the scalar code, inverses,
// and Shamir reconstruction from every set of t + 1 shares.
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <random>
#include <vector>

#include "host/backend/backend.h"
#include "host/mpc/shamir/galois_ring.h"

namespace sqt::mpc::shamir {
namespace {

Gr random_gr(std::mt19937_64& rng) { return Gr{{rng(), rng(), rng(), rng()}}; }

// The schoolbook product, reduced by repeatedly subtracting p_k X^(k-4) f
// with f = X^4 + X + 1: an independent path to the same element.
Gr long_division_product(const Gr& a, const Gr& b) {
  std::vector<Ring> p(7, 0);
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 4; ++j) p[i + j] += a.c[i] * b.c[j];
  for (int k = 6; k >= 4; --k) {
    const Ring q = p[k];
    p[k] -= q;          // X^k term of q X^(k-4) f
    p[k - 3] -= q;      // q X^(k-3)
    p[k - 4] -= q;      // q X^(k-4)
  }
  return Gr{{p[0], p[1], p[2], p[3]}};
}

TEST(GaloisRing, ProductMatchesLongDivision) {
  std::mt19937_64 rng(1);
  for (int i = 0; i < 1000; ++i) {
    const Gr a = random_gr(rng), b = random_gr(rng);
    EXPECT_EQ(a * b, long_division_product(a, b));
    EXPECT_EQ(a * b, b * a);
  }
  // X^4 = -X - 1
  const Gr x{{0, 1, 0, 0}};
  EXPECT_EQ(x * x * x * x, (Gr{{~Ring{0}, ~Ring{0}, 0, 0}}));
}

TEST(GaloisRing, InverseOfUnitsAndRefusalOfNonUnits) {
  std::mt19937_64 rng(2);
  int units = 0;
  for (int i = 0; i < 500; ++i) {
    const Gr a = random_gr(rng);
    if (!is_unit(a)) {
      EXPECT_THROW(inverse(a), std::domain_error);
      continue;
    }
    ++units;
    EXPECT_EQ(a * inverse(a), Gr::constant(1));
  }
  EXPECT_GT(units, 400);  // 15/16 of the elements are units
  EXPECT_THROW(inverse(Gr::constant(2)), std::domain_error);
}

TEST(GaloisRing, GF16IsTheResidueField) {
  std::mt19937_64 rng(3);
  for (int i = 0; i < 200; ++i) {
    const Gr a = random_gr(rng), b = random_gr(rng);
    EXPECT_EQ(mod2(a * b), gf16_mul(mod2(a), mod2(b)));
  }
  for (unsigned a = 1; a < 16; ++a) {
    int inverses = 0;
    for (unsigned b = 1; b < 16; ++b) inverses += gf16_mul(static_cast<Gf16>(a), static_cast<Gf16>(b)) == 1;
    EXPECT_EQ(inverses, 1) << "GF(16) element " << a;
  }
}

TEST(GaloisRing, PointsAreExceptional) {
  for (int i = 0; i < kMaxParties; ++i) {
    EXPECT_TRUE(is_unit(point(i)));
    for (int j = 0; j < i; ++j) EXPECT_TRUE(is_unit(point(i) - point(j))) << i << " " << j;
  }
  EXPECT_THROW(point(15), std::out_of_range);
}

TEST(GaloisRing, BackendKernelsMatchScalar) {
  auto backend = backend::make_backend("cpu", 1);
  std::mt19937_64 rng(4);
  const std::size_t n = 37;  // vector body and scalar tail
  std::array<std::vector<Ring>, 4> a, b, out, acc;
  std::vector<Ring> c0(n);
  for (int j = 0; j < 4; ++j) {
    a[j].resize(n);
    b[j].resize(n);
    out[j].resize(n);
    acc[j].resize(n);
    for (std::size_t e = 0; e < n; ++e) {
      a[j][e] = rng();
      b[j][e] = rng();
      acc[j][e] = rng();
    }
  }
  for (std::size_t e = 0; e < n; ++e) c0[e] = rng();
  const Ring* pa[4] = {a[0].data(), a[1].data(), a[2].data(), a[3].data()};
  const Ring* pb[4] = {b[0].data(), b[1].data(), b[2].data(), b[3].data()};
  Ring* po[4] = {out[0].data(), out[1].data(), out[2].data(), out[3].data()};
  Ring* pacc[4] = {acc[0].data(), acc[1].data(), acc[2].data(), acc[3].data()};
  const Gr k = random_gr(rng);
  const auto acc_before = acc;  // copies
  const auto c0_before = c0;
  backend->gr_mul(pa, pb, po, n);
  backend->gr_mul_const_add(pa, k.c.data(), pacc, n);
  backend->gr_coef0_mul_add(pa, pb, c0.data(), n);
  for (std::size_t e = 0; e < n; ++e) {
    const Gr x{{a[0][e], a[1][e], a[2][e], a[3][e]}}, y{{b[0][e], b[1][e], b[2][e], b[3][e]}};
    const Gr prod = long_division_product(x, y), scaled = long_division_product(x, k);
    for (int j = 0; j < 4; ++j) {
      EXPECT_EQ(out[j][e], prod.c[j]);
      EXPECT_EQ(acc[j][e], acc_before[j][e] + scaled.c[j]);
    }
    EXPECT_EQ(c0[e], c0_before[e] + prod.c[0]);
  }
}

// A degree-t sharing of s is reconstructed by every set of t + 1 parties.
TEST(GaloisRing, ReconstructionFromAnyTPlusOneShares) {
  std::mt19937_64 rng(5);
  for (const int n : {3, 5, 10}) {
    const int t = (n - 1) / 2;
    const Ring secret = rng();
    std::vector<Gr> f = {Gr::constant(secret)};
    for (int k = 0; k < t; ++k) f.push_back(random_gr(rng));
    std::vector<Gr> shares;
    for (int i = 0; i < n; ++i) shares.push_back(eval_poly(f, point(i)));
    int sets = 0;
    for (unsigned mask = 0; mask < (1u << n); ++mask) {
      if (__builtin_popcount(mask) != t + 1) continue;
      std::vector<int> who;
      for (int i = 0; i < n; ++i)
        if (mask >> i & 1) who.push_back(i);
      const auto lambda = lagrange_at_zero(who);
      Gr sum{};
      for (std::size_t q = 0; q < who.size(); ++q) sum = sum + lambda[q] * shares[static_cast<std::size_t>(who[q])];
      EXPECT_EQ(sum, Gr::constant(secret)) << "n=" << n << " set " << mask;
      ++sets;
    }
    EXPECT_GT(sets, 2);
  }
}

// f_A is 1 at 0 and vanishes on A: the PRSS coefficients.
TEST(GaloisRing, VanishingPolynomial) {
  const std::vector<int> a = {1, 4, 6};
  for (int i = 0; i < 10; ++i) {
    const Gr v = vanishing_at(a, i);
    if (i == 1 || i == 4 || i == 6) {
      EXPECT_EQ(v, Gr{}) << i;
    }
  }
  // Its values at any 4 points interpolate to 1 at 0 (degree 3).
  const std::vector<int> who = {0, 2, 3, 7};
  const auto lambda = lagrange_at_zero(who);
  Gr sum{};
  for (std::size_t q = 0; q < who.size(); ++q) sum = sum + lambda[q] * vanishing_at(a, who[q]);
  EXPECT_EQ(sum, Gr::constant(1));
}

}  // namespace
}  // namespace sqt::mpc::shamir
