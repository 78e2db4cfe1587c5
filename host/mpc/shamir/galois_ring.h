// Scalar reference arithmetic of the Galois ring GR(2^64, 4) =
// Z_2^64[X] / (X^4 + X + 1) and of its residue field GF(16) = GF(2)[X] /
// (X^4 + X + 1), plus the Shamir constants both sharings need (evaluation
// points, Lagrange coefficients at 0, the vanishing polynomials of PRSS).
//
// X^4 + X + 1 is irreducible mod 2, so GR(2^64, 4) is a local ring whose
// units are the elements that are nonzero mod 2. Its exceptional set (any
// two elements differ by a unit) holds the 16 elements with coefficients in
// {0, 1}: a difference has coefficients in {-1, 0, 1}, nonzero mod 2 unless
// equal. Party i evaluates at alpha_i = the element whose coefficient bits
// are those of i + 1 (0 is the secret's point), so up to 15 parties.
//
// Reduction mod 2 coefficientwise is a ring homomorphism GR -> GF(16): a
// Shamir sharing over GR reduces to a GF(16) Shamir sharing of the secret's
// low bit at the points alpha_i mod 2 (still distinct).
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "host/core/ring.h"

namespace sqt::mpc::shamir {

inline constexpr int kMaxParties = 15;

struct Gr {
  std::array<Ring, 4> c{};  // c[j]: coefficient of X^j

  static constexpr Gr constant(Ring v) { return Gr{{v, 0, 0, 0}}; }
  bool operator==(const Gr&) const = default;
};

constexpr Gr operator+(Gr a, const Gr& b) {
  for (int j = 0; j < 4; ++j) a.c[j] += b.c[j];
  return a;
}
constexpr Gr operator-(Gr a, const Gr& b) {
  for (int j = 0; j < 4; ++j) a.c[j] -= b.c[j];
  return a;
}
constexpr Gr operator*(const Gr& a, const Gr& b) {
  Ring p[7] = {};
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 4; ++j) p[i + j] += a.c[i] * b.c[j];
  // X^4 = -X - 1, applied from the top degree down.
  for (int k = 6; k >= 4; --k) {
    p[k - 4] -= p[k];
    p[k - 3] -= p[k];
  }
  return Gr{{p[0], p[1], p[2], p[3]}};
}

// A unit's inverse: the GF(16) inverse lifted by Newton's iteration
// v <- v (2 - u v), which doubles the correct low bits (1 -> 64 in 6 steps).
// Throws std::domain_error for a non-unit (zero mod 2).
Gr inverse(const Gr& u);
bool is_unit(const Gr& u);

// GF(16) as 4-bit values (bit j = coefficient of X^j).
using Gf16 = std::uint8_t;
Gf16 gf16_mul(Gf16 a, Gf16 b);
inline Gf16 mod2(const Gr& a) {
  return static_cast<Gf16>((a.c[0] & 1) | (a.c[1] & 1) << 1 | (a.c[2] & 1) << 2 | (a.c[3] & 1) << 3);
}

// alpha_i, the evaluation point of party i (0 <= i < kMaxParties).
Gr point(int party);

// Lagrange coefficients at 0 for the points of `parties`: sum_i lambda_i
// f(alpha_i) = f(0) for every f of degree < parties.size().
std::vector<Gr> lagrange_at_zero(std::span<const int> parties);

// The Lagrange basis polynomial of nodes[m] for `nodes` (pairwise
// differences units), at z: prod_{l != m} (z - nodes[l]) / (nodes[m] - nodes[l]).
Gr lagrange_basis(std::span<const Gr> nodes, std::size_t m, const Gr& z);

// f(alpha) for coefficients f[0] + f[1] X + ... (Horner).
Gr eval_poly(std::span<const Gr> f, const Gr& alpha);

// The degree-|zeros| polynomial that is 1 at 0 and 0 at alpha_j for j in
// `zeros`, evaluated at alpha_party: prod_j (alpha_j - alpha_party) / alpha_j.
Gr vanishing_at(std::span<const int> zeros, int party);

}  // namespace sqt::mpc::shamir
