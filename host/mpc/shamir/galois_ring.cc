// GR(2^64, 4) and GF(16) scalar arithmetic (galois_ring.h).
#include "host/mpc/shamir/galois_ring.h"

#include <stdexcept>
#include <string>

namespace sqt::mpc::shamir {

Gf16 gf16_mul(Gf16 a, Gf16 b) {
  unsigned p = 0;
  for (int i = 0; i < 4; ++i)
    if (b >> i & 1) p ^= static_cast<unsigned>(a) << i;
  for (int k = 6; k >= 4; --k)
    if (p >> k & 1) p ^= 0x13u << (k - 4);  // X^4 + X + 1
  return static_cast<Gf16>(p);
}

bool is_unit(const Gr& u) { return mod2(u) != 0; }

Gr inverse(const Gr& u) {
  const Gf16 r = mod2(u);
  if (r == 0) throw std::domain_error("GR(2^64,4) inverse: the element is not a unit (zero mod 2)");
  Gf16 inv = 1;
  while (gf16_mul(r, inv) != 1) ++inv;  // 15 candidates at most
  Gr v{{Ring{inv} & 1, Ring{inv} >> 1 & 1, Ring{inv} >> 2 & 1, Ring{inv} >> 3 & 1}};
  const Gr two = Gr::constant(2);
  for (int step = 0; step < 6; ++step) v = v * (two - u * v);
  return v;
}

Gr point(int party) {
  if (party < 0 || party >= kMaxParties)
    throw std::out_of_range("GR(2^64,4) has evaluation points for 15 parties, not party " +
                            std::to_string(party));
  const unsigned bits = static_cast<unsigned>(party) + 1;
  return Gr{{bits & 1, bits >> 1 & 1, bits >> 2 & 1, bits >> 3 & 1}};
}

std::vector<Gr> lagrange_at_zero(std::span<const int> parties) {
  std::vector<Gr> out;
  for (const int i : parties) {
    Gr num = Gr::constant(1), den = Gr::constant(1);
    for (const int j : parties) {
      if (j == i) continue;
      num = num * point(j);
      den = den * (point(j) - point(i));
    }
    out.push_back(num * inverse(den));
  }
  return out;
}

Gr lagrange_basis(std::span<const Gr> nodes, std::size_t m, const Gr& z) {
  Gr num = Gr::constant(1), den = Gr::constant(1);
  for (std::size_t l = 0; l < nodes.size(); ++l) {
    if (l == m) continue;
    num = num * (z - nodes[l]);
    den = den * (nodes[m] - nodes[l]);
  }
  return num * inverse(den);
}

Gr eval_poly(std::span<const Gr> f, const Gr& alpha) {
  Gr acc{};
  for (std::size_t k = f.size(); k-- > 0;) acc = acc * alpha + f[k];
  return acc;
}

Gr vanishing_at(std::span<const int> zeros, int party) {
  Gr num = Gr::constant(1), den = Gr::constant(1);
  for (const int j : zeros) {
    num = num * (point(j) - point(party));
    den = den * point(j);
  }
  return num * inverse(den);
}

}  // namespace sqt::mpc::shamir
