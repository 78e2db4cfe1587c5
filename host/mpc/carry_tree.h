// The carry circuits over bit-sliced boolean sharings that the replicated
// protocols (rep3, rep4) share: which planes to AND in each round and how
// the products combine, locally and per component. The protocol supplies
// its AND of plane lists (one round for all of them) and its plane view:
//   plane_of(bits, j, words) -> PlaneRef   (plane j of a flat sharing)
//   and_planes(left, right, words) -> Bits (left[q] & right[q], planes q)
// Bits is a ShareVec of 64-bit words, `words` per plane.
#pragma once

#include <algorithm>
#include <cstddef>
#include <utility>
#include <vector>

namespace sqt::mpc {

// Carry out of positions [0, m), from the generate planes g (A & B) and the
// propagate planes p (A ^ B) of positions [0, m): a log-depth tree of (G, P)
// combines of adjacent segments, one AND round per level; P is only computed
// where a later level needs it (not for the lowest segment, whose carry-in
// is 0, and not at the last level). Returns the carry plane.
template <class Bits, class PlaneOf, class AndPlanes>
Bits carry_out(const Bits& g0, const Bits& p0, std::size_t m, std::size_t words, PlaneOf&& plane_of,
               AndPlanes&& and_planes) {
  using Ref = decltype(plane_of(g0, std::size_t{0}, words));
  const Bits* g = &g0;
  const Bits* p = &p0;
  Bits g_level, p_level;
  std::vector<Ref> left, right;
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
    for (std::size_t c = 0; c < g_next.part.size(); ++c) {
      const auto* gc = g->part[c].data();
      const auto* pc = p->part[c].data();
      const auto* prod_c = prod.part[c].data();
      auto* gn = g_next.part[c].data();
      auto* pn = p_next.part[c].data();
      for (std::size_t i = 0; i < pairs; ++i) {  // G = G_hi ^ P_hi G_lo
        const auto* hi = gc + (2 * i + 1) * words;
        const auto* pr = prod_c + i * words;
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
  if (g == &g_level) return g_level;
  Bits carry = Bits::uninitialized(words);  // m == 1: the lowest generate is the carry
  for (std::size_t c = 0; c < carry.part.size(); ++c) std::copy_n(g0.part[c].data(), words, carry.part[c].data());
  return carry;
}

// The bits of A + B (mod 2^bits) from p = A ^ B (planes [0, bits)) and
// g = A & B (planes [0, bits - 1), turned into prefix generates in place):
// a Sklansky parallel prefix over the (G, P) pairs, ceil(log2(bits - 1))
// AND rounds, then sum bit j = p_j ^ carry into j.
template <class Bits, class PlaneOf, class AndPlanes>
std::vector<Bits> sklansky_sum_bits(Bits& g, const Bits& p_all, int bits, std::size_t words, PlaneOf&& plane_of,
                                    AndPlanes&& and_planes) {
  using Ref = decltype(plane_of(g, std::size_t{0}, words));
  const int m = bits - 1;
  // p: the prefix propagate (a copy: p_all's planes are the sum's own).
  Bits p;
  for (std::size_t c = 0; c < p.part.size(); ++c)
    p.part[c].assign(p_all.part[c].begin(), p_all.part[c].begin() + static_cast<std::ptrdiff_t>(m * words));
  std::vector<Ref> left, right;
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
      left.push_back(plane_of(p, static_cast<std::size_t>(j), words));
      right.push_back(plane_of(g, static_cast<std::size_t>(base), words));
    }
    for (int j : targets) {
      const int base = (j / (2 * span)) * (2 * span) + span - 1;
      if (j / (2 * span) != 0) {
        p_targets.push_back(j);
        left.push_back(plane_of(p, static_cast<std::size_t>(j), words));
        right.push_back(plane_of(p, static_cast<std::size_t>(base), words));
      }
    }
    if (left.empty()) continue;
    const Bits prod = and_planes(left, right, words);
    for (std::size_t c = 0; c < g.part.size(); ++c) {
      for (std::size_t q = 0; q < targets.size(); ++q) {
        auto* gt = g.part[c].data() + static_cast<std::size_t>(targets[q]) * words;
        const auto* pr = prod.part[c].data() + q * words;
        for (std::size_t w = 0; w < words; ++w) gt[w] ^= pr[w];
      }
      for (std::size_t q = 0; q < p_targets.size(); ++q) {
        std::copy_n(prod.part[c].data() + (targets.size() + q) * words, words,
                    p.part[c].data() + static_cast<std::size_t>(p_targets[q]) * words);
      }
    }
  }
  std::vector<Bits> out;
  for (int j = 0; j < bits; ++j) {
    Bits b = Bits::uninitialized(words);
    for (std::size_t c = 0; c < b.part.size(); ++c) {
      const auto* pj = p_all.part[c].data() + static_cast<std::size_t>(j) * words;
      const auto* carry = j > 0 ? g.part[c].data() + static_cast<std::size_t>(j - 1) * words : nullptr;
      for (std::size_t w = 0; w < words; ++w) b.part[c][w] = carry != nullptr ? pj[w] ^ carry[w] : pj[w];
    }
    out.push_back(std::move(b));
  }
  return out;
}

}  // namespace sqt::mpc
