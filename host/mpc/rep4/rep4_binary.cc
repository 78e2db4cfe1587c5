// Rep4 binary domain: boolean shares from two summands, the carry circuits
// of ltz and bit_decompose, b2a.
//
// Local conversion: with roles a, b, c, d (rotated per call), A = x_a + x_b
// is known to c and d, B = x_c + x_d to a and b; each pair joint-inputs its
// summand's bits, so [A] lives in components a, b and [B] in c, d. Their
// product (A & B, or u v for b2a) is the four cross products of those
// components, each known to one of the pairs {a,c}, {a,d}, {b,c}, {b,d}:
// one more round of joint inputs.
#include <string>

#include "host/core/error.h"
#include "host/mpc/carry_tree.h"
#include "host/mpc/rep3/bit_planes.h"
#include "host/mpc/rep4/rep4.h"

namespace sqt::mpc {

using rep4::Check;

// out[0, len) += X Y, X in components a, b and Y in c, d: X_b Y_d (pair
// {a, c}), X_b Y_c ({a, d}), X_a Y_d ({b, c}), X_a Y_c ({b, d}).
void Rep4::cross_products(Joint& j, Combine how, const Share& x, const Share& y, std::size_t len,
                          Share& out) {
  const int a = role(0), b = role(1), c = role(2), d = role(3);
  struct Term {
    int xc, yc, p1, p2, receiver, sender;
  };
  const Term terms[4] = {{b, d, a, c, d, a}, {b, c, a, d, c, d}, {a, d, b, c, a, c}, {a, c, b, d, c, b}};
  const bool xor_ = how == Combine::kXor;
  RingVec v;
  for (const auto& t : terms) {
    v.clear();
    if (party_ == t.p1 || party_ == t.p2) {
      v.resize(len);
      const Ring* xv = comp(x, t.xc).data();
      const Ring* yv = comp(y, t.yc).data();
      if (xor_) {
        for (std::size_t e = 0; e < len; ++e) v[e] = xv[e] & yv[e];
      } else {
        for (std::size_t e = 0; e < len; ++e) v[e] = xv[e] * yv[e];
      }
    }
    j.input(t.p1, t.p2, t.receiver, t.sender, how, v, len, out);
  }
}

Rep4::TwoSummands Rep4::split_two_summands(const Share& x, int bits, Ring offset, int g_planes) {
  next_op();
  const int a = role(0), b = role(1), c = role(2), d = role(3);
  const std::size_t n = x.size();
  TwoSummands out;
  out.words = words_for(n);
  const std::size_t all = static_cast<std::size_t>(bits) * out.words;
  RingVec a_planes, b_planes;
  if (party_ == c || party_ == d) {
    a_planes.resize(all);
    to_planes_flat(comp(x, a).data(), comp(x, b).data(), n, bits, offset, a_planes.data());
  }
  if (party_ == a || party_ == b) {
    b_planes.resize(all);
    to_planes_flat(comp(x, c).data(), comp(x, d).data(), n, bits, Ring{0}, b_planes.data());
  }
  Bits sa(all), sb(all);
  Joint j1(*this, Check::kComparison);
  j1.input(c, d, b, c, Combine::kXor, a_planes, all, sa);
  j1.input(a, b, d, a, Combine::kXor, b_planes, all, sb);
  j1.run();
  out.g = Bits(static_cast<std::size_t>(g_planes) * out.words);
  Joint j2(*this, Check::kComparison);
  cross_products(j2, Combine::kXor, sa, sb, out.g.size(), out.g);
  j2.run();
  out.p = bit_xor(sa, sb);
  return out;
}

Rep4::Share Rep4::ltz(const Share& x) { return b2a(ltz_bits(x, fixed_.k), x.size()); }

// The carry out of positions [0, width - 1) (carry_tree.h, as rep3):
// [x < 0] = !(bit width-1 of x + 2^(width-1)).
Rep4::Bits Rep4::ltz_bits(const Share& x, int width) {
  const std::size_t m = static_cast<std::size_t>(width - 1);
  auto two = split_two_summands(x, width, Ring{1} << (width - 1), width - 1);
  const std::size_t words = two.words;
  const Bits carry = carry_out(two.g, two.p, m, words, plane_view(), and_view());
  Bits lt = Bits::uninitialized(words);
  for (int c = 0; c < 3; ++c) {
    const Ring* top = two.p.part[c].data() + m * words;
    for (std::size_t w = 0; w < words; ++w) lt.part[c][w] = top[w] ^ carry.part[c][w];
  }
  return bit_not(lt);
}

// Sklansky parallel prefix over the carry (G, P) pairs (carry_tree.h).
std::vector<Rep4::Bits> Rep4::bit_decompose(const Share& x, int bits) {
  if (bits < 1 || bits > 64) throw ShapeError("rep4 bit_decompose: " + std::to_string(bits) + " bits");
  auto two = split_two_summands(x, bits, 0, bits - 1);
  return sklansky_sum_bits(two.g, two.p, bits, two.words, plane_view(), and_view());
}

Rep4::Share Rep4::b2a(const Bits& b, std::size_t n) { return std::move(b2a_planes(std::span(&b, 1), n)[0]); }

// b = u ^ v = u + v - 2 u v with u = b_a ^ b_b (known to c, d) and v = b_c ^
// b_d (known to a, b) joint-input as 0/1 ring values, u v from their cross
// products: two rounds for every plane together.
std::vector<Rep4::Share> Rep4::b2a_planes(std::span<const Bits> planes, std::size_t n) {
  for (const auto& b : planes) {
    if (b.size() < words_for(n)) {
      throw ShapeError("rep4: a bit plane of " + std::to_string(b.size()) + " words holds fewer than " +
                       std::to_string(n) + " bits");
    }
  }
  next_op();
  const int a = role(0), b = role(1), c = role(2), d = role(3);
  const std::size_t count = planes.size(), all = count * n;
  // The bits of components (c1 ^ c2) of every plane, as 0/1 ring values.
  auto values_of = [&](int c1, int c2) {
    RingVec out(all);
    RingVec words(words_for(n));
    for (std::size_t j = 0; j < count; ++j) {
      for (std::size_t w = 0; w < words.size(); ++w)
        words[w] = comp(planes[j], c1)[w] ^ comp(planes[j], c2)[w];
      plane_to_ring(words.data(), n, out.data() + j * n);
    }
    return out;
  };
  RingVec u, v;
  if (party_ == c || party_ == d) u = values_of(a, b);
  if (party_ == a || party_ == b) v = values_of(c, d);
  Share su(all), sv(all);
  Joint j1(*this, Check::kComparison);
  j1.input(c, d, b, c, Combine::kAdd, u, all, su);
  j1.input(a, b, d, a, Combine::kAdd, v, all, sv);
  j1.run();
  Share uv(all);
  Joint j2(*this, Check::kComparison);
  cross_products(j2, Combine::kAdd, su, sv, all, uv);
  j2.run();
  Share whole = add(std::move(su), sv);
  for (int p = 0; p < 3; ++p)
    for (std::size_t e = 0; e < all; ++e) whole.part[p][e] -= 2 * uv.part[p][e];
  if (count == 1) return {std::move(whole)};
  std::vector<Share> out(count);
  for (std::size_t j = 0; j < count; ++j) out[j] = block_of(whole, j * n, n);
  return out;
}

}  // namespace sqt::mpc
