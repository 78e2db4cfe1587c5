// Shamir's masks for opening: a uniform R in Z_2^64 shared arithmetically
// and as 64 GF(16) bit planes (an edaBit), plus, for truncation, [R >> b]
// and [bit 63 of R].
//
// t + 1 dealers each draw a random r_i; [sum r_i] and [sum r_i >> b] come
// from one king round (dealers add theirs to the senders' words), the bits
// of each r_i are dealt in GF(16). R = sum r_i is uniform (one dealer is
// honest); its bits come from t two-operand adders (a tree, Kogge-Stone carries)
// on the dealt bit vectors. Each adder's carry into bit b and out of bit 63
// are its only contributions to R >> b:
//   R >> b = sum_i (r_i >> b) + sum_adders carry_b - 2^(64-b) sum_adders carry_64,
// so truncation converts 2t + 1 bits to GR (b2a), not 64.
#include <algorithm>
#include <string>

#include "host/core/error.h"
#include "host/mpc/shamir/shamir.h"

namespace sqt::mpc {
namespace {

std::size_t words_for(std::size_t n) { return (n + 63) / 64; }

using Bits = Shamir::Bits;

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

}  // namespace

// a + b on shared 64-plane numbers (each plane `words` words): sum planes
// and carry[j] = carry into bit j (j = 0..64, carry[0] = 0). Generate and
// propagate per bit (one AND round), then Kogge-Stone prefixes (6 rounds).
Shamir::Sum Shamir::add_planes(const std::vector<Bits>& a, const std::vector<Bits>& b, std::size_t words) {
  constexpr int kW = 64;
  std::vector<Bits> p(kW), g(kW);
  {
    std::vector<const Bits*> lhs, rhs;
    for (int j = 0; j < kW; ++j) {
      lhs.push_back(&a[static_cast<std::size_t>(j)]);
      rhs.push_back(&b[static_cast<std::size_t>(j)]);
    }
    const Bits prod = bit_and(concat(lhs), concat(rhs));
    for (int j = 0; j < kW; ++j) {
      g[static_cast<std::size_t>(j)] = slice(prod, static_cast<std::size_t>(j) * words, words);
      p[static_cast<std::size_t>(j)] =
          bit_xor(a[static_cast<std::size_t>(j)], b[static_cast<std::size_t>(j)]);
    }
  }
  std::vector<Bits> big_g = g, big_p = p;
  for (int d = 1; d < kW; d *= 2) {
    std::vector<const Bits*> lhs, rhs;
    for (int j = d; j < kW; ++j) {
      lhs.push_back(&big_p[static_cast<std::size_t>(j)]);
      rhs.push_back(&big_g[static_cast<std::size_t>(j - d)]);
    }
    // P is needed only while a later level reads it.
    const bool need_p = 2 * d < kW;
    if (need_p)
      for (int j = d; j < kW; ++j) {
        lhs.push_back(&big_p[static_cast<std::size_t>(j)]);
        rhs.push_back(&big_p[static_cast<std::size_t>(j - d)]);
      }
    const Bits prod = bit_and(concat(lhs), concat(rhs));
    const std::size_t cnt = static_cast<std::size_t>(kW - d);
    for (int j = kW - 1; j >= d; --j) {
      const std::size_t q = static_cast<std::size_t>(j - d);
      big_g[static_cast<std::size_t>(j)] =
          bit_xor(big_g[static_cast<std::size_t>(j)], slice(prod, q * words, words));
      if (need_p) big_p[static_cast<std::size_t>(j)] = slice(prod, (cnt + q) * words, words);
    }
  }
  Sum s;
  s.carry.push_back(Bits(words));
  for (int j = 0; j < kW; ++j) s.carry.push_back(big_g[static_cast<std::size_t>(j)]);
  for (int j = 0; j < kW; ++j)
    s.sum.push_back(j == 0 ? p[0]
                           : bit_xor(p[static_cast<std::size_t>(j)], s.carry[static_cast<std::size_t>(j)]));
  return s;
}

Shamir::MaskDraw Shamir::draw_masks(std::size_t n) {
  MaskDraw d;
  d.dealers = next_dealers();
  d.dealer = std::find(d.dealers.begin(), d.dealers.end(), party_) != d.dealers.end();
  d.ctr = own_ctr_;
  if (d.dealer) own_ctr_ += n / 2 + 2;
  return d;
}

Shamir::Dealt Shamir::deal_masks(const MaskDraw& draw, std::size_t at, std::size_t n,
                                 std::span<const int> shifts) {
  if (at % 2 != 0) throw ShapeError("shamir masks: a chunk starts at the odd element " + std::to_string(at));
  const std::size_t w = words_for(n);
  const bool shifted = !shifts.empty();
  const auto& dealers = draw.dealers;
  // Dealt values: r_i and r_i >> b (summed into GR by one king round, as a
  // product's degree reduction sums its senders' words), bits of r_i.
  RingVec mine, mine_arith(shifted ? 2 * n : n, 0), mine_planes;
  if (draw.dealer) {
    mine.resize(n);
    backend_.prg_fill(own_, draw.ctr + at / 2, mine);
    std::copy(mine.begin(), mine.end(), mine_arith.begin());
    if (shifted)
      for (std::size_t e = 0; e < n; ++e) mine_arith[n + e] = mine[e] >> shifts[e];
    mine_planes.assign(64 * w, 0);
    for (int j = 0; j < 64; ++j)
      for (std::size_t e = 0; e < n; ++e)
        mine_planes[static_cast<std::size_t>(j) * w + e / 64] |= (mine[e] >> j & 1) << (e % 64);
  }
  const Share sums = reduce(std::move(mine_arith));
  const auto bits = deal_from(dealers, mine_planes, 64 * w, true);
  Dealt d;
  d.r = block_of(sums, 0, n);
  d.hi = shifted ? block_of(sums, n, n) : Share(0);
  for (const auto& b : bits) {
    std::vector<Bits> planes;
    for (int j = 0; j < 64; ++j) planes.push_back(slice(b, static_cast<std::size_t>(j) * w, w));
    d.operands.push_back(std::move(planes));
  }
  return d;
}

Shamir::Masked Shamir::masked(const MaskDraw& draw, std::size_t at, std::size_t n,
                              std::span<const int> shifts) {
  const std::size_t w = words_for(n);
  const bool shifted = !shifts.empty();
  Dealt d = deal_masks(draw, at, n, shifts);
  Masked m;
  m.r = std::move(d.r);
  Share hi = std::move(d.hi);
  std::vector<std::vector<Bits>> level = std::move(d.operands);
  // The adder tree: each level adds pairs side by side (words concatenated).
  std::vector<Bits> carries;  // per adder: carry into b_e (selected per lane), carry out
  std::vector<RingVec> select;
  if (shifted) {
    select.assign(65, RingVec(w, 0));
    for (std::size_t e = 0; e < n; ++e)
      select[static_cast<std::size_t>(shifts[e])][e / 64] |= Ring{1} << (e % 64);
  }
  while (level.size() > 1) {
    const std::size_t pairs = level.size() / 2;
    std::vector<Bits> a(64), b(64);
    for (int j = 0; j < 64; ++j) {
      std::vector<const Bits*> la, lb;
      for (std::size_t q = 0; q < pairs; ++q) {
        la.push_back(&level[q][static_cast<std::size_t>(j)]);
        lb.push_back(&level[pairs + q][static_cast<std::size_t>(j)]);
      }
      a[static_cast<std::size_t>(j)] = concat(la);
      b[static_cast<std::size_t>(j)] = concat(lb);
    }
    const Sum s = add_planes(a, b, pairs * w);
    std::vector<std::vector<Bits>> next;
    for (std::size_t q = 0; q < pairs; ++q) {
      std::vector<Bits> planes;
      for (int j = 0; j < 64; ++j) planes.push_back(slice(s.sum[static_cast<std::size_t>(j)], q * w, w));
      next.push_back(std::move(planes));
      if (shifted) {
        Bits at_b(w);
        for (int bit = 1; bit <= 62; ++bit) {
          const RingVec& mask = select[static_cast<std::size_t>(bit)];
          const Bits c = slice(s.carry[static_cast<std::size_t>(bit)], q * w, w);
          for (int j = 0; j < 4; ++j)
            for (std::size_t k = 0; k < w; ++k) at_b.part[j][k] ^= c.part[j][k] & mask[k];
        }
        carries.push_back(std::move(at_b));
        carries.push_back(slice(s.carry[64], q * w, w));
      }
    }
    if (level.size() % 2 == 1) next.push_back(std::move(level.back()));
    level = std::move(next);
  }
  m.planes = std::move(level[0]);
  if (shifted) {
    // One b2a for every carry and bit 63: [R >> b] and [R_63] in GR.
    std::vector<const Bits*> all;
    for (const auto& c : carries) all.push_back(&c);
    all.push_back(&m.planes[63]);
    const std::size_t count = all.size();
    const Share arith_bits = b2a(concat(all), count * 64 * w);
    m.top = Share(n);
    for (int j = 0; j < 4; ++j)
      for (std::size_t e = 0; e < n; ++e) {
        Ring v = hi.part[j][e];
        for (std::size_t c = 0; c + 1 < count; c += 2) {
          v += arith_bits.part[j][c * 64 * w + e];
          v -= arith_bits.part[j][(c + 1) * 64 * w + e] << (64 - shifts[e]);
        }
        hi.part[j][e] = v;
        m.top.part[j][e] = arith_bits.part[j][(count - 1) * 64 * w + e];
      }
    m.shifted = std::move(hi);
  }
  return m;
}

}  // namespace sqt::mpc
