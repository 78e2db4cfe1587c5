// Shamir's binary domain (GF(16) sharings of bits, bit-sliced) and what
// crosses domains: AND, opening, the comparison and addition circuits on a
// public value against a random R's shared bits, ltz, bit decomposition,
// b2a and truncation.
#include <algorithm>
#include <string>

#include "host/core/error.h"
#include "host/mpc/shamir/shamir.h"

namespace sqt::mpc {
namespace {

using shamir::Gf16;

std::size_t words_for(std::size_t n) { return (n + 63) / 64; }

// out = c * a for a GF(16) constant c, on bit-sliced planes: output bit j is
// the XOR of the input bits l with bit j of c X^l set.
Shamir::Bits gf16_scale(Gf16 c, const Shamir::Bits& a) {
  const std::size_t w = a.size();
  Shamir::Bits out(w);
  for (int l = 0; l < 4; ++l) {
    const Gf16 col = shamir::gf16_mul(c, static_cast<Gf16>(1u << l));
    for (int j = 0; j < 4; ++j)
      if (col >> j & 1)
        for (std::size_t k = 0; k < w; ++k) out.part[j][k] ^= a.part[l][k];
  }
  return out;
}

// Coefficient 0 of c * a (GF(16)), the word each opener contributes.
RingVec gf16_coef0(Gf16 c, const Shamir::Bits& a) {
  RingVec out(a.size(), 0);
  for (int l = 0; l < 4; ++l)
    if (shamir::gf16_mul(c, static_cast<Gf16>(1u << l)) & 1)
      for (std::size_t k = 0; k < out.size(); ++k) out[k] ^= a.part[l][k];
  return out;
}

Shamir::Bits concat(const std::vector<const Shamir::Bits*>& parts) {
  std::size_t total = 0;
  for (const auto* p : parts) total += p->size();
  auto out = Shamir::Bits::uninitialized(total);
  std::size_t at = 0;
  for (const auto* p : parts) {
    for (int j = 0; j < 4; ++j) std::copy(p->part[j].begin(), p->part[j].end(), out.part[j].begin() + at);
    at += p->size();
  }
  return out;
}

Shamir::Bits slice(const Shamir::Bits& b, std::size_t at, std::size_t w) { return block_of(b, at, w); }

// The public bit j of every c[e], packed.
RingVec public_plane(std::span<const Ring> c, int j) {
  RingVec out(words_for(c.size()), 0);
  for (std::size_t e = 0; e < c.size(); ++e) out[e / 64] |= (c[e] >> j & 1) << (e % 64);
  return out;
}

// Lanes where `mask` is 0 become sharings of 0 (a public 0/1 factor).
Shamir::Bits and_public(Shamir::Bits b, const RingVec& mask) {
  for (auto& p : b.part)
    for (std::size_t k = 0; k < p.size(); ++k) p[k] &= mask[k];
  return b;
}

Shamir::Bits xor_public(Shamir::Bits b, const RingVec& v) {
  for (std::size_t k = 0; k < v.size(); ++k) b.part[0][k] ^= v[k];
  return b;
}

}  // namespace

Shamir::Bits Shamir::low_bits(const Share& x, std::size_t from, std::size_t n) {
  Bits out(words_for(n));
  for (int j = 0; j < 4; ++j)
    for (std::size_t e = 0; e < n; ++e) out.part[j][e / 64] |= (x.part[j][from + e] & 1) << (e % 64);
  return out;
}

Shamir::Bits Shamir::bit_xor(const Bits& a, const Bits& b) const {
  if (a.size() != b.size())
    throw ShapeError("shamir bit_xor: " + std::to_string(a.size()) + " vs " + std::to_string(b.size()) +
                     " words");
  Bits out = a;
  for (int j = 0; j < 4; ++j)
    for (std::size_t k = 0; k < a.size(); ++k) out.part[j][k] ^= b.part[j][k];
  return out;
}

Shamir::Bits Shamir::bit_not(const Bits& a) const {
  Bits out = a;
  for (auto& w : out.part[0]) w = ~w;  // + the constant 1 in every lane
  return out;
}

Shamir::Bits Shamir::reduce_bits(RingVec u) {
  Double d = take_double_bits(u.size());
  if (sender())
    for (std::size_t k = 0; k < u.size(); ++k) u[k] ^= d.additive[k];
  const auto v = king_open(u, true);
  Bits out = std::move(d.r);
  for (std::size_t k = 0; k < v.size(); ++k) out.part[0][k] ^= v[k];
  return out;
}

// The GF(16) analogue of mul: senders contribute coefficient 0 of
// lambda_i a_i b_i = a'0 b0 + a'1 b3 + a'2 b2 + a'3 b1 (a' = lambda_i a).
Shamir::Bits Shamir::bit_and(const Bits& a, const Bits& b) {
  if (a.size() != b.size())
    throw ShapeError("shamir bit_and: " + std::to_string(a.size()) + " vs " + std::to_string(b.size()) +
                     " words");
  RingVec u(a.size(), 0);
  if (sender()) {
    const Bits la = gf16_scale(shamir::mod2(lambda_mul_[static_cast<std::size_t>(party_)]), a);
    for (std::size_t k = 0; k < u.size(); ++k)
      u[k] = (la.part[0][k] & b.part[0][k]) ^ (la.part[1][k] & b.part[3][k]) ^
             (la.part[2][k] & b.part[2][k]) ^ (la.part[3][k] & b.part[1][k]);
  }
  return reduce_bits(std::move(u));
}

std::vector<std::uint64_t> Shamir::reveal_bits(const Bits& b) {
  const std::size_t w = b.size();
  std::vector<std::uint64_t> out(w, 0);
  if (w == 0) return out;
  if (party_ <= t_) {
    const RingVec mine = gf16_coef0(shamir::mod2(lambda_open_[static_cast<std::size_t>(party_)]), b);
    out.assign(mine.begin(), mine.end());
    for (int q = 0; q < n_; ++q)
      if (q != party_) net_.send(q, std::span<const Ring>(mine));
  }
  RingVec got(w);
  for (int s = 0; s <= t_; ++s) {
    if (s == party_) continue;
    net_.recv(s, got);
    for (std::size_t k = 0; k < w; ++k) out[k] ^= got[k];
  }
  return out;
}

// ---------------------------------------------------------------- random bits

// t + 1 dealers (among the senders) each add a random bit to the king
// round; the parity of the sum, their XOR, is uniform to any t parties,
// since one dealer is honest. Its mod-2 reduction is the bit's GF(16)
// sharing.
Shamir::Share Shamir::dabits(std::size_t n) {
  const auto dealers = next_dealers();
  RingVec mine(n, 0);
  if (std::find(dealers.begin(), dealers.end(), party_) != dealers.end()) {
    backend_.prg_fill(own_, own_ctr_, mine);
    own_ctr_ += n / 2 + 2;
    for (auto& v : mine) v &= 1;
  }
  return parity_of_sum(std::move(mine), t_ + 1);
}

// R >> (64 - bits) of a uniform R is uniform in [0, 2^bits).
Shamir::Share Shamir::random_int(std::size_t n, int bits) {
  if (bits < 1 || bits > fixed_.k - 2) {
    throw ShapeError("shamir random_int: " + std::to_string(bits) +
                     " bits is outside [1, k - 2 = " + std::to_string(fixed_.k - 2) + "]");
  }
  const MaskDraw draw = draw_masks(n);
  Share out = Share::uninitialized(n);
  for (std::size_t at = 0; at < n; at += chunk_) {
    const std::size_t len = std::min(chunk_, n - at);
    const std::vector<int> shifts(len, 64 - bits);
    assign_slice(out, at, masked(draw, at, len, shifts).shifted);
  }
  return out;
}

// ---------------------------------------------------------------- circuits

// [c mod 2^w < R mod 2^w] per element (w = width[e], 1..64) for public c
// and R's shared bit planes: per bit, less l_j = !c_j R_j and equal
// e_j = !(c_j ^ R_j) (both local), combined from the top of each pair in a
// tree, (L, E) = (L_hi ^ E_hi L_lo, E_hi E_lo): ceil(log2 w) AND rounds.
Shamir::Bits Shamir::less_than(std::span<const Ring> c, const std::vector<Bits>& r,
                               std::span<const int> width, std::size_t n) {
  const std::size_t w = words_for(n);
  int top = 0;
  for (const int v : width) top = std::max(top, v);
  std::vector<Bits> less, equal;
  for (int j = 0; j < top; ++j) {
    RingVec active(w, 0), cj = public_plane(c, j);
    for (std::size_t e = 0; e < n; ++e)
      if (j < width[e]) active[e / 64] |= Ring{1} << (e % 64);
    RingVec not_c(w), eq_public(w);
    for (std::size_t k = 0; k < w; ++k) {
      not_c[k] = ~cj[k] & active[k];
      eq_public[k] = (~cj[k] & active[k]) | ~active[k];  // inactive lanes compare equal
    }
    const Bits& rj = r[static_cast<std::size_t>(j)];
    less.push_back(and_public(rj, not_c));
    equal.push_back(xor_public(and_public(rj, active), eq_public));
  }
  while (less.size() > 1) {
    const std::size_t pairs = less.size() / 2;
    std::vector<const Bits*> lhs, rhs;
    for (std::size_t q = 0; q < pairs; ++q) {
      lhs.push_back(&equal[2 * q + 1]);
      rhs.push_back(&less[2 * q]);
    }
    for (std::size_t q = 0; q < pairs; ++q) {
      lhs.push_back(&equal[2 * q + 1]);
      rhs.push_back(&equal[2 * q]);
    }
    const Bits prod = bit_and(concat(lhs), concat(rhs));
    std::vector<Bits> nl, ne;
    for (std::size_t q = 0; q < pairs; ++q) {
      nl.push_back(bit_xor(less[2 * q + 1], slice(prod, q * w, w)));
      ne.push_back(slice(prod, (pairs + q) * w, w));
    }
    if (less.size() % 2 == 1) {
      nl.push_back(std::move(less.back()));
      ne.push_back(std::move(equal.back()));
    }
    less = std::move(nl);
    equal = std::move(ne);
  }
  return std::move(less[0]);
}

Shamir::Share Shamir::ltz(const Share& x) {
  const std::size_t n = x.size();
  const MaskDraw draw = draw_masks(n);
  Share out = Share::uninitialized(n);
  for (std::size_t at = 0; at < n; at += chunk_) {
    const std::size_t len = std::min(chunk_, n - at);
    assign_slice(out, at, ltz_chunk(block_of(x, at, len), draw, at));
  }
  return out;
}

void Shamir::set_chunk(std::size_t elements) {
  if (elements == 0 || elements % 64 != 0)
    throw ConfigError("shamir: a chunk of " + std::to_string(elements) +
                      " elements is not a positive multiple of 64 (whole words of bit planes)");
  chunk_ = elements;
}

// b is the XOR of the openers' (parties 0..t) coefficient-0 parts of
// lambda_i b_i, one bit each per element: their parity, directly in GR
// (no daBit, no opening).
Shamir::Share Shamir::b2a(const Bits& b, std::size_t n) {
  const std::size_t w = words_for(n);
  if (b.size() < w) {
    throw ShapeError("shamir b2a: " + std::to_string(n) + " bits need " + std::to_string(w) +
                     " words, the plane has " + std::to_string(b.size()));
  }
  RingVec u(n, 0);
  if (party_ <= t_) {
    const RingVec mine =
        gf16_coef0(shamir::mod2(lambda_open_[static_cast<std::size_t>(party_)]), slice(b, 0, w));
    for (std::size_t i = 0; i < n; ++i) u[i] = mine[i / 64] >> (i % 64) & 1;
  }
  return parity_of_sum(std::move(u), t_ + 1);
}

// x = c - R = c + !R + 1 on the low `bits` bits: generate g_j = c_j !R_j,
// propagate p_j = c_j ^ !R_j (local), the carry-in folded into g_0, carries
// by Kogge-Stone prefixes (ceil(log2 bits) AND rounds), x_j = p_j ^ carry_j.
std::vector<Shamir::Bits> Shamir::bit_decompose(const Share& x, int bits) {
  if (bits < 1 || bits > 64)
    throw ShapeError("shamir bit_decompose: " + std::to_string(bits) + " bits is outside [1, 64]");
  const std::size_t n = x.size();
  const MaskDraw draw = draw_masks(n);
  std::vector<Bits> out(static_cast<std::size_t>(bits), Bits(words_for(n)));
  for (std::size_t at = 0; at < n; at += chunk_) {  // chunk_ is a multiple of 64: whole words
    const std::size_t len = std::min(chunk_, n - at);
    const auto planes = decompose_chunk(block_of(x, at, len), bits, draw, at);
    for (std::size_t j = 0; j < planes.size(); ++j)
      for (int c = 0; c < 4; ++c)
        std::copy(planes[j].part[c].begin(), planes[j].part[c].end(), out[j].part[c].begin() + at / 64);
  }
  return out;
}

std::vector<Shamir::Bits> Shamir::decompose_chunk(const Share& x, int bits, const MaskDraw& draw,
                                                  std::size_t at) {
  const std::size_t n = x.size(), w = words_for(n);
  const Masked m = masked(draw, at, n);
  const auto c = reveal(add(x, m.r));
  std::vector<Bits> g, p;
  for (int j = 0; j < bits; ++j) {
    const RingVec cj = public_plane(c, j);
    const Bits nr = bit_not(m.planes[static_cast<std::size_t>(j)]);
    g.push_back(and_public(nr, cj));
    p.push_back(xor_public(nr, cj));
  }
  std::vector<Bits> big_g = g, big_p = p;
  big_g[0] = bit_xor(g[0], p[0]);  // carry-in 1: g_0 | p_0, exclusive
  for (int d = 1; d < bits; d *= 2) {
    std::vector<const Bits*> lhs, rhs;
    for (int j = d; j < bits; ++j) {
      lhs.push_back(&big_p[static_cast<std::size_t>(j)]);
      rhs.push_back(&big_g[static_cast<std::size_t>(j - d)]);
    }
    for (int j = d; j < bits; ++j) {
      lhs.push_back(&big_p[static_cast<std::size_t>(j)]);
      rhs.push_back(&big_p[static_cast<std::size_t>(j - d)]);
    }
    const Bits prod = bit_and(concat(lhs), concat(rhs));
    const std::size_t cnt = static_cast<std::size_t>(bits - d);
    for (int j = d; j < bits; ++j) {
      const std::size_t q = static_cast<std::size_t>(j - d);
      big_g[static_cast<std::size_t>(j)] = bit_xor(big_g[static_cast<std::size_t>(j)], slice(prod, q * w, w));
      big_p[static_cast<std::size_t>(j)] = slice(prod, (cnt + q) * w, w);
    }
  }
  std::vector<Bits> out;
  out.push_back(bit_not(p[0]));
  for (int j = 1; j < bits; ++j)
    out.push_back(bit_xor(p[static_cast<std::size_t>(j)], big_g[static_cast<std::size_t>(j - 1)]));
  return out;
}

// y = x + 2^62 lies in [0, 2^63); c = y + R is opened (masked(): [R],
// [R >> b], [R_63]). Then y >> b = (c >> b) - (R >> b) + 2^(64-b) [c < R] - [c mod 2^b < R mod 2^b],
// and [c < R] = R_63 (1 - c_63) since y < 2^63. The last term is dropped in
// probabilistic mode (the result then rounds up with probability
// (y mod 2^b) / 2^b) and computed by less_than and b2a in exact mode.
// Carries::kWithout (products, ProductRounding::kUnbiased) also leaves out
// the masks' carries into b, C_b = floor(sum_i (r_i mod 2^b) / 2^b) in
// [0, t], so the result is floor(x / 2^b) + u + C_b with E[u] = (y mod 2^b)
// / 2^b and E[C_b] = t (1 - 2^-b) / 2; subtracting t / 2 (t even) or
// (t - 1) / 2 + c_63 (t odd: c_63 is a fair coin independent of u and C_b,
// since R's bits above b are uniform given all low parts) leaves a mean
// error of -t 2^-(b+1) ulp.
Shamir::Share Shamir::trunc_runs(const Share& x, std::span<const TruncRun> runs, Carries carries) {
  const std::size_t n = x.size();
  std::vector<int> shift(n);
  std::size_t at = 0;
  for (const auto& r : runs) {
    if (r.bits < 1 || r.bits > 62)
      throw ShapeError("shamir trunc: a shift of " + std::to_string(r.bits) + " bits is outside [1, 62]");
    std::fill_n(shift.begin() + static_cast<std::ptrdiff_t>(at), r.count, r.bits);
    at += r.count;
  }
  if (at != n) {
    throw ShapeError("shamir trunc: runs cover " + std::to_string(at) + " elements of " + std::to_string(n));
  }
  const MaskDraw draw = draw_masks(n);
  Share out = Share::uninitialized(n);
  for (std::size_t from = 0; from < n; from += chunk_) {
    const std::size_t len = std::min(chunk_, n - from);
    assign_slice(
        out, from,
        trunc_chunk(block_of(x, from, len), std::span(shift).subspan(from, len), draw, from, carries));
  }
  return out;
}

Shamir::Share Shamir::trunc_chunk(const Share& x, std::span<const int> shift, const MaskDraw& draw,
                                  std::size_t at, Carries carries) {
  const std::size_t n = x.size();
  const Masked m =
      mode_ == TruncMode::kExact ? masked(draw, at, n, shift) : masked_carries(draw, at, n, shift, carries);
  const Ring offset = Ring{1} << 62;
  const auto c = reveal(add(add_public(x, offset), m.r));
  Share out = neg(m.shifted);
  for (std::size_t e = 0; e < n; ++e) {
    const int b = shift[e];
    if ((c[e] >> 63) == 0)
      for (int j = 0; j < 4; ++j) out.part[j][e] += m.top.part[j][e] << (64 - b);
    out.part[0][e] += (c[e] >> b) - (offset >> b);
    if (carries == Carries::kWithout) {
      const Ring half_t = static_cast<Ring>(t_ / 2);
      out.part[0][e] -= t_ % 2 == 0 ? half_t : half_t + (c[e] >> 63);
    }
  }
  if (mode_ == TruncMode::kExact) out = sub(std::move(out), b2a(less_than(c, m.planes, shift, n), n));
  return out;
}

}  // namespace sqt::mpc
