// mal-rep3's binary domain: boolean replicated sharing with every AND gate
// kept for verify() (mal_rep3_verify.cc), the carry-save conversion of a
// value's three components, and b2a through the components.
#include <algorithm>
#include <string>

#include "host/core/error.h"
#include "host/mpc/mal_rep3/mal_rep3.h"
#include "host/mpc/rep3/bit_planes.h"

namespace sqt::mpc {
namespace {

using R = Ring128;
using mal_rep3::Check;

template <class T>
std::span<const std::byte> bytes_of(const T& v) {
  return std::as_bytes(std::span(v.data(), v.size()));
}

void check_same_size(std::size_t a, std::size_t b, const char* op) {
  if (a != b) {
    throw ShapeError(std::string("mal-rep3 ") + op + ": operand sizes differ (" + std::to_string(a) + " vs " +
                     std::to_string(b) + ")");
  }
}

}  // namespace

MalRep3::Words MalRep3::next_words(unsigned sub, std::size_t n) {
  Words v(n);
  backend_.prg_fill(key_next_, counter(sub), std::span<std::uint64_t>(v));
  return v;
}

MalRep3::Words MalRep3::prev_words(unsigned sub, std::size_t n) {
  Words v(n);
  backend_.prg_fill(key_prev_, counter(sub), std::span<std::uint64_t>(v));
  return v;
}

MalRep3::Words MalRep3::zero_share_xor(unsigned sub, std::size_t n) {
  Words a = next_words(sub, n);
  const Words b = prev_words(sub, n);
  for (std::size_t w = 0; w < n; ++w) a[w] ^= b[w];
  return a;
}

// rep3's AND: this party's summand x_i y_i ^ x_i y_{i+1} ^ x_{i+1} y_i,
// masked and replicated. The operands and the product are kept: a party
// that deviates (in its summand or in the copies it used) leaves a gate
// with z != x y, which the sacrifice at verify() finds.
MalRep3::Bits MalRep3::and_planes(std::span<const PlaneRef> a, std::span<const PlaneRef> b,
                                  std::size_t words) {
  next_op();
  const std::size_t all = a.size() * words;
  Words z = zero_share_xor(0, all);
  Bits x = Bits::uninitialized(all), y = Bits::uninitialized(all);
  for (std::size_t q = 0; q < a.size(); ++q) {
    for (int c = 0; c < 2; ++c) {
      std::copy_n(a[q].part[c], words, x.part[c].begin() + static_cast<std::ptrdiff_t>(q * words));
      std::copy_n(b[q].part[c], words, y.part[c].begin() + static_cast<std::ptrdiff_t>(q * words));
    }
  }
  for (std::size_t w = 0; w < all; ++w)
    z[w] ^= (x.part[0][w] & y.part[0][w]) ^ (x.part[0][w] & y.part[1][w]) ^ (x.part[1][w] & y.part[0][w]);
  checker_.send(Check::kComparison, net_.prev_party(), bytes_of(z));
  Bits out;
  out.part[1].resize(all);
  checker_.recv(net_.next_party(), std::as_writable_bytes(std::span<std::uint64_t>(out.part[1])));
  out.part[0] = std::move(z);
  gate_x_.push_back(std::move(x));
  gate_y_.push_back(std::move(y));
  gate_z_.push_back(out);
  gate_words_ += all;
  if (gate_words_ >= (std::size_t{1} << 21)) verify();  // bounds the kept gates
  return out;
}

MalRep3::Bits MalRep3::bit_and(const Bits& a, const Bits& b) {
  check_same_size(a.size(), b.size(), "bit_and");
  const PlaneRef pa = plane_of(a, 0, a.size()), pb = plane_of(b, 0, b.size());
  return and_planes(std::span(&pa, 1), std::span(&pb, 1), a.size());
}

MalRep3::Bits MalRep3::bit_xor(const Bits& a, const Bits& b) const {
  check_same_size(a.size(), b.size(), "bit_xor");
  Bits out = a;
  for (int c = 0; c < 2; ++c)
    for (std::size_t w = 0; w < out.part[c].size(); ++w) out.part[c][w] ^= b.part[c][w];
  return out;
}

MalRep3::Bits MalRep3::bit_not(const Bits& a) const {
  Bits out = a;
  const int slot = party_ == 0 ? 0 : party_ == 2 ? 1 : -1;
  if (slot >= 0)
    for (auto& w : out.part[slot]) w = ~w;
  return out;
}

std::vector<std::uint64_t> MalRep3::reveal_bits(const Bits& b) {
  verify();
  std::vector<std::uint64_t> missing(b.size());
  checker_.joint(Check::kOpening, bytes_of(b.part[0]), bytes_of(b.part[1]),
                 std::as_writable_bytes(std::span(missing)));
  verify();
  for (std::size_t w = 0; w < missing.size(); ++w) missing[w] ^= b.part[0][w] ^ b.part[1][w];
  return missing;
}

// Component j's planes are a boolean sharing held by its two holders (no
// message), so x + offset = A + B + C with A, B, C those of components 0, 1,
// 2 (offset in A). Carry-save: s = A ^ B ^ C (the components' planes
// themselves), carry t+1 = maj = ((A ^ C) & (B ^ C)) ^ C (one AND round);
// then p = s ^ carry, g = s & carry (one AND round). Only the low `bits`
// bits are computed, so the sum is taken mod 2^bits.
MalRep3::TwoNumbers MalRep3::split_three(const Share& x, int bits, Ring offset, int g_planes) {
  const std::size_t n = x.size(), words = words_for(n);
  const std::size_t all = static_cast<std::size_t>(bits) * words;
  // This party's components i and i + 1 as planes (offset in component 0).
  Words own[2];
  for (int c = 0; c < 2; ++c) {
    own[c].resize(all);
    const int comp = (party_ + c) % 3;
    to_planes_flat<R>(x.part[c].data(), nullptr, n, bits, comp == 0 ? offset : R{0}, own[c].data());
  }
  TwoNumbers out;
  out.words = words;
  // s: component i = own[0], i + 1 = own[1].
  Bits s;
  s.part[0] = own[0];
  s.part[1] = own[1];
  // Numbers as sharings: number i is (own[0], 0), number i+1 is (0, own[1]),
  // number i+2 is (0, 0). A ^ C and B ^ C for the global numbers 0, 1, 2.
  auto number = [&](int j) {
    Bits v(all);
    if (j == party_) v.part[0] = own[0];
    if (j == (party_ + 1) % 3) v.part[1] = own[1];
    return v;
  };
  const std::size_t carry_planes = static_cast<std::size_t>(std::max(bits - 1, 0));
  const Bits na = number(0), nb = number(1), nc = number(2);
  const Bits ac = bit_xor(na, nc), bc = bit_xor(nb, nc);
  Bits carry(all);  // plane 0 stays zero
  if (carry_planes > 0) {
    std::vector<PlaneRef> l, r;
    for (std::size_t t = 0; t < carry_planes; ++t) {
      l.push_back(plane_of(ac, t, words));
      r.push_back(plane_of(bc, t, words));
    }
    const Bits m = and_planes(l, r, words);
    for (int c = 0; c < 2; ++c)
      for (std::size_t t = 0; t < carry_planes; ++t)
        for (std::size_t w = 0; w < words; ++w)
          carry.part[c][(t + 1) * words + w] = m.part[c][t * words + w] ^ nc.part[c][t * words + w];
  }
  out.p = bit_xor(s, carry);
  // Carry plane 0 is zero, so g plane 0 is zero without a gate.
  const std::size_t gp = static_cast<std::size_t>(g_planes);
  out.g = Bits(gp * words);
  if (gp > 1) {
    std::vector<PlaneRef> l, r;
    for (std::size_t t = 1; t < gp; ++t) {
      l.push_back(plane_of(s, t, words));
      r.push_back(plane_of(carry, t, words));
    }
    const Bits m = and_planes(l, r, words);
    for (int c = 0; c < 2; ++c) std::copy(m.part[c].begin(), m.part[c].end(), out.g.part[c].begin() + words);
  }
  return out;
}

// rep3's carry tree over (G, P) of segments, one AND round per level; the
// result is [x < 0] for x in the signed k-bit range.
MalRep3::Bits MalRep3::ltz_bits(const Share& x) {
  const int k = fixed_.k;
  const std::size_t m = static_cast<std::size_t>(k - 1);
  auto two = split_three(x, k, R{1} << (k - 1), k - 1);
  const std::size_t words = two.words;
  const Bits* g = &two.g;
  const Bits* p = &two.p;
  Bits g_level, p_level;
  std::vector<PlaneRef> left, right;
  std::vector<std::size_t> need_p;
  // Segment 0's G is g plane 0, zero at the first level (split_three), so
  // the first pair's G there is G_hi without a gate.
  std::size_t first = 1;
  for (std::size_t segs = m; segs > 1;) {
    const bool last_level = segs == 2;
    const std::size_t pairs = segs / 2, next = pairs + segs % 2;
    left.clear();
    right.clear();
    need_p.clear();
    for (std::size_t i = first; i < pairs; ++i) {
      left.push_back(plane_of(*p, 2 * i + 1, words));
      right.push_back(plane_of(*g, 2 * i, words));
    }
    const std::size_t g_products = left.size();
    for (std::size_t i = 1; i < pairs && !last_level; ++i) {
      need_p.push_back(i);
      left.push_back(plane_of(*p, 2 * i + 1, words));
      right.push_back(plane_of(*p, 2 * i, words));
    }
    const Bits prod = left.empty() ? Bits() : and_planes(left, right, words);
    Bits g_next = Bits::uninitialized(next * words), p_next(next * words);
    for (int c = 0; c < 2; ++c) {
      const std::uint64_t* gc = g->part[c].data();
      const std::uint64_t* pc = p->part[c].data();
      const std::uint64_t* prod_c = prod.part[c].data();
      std::uint64_t* gn = g_next.part[c].data();
      std::uint64_t* pn = p_next.part[c].data();
      for (std::size_t i = 0; i < pairs; ++i) {  // G = G_hi ^ P_hi G_lo
        const std::uint64_t* hi = gc + (2 * i + 1) * words;
        if (i < first) {
          std::copy_n(hi, words, gn + i * words);
          continue;
        }
        for (std::size_t w = 0; w < words; ++w) gn[i * words + w] = hi[w] ^ prod_c[(i - first) * words + w];
      }
      for (std::size_t q = 0; q < need_p.size(); ++q)  // P = P_hi P_lo
        std::copy_n(prod_c + (g_products + q) * words, words, pn + need_p[q] * words);
      if (next != pairs) {  // the unpaired top segment moves up unchanged
        std::copy_n(gc + (segs - 1) * words, words, gn + pairs * words);
        std::copy_n(pc + (segs - 1) * words, words, pn + pairs * words);
      }
    }
    first = 0;
    g_level = std::move(g_next);
    p_level = std::move(p_next);
    g = &g_level;
    p = &p_level;
    segs = next;
  }
  // Bit k-1 of x + 2^(k-1) is 1 exactly when x >= 0.
  Bits lt = Bits::uninitialized(words);
  for (int c = 0; c < 2; ++c) {
    const std::uint64_t* top = two.p.part[c].data() + m * words;
    const std::uint64_t* carry = g->part[c].data();
    for (std::size_t w = 0; w < words; ++w) lt.part[c][w] = top[w] ^ carry[w];
  }
  return bit_not(lt);
}

MalRep3::Share MalRep3::ltz(const Share& x) {
  const Bits lt = ltz_bits(x);
  return b2a_flat(lt, 1, lt.size(), x.size());
}

// Sklansky parallel prefix over the (G, P) pairs, then sum bit j = p_j ^
// carry into j.
std::vector<MalRep3::Bits> MalRep3::bit_decompose(const Share& x, int bits) {
  if (bits < 1 || bits > 64) throw ShapeError("mal-rep3 bit_decompose: " + std::to_string(bits) + " bits");
  auto two = split_three(x, bits, 0, bits - 1);
  const std::size_t words = two.words;
  const int m = bits - 1;
  Bits& g = two.g;
  Bits p;
  for (int c = 0; c < 2; ++c)
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
      if (base == 0) continue;  // G_0 is zero (split_three): G_j stays
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
    for (int c = 0; c < 2; ++c) {
      for (std::size_t q = 0; q < targets.size(); ++q) {
        std::uint64_t* gt = g.part[c].data() + targets[q] * words;
        const std::uint64_t* pr = prod.part[c].data() + q * words;
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
    for (int c = 0; c < 2; ++c) {
      const std::uint64_t* pj = two.p.part[c].data() + j * words;
      const std::uint64_t* carry = j > 0 ? g.part[c].data() + (j - 1) * words : nullptr;
      for (std::size_t w = 0; w < words; ++w) b.part[c][w] = carry != nullptr ? pj[w] ^ carry[w] : pj[w];
    }
    out.push_back(std::move(b));
  }
  return out;
}

MalRep3::Share MalRep3::b2a(const Bits& b, std::size_t n) {
  if (b.size() < words_for(n)) {
    throw ShapeError("mal-rep3: a bit plane of " + std::to_string(b.size()) + " words holds fewer than " +
                     std::to_string(n) + " bits");
  }
  return b2a_flat(b, 1, b.size(), n);
}

// The MACs of A_0, A_1, A_2 (blocks of `total` in parts, A_j nonzero in
// component j only), one round. A_j's holders H = party j and L = party
// j - 1 know a = A_j; the MAC's component j + 1 = F(K_j, 5) (known to H and
// j + 1), component j - 1 = F(K_{j+1}, 6) (known to L and j + 1), and
// component j = h + l with h = (alpha_j + alpha_{j+1}) a - F(K_j, 5) from H
// and l = alpha_{j-1} a - F(K_{j+1}, 6) from L, exchanged (each masked by a
// stream the receiver lacks). 32 bytes per bit and party instead of a
// product's 48. A wrong h or l is an additive MAC error, caught by the MAC
// check as a wrong product summand is.
void MalRep3::mac_components(Share& parts, std::size_t total) {
  const std::size_t own = static_cast<std::size_t>(party_), up = (own + 1) % 3, down = (own + 2) % 3;
  R* mac0 = parts.part[2].data();
  R* mac1 = parts.part[3].data();
  // Block own (this party is H): component own+1 from K_own.
  Vec h = next_stream(5, total);
  std::copy(h.begin(), h.end(), mac1 + own * total);
  const R* a_own = parts.part[0].data() + own * total;
  for (std::size_t e = 0; e < total; ++e) h[e] = (alpha_[0] + alpha_[1]) * a_own[e] - h[e];
  // Block own+1 (this party is L): component own from K_{own-1}.
  Vec l = prev_stream(6, total);
  std::copy(l.begin(), l.end(), mac0 + up * total);
  const R* a_up = parts.part[1].data() + up * total;
  for (std::size_t e = 0; e < total; ++e) l[e] = alpha_[0] * a_up[e] - l[e];
  // Block own-1 (neither): components own and own+1 from the two streams.
  const Vec f5 = prev_stream(5, total), f6 = next_stream(6, total);
  std::copy(f5.begin(), f5.end(), mac0 + down * total);
  std::copy(f6.begin(), f6.end(), mac1 + down * total);
  checker_.send(Check::kComparison, net_.prev_party(), bytes_of(h));
  checker_.send(Check::kComparison, net_.next_party(), bytes_of(l));
  Vec l_in(total), h_in(total);
  checker_.recv(net_.prev_party(), std::as_writable_bytes(std::span<R>(l_in)));
  checker_.recv(net_.next_party(), std::as_writable_bytes(std::span<R>(h_in)));
  for (std::size_t e = 0; e < total; ++e) {
    mac0[own * total + e] = h[e] + l_in[e];
    mac1[up * total + e] = h_in[e] + l[e];
  }
}

// Boolean component j (known to its two holders) becomes arithmetic
// component j of a sharing A_j with its MAC (mac_components); then
// b = A_0 ^ A_1 ^ A_2 with u ^ v = u + v - 2uv, two verified products.
MalRep3::Share MalRep3::b2a_flat(const Bits& all, std::size_t planes, std::size_t words, std::size_t n) {
  const std::size_t total = planes * n;
  next_op();
  Share parts(3 * total);  // A_0, A_1, A_2 one after another
  for (int c = 0; c < 2; ++c) {
    const int comp = (party_ + c) % 3;
    R* dst = parts.part[c].data() + comp * total;
    for (std::size_t j = 0; j < planes; ++j) plane_to_ring<R>(all.part[c].data() + j * words, n, dst + j * n);
  }
  mac_components(parts, total);
  keep(parts, Check::kComparison);
  const Share a0 = block_of(parts, 0, total), a1 = block_of(parts, total, total),
              a2 = block_of(parts, 2 * total, total);
  auto xor_of = [&](const Share& u, const Share& v) { return sub(add(u, v), mul_public(mul(u, v), R{2})); };
  return xor_of(xor_of(a0, a1), a2);
}

}  // namespace sqt::mpc
