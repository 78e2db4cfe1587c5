// Carries without full sums: carry-save compression of several shared
// 64-bit operands (one AND per bit and operand triple) and the carries into
// a few bit positions of a two-operand sum from aligned blocks (about 2
// ANDs per bit). Probabilistic truncation and ltz need only those carries,
// not every sum bit (the adder tree of shamir_edabits.cc).
#include <algorithm>
#include <map>
#include <string>

#include "host/mpc/shamir/shamir.h"

namespace sqt::mpc {
namespace {

using Bits = Shamir::Bits;
using Planes = std::vector<Bits>;

std::size_t words_for(std::size_t n) { return (n + 63) / 64; }

Bits concat(const std::vector<const Bits*>& parts) {
  std::size_t total = 0;
  for (const auto* p : parts) total += p->size();
  auto out = Bits::uninitialized(total);
  std::size_t at = 0;
  for (const auto* p : parts) {
    for (int j = 0; j < 4; ++j) std::copy(p->part[j].begin(), p->part[j].end(), out.part[j].begin() + at);
    at += p->size();
  }
  return out;
}

Bits slice(const Bits& b, std::size_t at, std::size_t w) { return block_of(b, at, w); }

Bits and_public(Bits b, const RingVec& mask) {
  for (auto& p : b.part)
    for (std::size_t k = 0; k < p.size(); ++k) p[k] &= mask[k];
  return b;
}

Bits xor_public(Bits b, const RingVec& v) {
  for (std::size_t k = 0; k < v.size(); ++k) b.part[0][k] ^= v[k];
  return b;
}

RingVec public_plane(std::span<const Ring> c, int j, std::size_t w) {
  RingVec out(w, 0);
  for (std::size_t e = 0; e < c.size(); ++e) out[e / 64] |= (c[e] >> j & 1) << (e % 64);
  return out;
}

}  // namespace

// Carry into bit q of a + b (q in positions, 1..64) for g = a b, p = a ^ b:
// the (G, P) of aligned blocks of 1, 2, ..., 64 bits, one AND round per
// level. [0, q) is q's aligned blocks; they are folded in from the right
// (the smallest, highest block first), each as soon as its level exists,
// in the same AND round as the next level: the carries are ready with the
// largest block's level (6 rounds at q = 63, not 6 + 5).
std::vector<Shamir::Bits> Shamir::carries_into(const Planes& g, const Planes& p,
                                               std::span<const int> positions, std::size_t words) {
  struct Fold {
    std::vector<std::pair<int, std::size_t>> blocks;  // (level, index), smallest first
    std::size_t next = 0;                             // blocks folded so far
    Bits G, P;                                        // of the folded suffix of [0, q)
  };
  std::vector<Fold> fold(positions.size());
  int top = 0;
  for (std::size_t i = 0; i < positions.size(); ++i) {
    int at = 0;
    for (int level = 6; level >= 0; --level)
      if (positions[i] >> level & 1) {
        fold[i].blocks.emplace_back(level, static_cast<std::size_t>(at >> level));
        at += 1 << level;
      }
    std::reverse(fold[i].blocks.begin(), fold[i].blocks.end());
    top = std::max(top, fold[i].blocks.back().first);
  }
  // level[L][k]: block [k 2^L, (k + 1) 2^L)
  std::vector<Planes> gl = {g}, pl = {p};
  for (int built = 0;; ++built) {  // levels 0..built exist
    // A block exists: start or fold it into the suffix (suffix above it).
    for (auto& f : fold)
      if (f.next == 0 && f.blocks[0].first <= built) {
        const auto [level, index] = f.blocks[0];
        f.G = gl[static_cast<std::size_t>(level)][index];
        f.P = pl[static_cast<std::size_t>(level)][index];
        f.next = 1;
      }
    std::vector<const Bits*> lhs, rhs;
    std::vector<std::size_t> who, at;  // folds in this round, their first product
    for (std::size_t i = 0; i < fold.size(); ++i) {
      auto& f = fold[i];
      if (f.next == 0 || f.next >= f.blocks.size() || f.blocks[f.next].first > built) continue;
      const auto [level, index] = f.blocks[f.next];
      at.push_back(lhs.size());
      lhs.push_back(&f.P);
      rhs.push_back(&gl[static_cast<std::size_t>(level)][index]);
      if (f.next + 1 < f.blocks.size()) {  // P only while a later block reads it
        lhs.push_back(&f.P);
        rhs.push_back(&pl[static_cast<std::size_t>(level)][index]);
      }
      who.push_back(i);
    }
    const bool grow = built < top;
    const std::size_t blocks = grow ? gl.back().size() / 2 : 0;
    if (grow) {
      const Planes& G = gl.back();
      const Planes& P = pl.back();
      for (std::size_t k = 0; k < blocks; ++k) {
        lhs.push_back(&P[2 * k + 1]);
        rhs.push_back(&G[2 * k]);
        lhs.push_back(&P[2 * k + 1]);
        rhs.push_back(&P[2 * k]);
      }
    }
    if (lhs.empty()) break;
    const Bits prod = bit_and(concat(lhs), concat(rhs));
    for (std::size_t q = 0; q < who.size(); ++q) {
      auto& f = fold[who[q]];
      f.G = bit_xor(f.G, slice(prod, at[q] * words, words));  // G_hi ^ P_hi G_lo
      if (f.next + 1 < f.blocks.size()) f.P = slice(prod, (at[q] + 1) * words, words);
      ++f.next;
    }
    if (grow) {
      const Planes& G = gl.back();
      const std::size_t base = lhs.size() - 2 * blocks;
      Planes ng, np;
      for (std::size_t k = 0; k < blocks; ++k) {
        ng.push_back(bit_xor(G[2 * k + 1], slice(prod, (base + 2 * k) * words, words)));
        np.push_back(slice(prod, (base + 2 * k + 1) * words, words));
      }
      gl.push_back(std::move(ng));
      pl.push_back(std::move(np));
    }
  }
  std::vector<Bits> out;
  for (const auto& f : fold) out.push_back(f.G);
  return out;
}

// Carry-save steps until two operands remain: a + b + c = s + 2 cy with
// s = a ^ b ^ c, cy = maj(a, b, c) = ((a ^ c)(b ^ c)) ^ c; the bit cy_63
// (2^64) leaves the ring and is reported with cy_(b-1) (2^b) in `spill`.
// All triples of a step share one AND round.
Shamir::Planes2 Shamir::compress(std::vector<Planes> ops, std::size_t words, std::vector<Planes>* spill) {
  while (ops.size() > 2) {
    const std::size_t triples = ops.size() / 3;
    std::vector<const Bits*> lhs, rhs;
    std::vector<Planes> ac(triples), bc(triples);
    for (std::size_t q = 0; q < triples; ++q) {
      const Planes &a = ops[3 * q], &b = ops[3 * q + 1], &c = ops[3 * q + 2];
      for (int j = 0; j < 64; ++j) {
        ac[q].push_back(bit_xor(a[static_cast<std::size_t>(j)], c[static_cast<std::size_t>(j)]));
        bc[q].push_back(bit_xor(b[static_cast<std::size_t>(j)], c[static_cast<std::size_t>(j)]));
      }
      for (int j = 0; j < 64; ++j) {
        lhs.push_back(&ac[q][static_cast<std::size_t>(j)]);
        rhs.push_back(&bc[q][static_cast<std::size_t>(j)]);
      }
    }
    const Bits prod = bit_and(concat(lhs), concat(rhs));
    std::vector<Planes> next;
    for (std::size_t q = 0; q < triples; ++q) {
      const Planes& c = ops[3 * q + 2];
      Planes s, cy, shifted;
      for (int j = 0; j < 64; ++j) {
        const auto sj = static_cast<std::size_t>(j);
        s.push_back(bit_xor(ac[q][sj], ops[3 * q + 1][sj]));
        cy.push_back(bit_xor(slice(prod, (q * 64 + sj) * words, words), c[sj]));
      }
      shifted.push_back(Bits(words));
      for (int j = 0; j < 63; ++j) shifted.push_back(cy[static_cast<std::size_t>(j)]);
      if (spill != nullptr) spill->push_back(cy);
      next.push_back(std::move(s));
      next.push_back(std::move(shifted));
    }
    for (std::size_t q = 3 * triples; q < ops.size(); ++q) next.push_back(std::move(ops[q]));
    ops = std::move(next);
  }
  return {std::move(ops[0]), std::move(ops[1])};
}

// [R], [R >> b_e] and [R_63] without R's bit planes: the dealt operands
// are compressed to two, whose sum's carries into b_e and out of bit 63 are
// computed; every compression and the final addition contribute their bits
// at b and 64 to R >> b (as the adders of masked() do).
Shamir::Masked Shamir::masked_carries(const MaskDraw& draw, std::size_t at, std::size_t n,
                                      std::span<const int> shifts, Carries carries) {
  const std::size_t w = words_for(n);
  const bool at_b = carries == Carries::kAll;
  Dealt d = deal_masks(draw, at, n, shifts);
  std::vector<Planes> spill;
  auto [a, b] = compress(std::move(d.operands), w, &spill);
  // Per lane: bit b_e - 1 of each spilled carry vector / the carry into b_e.
  std::map<int, RingVec> select;
  for (std::size_t e = 0; e < n; ++e) {
    auto& m = select[shifts[e]];
    if (m.empty()) m.assign(w, 0);
    m[e / 64] |= Ring{1} << (e % 64);
  }
  auto pick = [&](auto&& plane_of_shift) {
    Bits out(w);
    for (const auto& [s, mask] : select) {
      const Bits masked_plane = and_public(plane_of_shift(s), mask);
      out = bit_xor(out, masked_plane);
    }
    return out;
  };
  // The spilled bits worth 2^b (kind 0) and 2^64 (kind 1). Three of a kind
  // add up to s + 2 m, s = x ^ y ^ z, m = maj = ((x ^ z)(y ^ z)) ^ z: one
  // AND, in the round of the last two operands' generate bits, saves a b2a.
  std::vector<Bits> spilled[2];
  for (const auto& cy : spill) {
    if (at_b) spilled[0].push_back(pick([&](int s) { return cy[static_cast<std::size_t>(s - 1)]; }));
    spilled[1].push_back(cy[63]);
  }
  std::vector<Bits> xz, yz;
  for (const auto& kind : spilled)
    for (std::size_t q = 0; q + 3 <= kind.size(); q += 3) {
      xz.push_back(bit_xor(kind[q], kind[q + 2]));
      yz.push_back(bit_xor(kind[q + 1], kind[q + 2]));
    }
  std::vector<const Bits*> la, lb;
  for (int j = 0; j < 64; ++j) {
    la.push_back(&a[static_cast<std::size_t>(j)]);
    lb.push_back(&b[static_cast<std::size_t>(j)]);
  }
  for (std::size_t i = 0; i < xz.size(); ++i) {
    la.push_back(&xz[i]);
    lb.push_back(&yz[i]);
  }
  const Bits gp = bit_and(concat(la), concat(lb));
  Planes g, p;
  for (int j = 0; j < 64; ++j) {
    g.push_back(slice(gp, static_cast<std::size_t>(j) * w, w));
    p.push_back(bit_xor(a[static_cast<std::size_t>(j)], b[static_cast<std::size_t>(j)]));
  }
  // Per kind: (bit, weight) after the triples are counted.
  std::vector<Bits> bits[2];
  std::vector<Ring> weight[2];
  std::size_t tri = 0;
  for (int k = 0; k < 2; ++k) {
    const auto& kind = spilled[k];
    std::size_t q = 0;
    for (; q + 3 <= kind.size(); q += 3, ++tri) {
      bits[k].push_back(bit_xor(xz[tri], kind[q + 1]));
      weight[k].push_back(1);
      bits[k].push_back(bit_xor(slice(gp, (64 + tri) * w, w), kind[q + 2]));
      weight[k].push_back(2);
    }
    for (; q < kind.size(); ++q) {
      bits[k].push_back(kind[q]);
      weight[k].push_back(1);
    }
  }
  std::vector<int> positions = {63, 64};
  if (at_b)
    for (const int s : shifts)
      if (std::find(positions.begin(), positions.end(), s) == positions.end()) positions.push_back(s);
  const auto carry = carries_into(g, p, positions, w);
  auto carry_at = [&](int q) -> const Bits& {
    return carry[static_cast<std::size_t>(std::find(positions.begin(), positions.end(), q) -
                                          positions.begin())];
  };
  if (at_b) {
    bits[0].push_back(pick([&](int s) { return carry_at(s); }));
    weight[0].push_back(1);
  }
  bits[1].push_back(carry_at(64));
  weight[1].push_back(1);
  const Bits r63 = bit_xor(p[63], carry_at(63));
  std::vector<const Bits*> all;
  for (const auto& kind : bits)
    for (const auto& x : kind) all.push_back(&x);
  all.push_back(&r63);
  const Share arith = b2a(concat(all), all.size() * 64 * w);
  Masked m;
  m.r = std::move(d.r);
  m.shifted = std::move(d.hi);
  m.top = Share(n);
  const std::size_t stride = 64 * w, lows = bits[0].size(), highs = bits[1].size();
  for (int j = 0; j < 4; ++j)
    for (std::size_t e = 0; e < n; ++e) {
      Ring v = m.shifted.part[j][e], up = 0;
      for (std::size_t k = 0; k < lows; ++k) v += weight[0][k] * arith.part[j][k * stride + e];
      for (std::size_t k = 0; k < highs; ++k) up += weight[1][k] * arith.part[j][(lows + k) * stride + e];
      m.shifted.part[j][e] = v - (up << (64 - shifts[e]));
      m.top.part[j][e] = arith.part[j][(lows + highs) * stride + e];
    }
  return m;
}

// [x < 0] = bit 63 of x = c - R = (c + t + 1) + sum_i !r_i for the opened
// c = x + R: the public operand joins the first compression (its majority
// with shared a, b is a b ^ pub (a ^ b), one AND), then bit 63 of the last
// two operands' sum.
Shamir::Share Shamir::ltz_chunk(const Share& x, const MaskDraw& draw, std::size_t at) {
  const std::size_t n = x.size(), w = words_for(n);
  Dealt d = deal_masks(draw, at, n, {});
  const auto c = reveal(add(x, d.r));
  std::vector<Ring> pub(n);
  for (std::size_t e = 0; e < n; ++e) pub[e] = c[e] + static_cast<Ring>(t_ + 1);
  std::vector<Planes> ops;
  for (auto& op : d.operands) {
    for (auto& plane : op) plane = bit_not(plane);
    ops.push_back(std::move(op));
  }
  // The public operand with the first two shared ones.
  {
    const Planes &a = ops[0], &b = ops[1];
    std::vector<const Bits*> la, lb;
    for (int j = 0; j < 64; ++j) {
      la.push_back(&a[static_cast<std::size_t>(j)]);
      lb.push_back(&b[static_cast<std::size_t>(j)]);
    }
    const Bits ab = bit_and(concat(la), concat(lb));
    Planes s, shifted;
    shifted.push_back(Bits(w));
    for (int j = 0; j < 64; ++j) {
      const auto sj = static_cast<std::size_t>(j);
      const RingVec cj = public_plane(pub, j, w);
      const Bits axb = bit_xor(a[sj], b[sj]);
      s.push_back(xor_public(axb, cj));
      if (j < 63) shifted.push_back(bit_xor(slice(ab, sj * w, w), and_public(axb, cj)));
    }
    std::vector<Planes> rest = {std::move(s), std::move(shifted)};
    for (std::size_t q = 2; q < ops.size(); ++q) rest.push_back(std::move(ops[q]));
    ops = std::move(rest);
  }
  auto [a, b] = compress(std::move(ops), w, nullptr);
  std::vector<const Bits*> la, lb;
  for (int j = 0; j < 63; ++j) {
    la.push_back(&a[static_cast<std::size_t>(j)]);
    lb.push_back(&b[static_cast<std::size_t>(j)]);
  }
  const Bits gp = bit_and(concat(la), concat(lb));
  Planes g, p;
  for (int j = 0; j < 64; ++j) {
    g.push_back(j < 63 ? slice(gp, static_cast<std::size_t>(j) * w, w) : Bits(w));
    p.push_back(bit_xor(a[static_cast<std::size_t>(j)], b[static_cast<std::size_t>(j)]));
  }
  const int at63[1] = {63};
  const auto carry = carries_into(g, p, at63, w);
  return b2a(bit_xor(p[63], carry[0]), n);
}

}  // namespace sqt::mpc
