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

// Carry out of positions [0, m), m = width - 1: a log-depth tree of (G, P)
// combines of adjacent segments, one AND round per level; P only where a
// later level needs it. [x < 0] = !(bit width-1 of x + 2^(width-1)).
Rep4::Bits Rep4::ltz_bits(const Share& x, int width) {
  const std::size_t m = static_cast<std::size_t>(width - 1);
  auto two = split_two_summands(x, width, Ring{1} << (width - 1), width - 1);
  const std::size_t words = two.words;
  const Bits* g = &two.g;
  const Bits* p = &two.p;
  Bits g_level, p_level;
  std::vector<PlaneRef> left, right;
  std::vector<std::size_t> need_p;
  for (std::size_t segs = m; segs > 1;) {
    const bool last_level = segs == 2;
    const std::size_t pairs = segs / 2, next = pairs + segs % 2;
    left.clear();
    right.clear();
    need_p.clear();
    for (std::size_t i = 0; i < pairs; ++i) {
      left.push_back(plane_of(*p, 2 * i + 1, words));
      right.push_back(plane_of(*g, 2 * i, words));
    }
    for (std::size_t i = 1; i < pairs && !last_level; ++i) {
      need_p.push_back(i);
      left.push_back(plane_of(*p, 2 * i + 1, words));
      right.push_back(plane_of(*p, 2 * i, words));
    }
    const Bits prod = and_planes(left, right, words);
    Bits g_next = Bits::uninitialized(next * words), p_next = Bits::uninitialized(next * words);
    for (int c = 0; c < 3; ++c) {
      const Ring* gc = g->part[c].data();
      const Ring* pc = p->part[c].data();
      const Ring* prod_c = prod.part[c].data();
      Ring* gn = g_next.part[c].data();
      Ring* pn = p_next.part[c].data();
      for (std::size_t i = 0; i < pairs; ++i) {  // G = G_hi ^ P_hi G_lo
        const Ring* hi = gc + (2 * i + 1) * words;
        const Ring* pr = prod_c + i * words;
        for (std::size_t w = 0; w < words; ++w) gn[i * words + w] = hi[w] ^ pr[w];
      }
      for (std::size_t q = 0; q < need_p.size(); ++q)  // P = P_hi P_lo
        std::copy_n(prod_c + (pairs + q) * words, words, pn + need_p[q] * words);
      if (next != pairs) {  // the unpaired top segment moves up unchanged
        std::copy_n(gc + (segs - 1) * words, words, gn + pairs * words);
        std::copy_n(pc + (segs - 1) * words, words, pn + pairs * words);
      }
    }
    g_level = std::move(g_next);
    p_level = std::move(p_next);
    g = &g_level;
    p = &p_level;
    segs = next;
  }
  Bits lt = Bits::uninitialized(words);
  for (int c = 0; c < 3; ++c) {
    const Ring* top = two.p.part[c].data() + m * words;
    const Ring* carry = g->part[c].data();
    for (std::size_t w = 0; w < words; ++w) lt.part[c][w] = top[w] ^ carry[w];
  }
  return bit_not(lt);
}

// Sklansky parallel prefix over the carry (G, P) pairs, then sum bit j =
// p_j ^ carry into j.
std::vector<Rep4::Bits> Rep4::bit_decompose(const Share& x, int bits) {
  if (bits < 1 || bits > 64) throw ShapeError("rep4 bit_decompose: " + std::to_string(bits) + " bits");
  auto two = split_two_summands(x, bits, 0, bits - 1);
  const std::size_t words = two.words;
  const int m = bits - 1;
  Bits& g = two.g;
  Bits p;
  for (int c = 0; c < 3; ++c)
    p.part[c].assign(two.p.part[c].begin(), two.p.part[c].begin() + static_cast<std::ptrdiff_t>(m * words));
  std::vector<PlaneRef> left, right;
  std::vector<int> targets, p_targets;
  for (int span = 1; span < m; span *= 2) {
    left.clear();
    right.clear();
    targets.clear();
    p_targets.clear();
    for (int j = 0; j < m; ++j) {
      if ((j & span) == 0) continue;
      const int base = (j / (2 * span)) * (2 * span) + span - 1;
      targets.push_back(j);
      left.push_back(plane_of(p, j, words));
      right.push_back(plane_of(g, base, words));
    }
    for (int j : targets) {
      const int base = (j / (2 * span)) * (2 * span) + span - 1;
      if (j / (2 * span) != 0) {
        p_targets.push_back(j);
        left.push_back(plane_of(p, j, words));
        right.push_back(plane_of(p, base, words));
      }
    }
    if (left.empty()) continue;
    const Bits prod = and_planes(left, right, words);
    for (int c = 0; c < 3; ++c) {
      for (std::size_t q = 0; q < targets.size(); ++q) {
        Ring* gt = g.part[c].data() + targets[q] * words;
        const Ring* pr = prod.part[c].data() + q * words;
        for (std::size_t w = 0; w < words; ++w) gt[w] ^= pr[w];
      }
      for (std::size_t q = 0; q < p_targets.size(); ++q) {
        std::copy_n(prod.part[c].data() + (targets.size() + q) * words, words,
                    p.part[c].data() + p_targets[q] * words);
      }
    }
  }
  std::vector<Bits> out;
  for (int j = 0; j < bits; ++j) {
    Bits b = Bits::uninitialized(words);
    for (int c = 0; c < 3; ++c) {
      const Ring* pj = two.p.part[c].data() + j * words;
      const Ring* carry = j > 0 ? g.part[c].data() + (j - 1) * words : nullptr;
      for (std::size_t w = 0; w < words; ++w) b.part[c][w] = carry != nullptr ? pj[w] ^ carry[w] : pj[w];
    }
    out.push_back(std::move(b));
  }
  return out;
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
