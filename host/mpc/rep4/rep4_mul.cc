// Rep4 products: mul, matmul and AND. x y is the sum of the 16 products
// x_c y_d; x_c y_d + x_d y_c (c != d) is known to the two parties outside
// {c, d}, a diagonal x_c y_c to three. Each of the six pairs of parties
// joint-inputs the pair value of the two components it does not hold: their
// two cross products and the diagonals assigned to it, each diagonal to
// exactly one pair. One round, six messages of n values (1.5 per party).
#include <algorithm>
#include <string>

#include "host/core/error.h"
#include "host/mpc/rep4/rep4.h"

namespace sqt::mpc {
namespace {

using rep4::Check;

// The six pairs in roles (rotated per operation): members, receiver and
// sender of the pair value, and the diagonals it carries: `diag` (the
// elementwise forms: cross_mul_add covers one diagonal; -1: none) and
// `both` (matmul: (A_c + A_d)(B_c + B_d) in one GEMM covers both). Each
// role sends and receives one or two values.
struct PairPlan {
  int a, b, receiver, sender;
  int diag;
  bool both;
};
constexpr PairPlan kPairs[6] = {
    {0, 1, 2, 0, 2, true},   {1, 2, 3, 1, 3, false}, {2, 3, 0, 2, 0, true},
    {3, 0, 1, 3, -1, false}, {0, 2, 3, 2, 1, false}, {1, 3, 0, 1, -1, false},
};

void check_trunc_bits(int bits) {
  if (bits < 1 || bits > 61)
    throw ShapeError("rep4 trunc: shift of " + std::to_string(bits) + " bits is outside [1, 61]");
}

void check_matmul_shapes(std::size_t m, std::size_t n, std::size_t k, const ShareVec<3>& a,
                         const ShareVec<3>& b) {
  if (a.size() != m * k || b.size() != k * n) {
    throw ShapeError("rep4 matmul: A has " + std::to_string(a.size()) + " elements and B " +
                     std::to_string(b.size()) + ", expected " + std::to_string(m) + "x" + std::to_string(k) +
                     " and " + std::to_string(k) + "x" + std::to_string(n));
  }
}

}  // namespace

Rep4::PairValues Rep4::mul_pairs(const Share& x, const Share& y) {
  if (x.size() != y.size()) {
    throw ShapeError("rep4 mul: operand sizes differ (" + std::to_string(x.size()) + " vs " +
                     std::to_string(y.size()) + ")");
  }
  const std::size_t n = x.size();
  PairValues pv;
  pv.n = n;
  const RingVec zero(n, 0);
  RingVec t;
  for (const auto& pp : kPairs) {
    const int a = role(pp.a), b = role(pp.b), l = role(pp.receiver);
    const int k = 6 - a - b - l;
    if (party_ != a && party_ != b) continue;
    RingVec& v = pv.with[party_ == a ? b : a];
    v.resize(n);
    if (pp.diag >= 0) {  // x_d y_d + x_d y_o + x_o y_d
      const int d = role(pp.diag), o = d == k ? l : k;
      backend_.cross_mul_add(comp(x, d), comp(x, o), comp(y, d), comp(y, o), zero, v);
    } else {  // x_k y_l + x_l y_k
      t.resize(n);
      backend_.cross_mul_add(comp(x, k), comp(x, l), zero, comp(y, l), zero, t);
      backend_.cross_mul_add(comp(x, l), zero, zero, comp(y, k), t, v);
    }
  }
  return pv;
}

Rep4::PairValues Rep4::matmul_pairs(Trans ta, Trans tb, std::size_t m, std::size_t n, std::size_t k,
                                    const Share& a, const Share& b) {
  check_matmul_shapes(m, n, k, a, b);
  PairValues pv;
  pv.n = m * n;
  RingVec asum, bsum;
  for (const auto& pp : kPairs) {
    const int pa = role(pp.a), pb = role(pp.b), l = role(pp.receiver);
    const int c = 6 - pa - pb - l;  // the complement is {c, l}
    if (party_ != pa && party_ != pb) continue;
    RingVec& v = pv.with[party_ == pa ? pb : pa];
    v.resize(m * n);
    if (pp.both) {
      asum.resize(m * k);
      bsum.resize(k * n);
      for (std::size_t e = 0; e < asum.size(); ++e) asum[e] = comp(a, c)[e] + comp(a, l)[e];
      for (std::size_t e = 0; e < bsum.size(); ++e) bsum[e] = comp(b, c)[e] + comp(b, l)[e];
      backend_.gemm(ta, tb, m, n, k, asum.data(), bsum.data(), v.data(), false);
    } else {
      backend_.gemm(ta, tb, m, n, k, comp(a, c).data(), comp(b, l).data(), v.data(), false);
      backend_.gemm(ta, tb, m, n, k, comp(a, l).data(), comp(b, c).data(), v.data(), true);
    }
  }
  return pv;
}

// Each pair joint-inputs its value: one round.
Rep4::Share Rep4::share_pairs(const PairValues& pv) {
  Share z(pv.n);
  Joint j(*this, Check::kMultiplication);
  for (const auto& pp : kPairs) {
    const int a = role(pp.a), b = role(pp.b), l = role(pp.receiver);
    std::span<const Ring> v;
    if (party_ == a || party_ == b) v = pv.with[party_ == a ? b : a];
    j.input(a, b, l, role(pp.sender), Combine::kAdd, v, pv.n, z);
  }
  j.run();
  return z;
}

Rep4::Share Rep4::mul(const Share& x, const Share& y) {
  next_op();
  return share_pairs(mul_pairs(x, y));
}

Rep4::Share Rep4::matmul(Trans ta, Trans tb, std::size_t m, std::size_t n, std::size_t k, const Share& a,
                         const Share& b) {
  next_op();
  return share_pairs(matmul_pairs(ta, tb, m, n, k, a, b));
}

// Probabilistic mode: the pair values go into the truncation's first round
// (trunc_masked), 3 rounds in all; exact mode truncates the shared product.
Rep4::Share Rep4::mul_trunc(const Share& x, const Share& y, int bits) {
  if (mode_ != TruncMode::kProbabilistic) return trunc(mul(x, y), bits);
  check_trunc_bits(bits);
  next_op();
  const PairValues pv = mul_pairs(x, y);
  const TruncRun run{x.size(), bits};
  return trunc_masked(nullptr, &pv, std::span(&run, 1));
}

Rep4::Share Rep4::matmul_trunc(Trans ta, Trans tb, std::size_t m, std::size_t n, std::size_t k,
                               const Share& a, const Share& b, int bits) {
  if (mode_ != TruncMode::kProbabilistic) return trunc(matmul(ta, tb, m, n, k, a, b), bits);
  check_trunc_bits(bits);
  next_op();
  const PairValues pv = matmul_pairs(ta, tb, m, n, k, a, b);
  const TruncRun run{m * n, bits};
  return trunc_masked(nullptr, &pv, std::span(&run, 1));
}

// The products (in blocks as blocked_matmul), their maps and addends, then
// one truncation of the runs; in probabilistic mode the products stay pair
// values (each pair's value mapped as a component would be: the maps are
// linear) and the addends a share, both masked in the truncation's first
// round.
Rep4::Share Rep4::matmuls_trunc(std::span<const MatmulTerm<Share>> terms, int bits) {
  const std::size_t total = matmul_terms_total(terms, "rep4");
  const std::vector<TruncRun> runs = matmul_term_runs(terms, bits);
  for (const auto& r : runs) check_trunc_bits(r.bits);
  if (mode_ != TruncMode::kProbabilistic) {
    Share all(total);
    std::size_t at = 0;
    for (const auto& t : terms) {
      Share product;
      if (t.a != nullptr) product = blocked_matmul(*this, t);
      for (int c = 0; c < 3; ++c) {
        Ring* out = all.part[c].data() + at;
        if (t.a != nullptr && t.map)
          t.map(product.part[c].data(), out);
        else if (t.a != nullptr)
          std::copy(product.part[c].begin(), product.part[c].end(), out);
        if (t.addend != nullptr)
          for (std::size_t e = 0; e < t.out_n; ++e) out[e] += t.addend->part[c][e];
      }
      at += t.out_n;
    }
    return trunc_runs(all, runs);
  }
  next_op();
  PairValues all;
  all.n = total;
  for (int q = 0; q < 4; ++q)
    if (q != party_) all.with[q].assign(total, 0);
  Share addends(total);
  bool any_addend = false;
  std::size_t at = 0;
  RingVec block;
  for (const auto& t : terms) {
    if (t.a != nullptr) {
      const std::size_t mk = t.m * t.k, kn = t.k * t.n, mn = t.m * t.n;
      PairValues product;
      if (t.blocks == 1) {
        product = matmul_pairs(t.ta, t.tb, t.m, t.n, t.k, *t.a, *t.b);
      } else {
        product.n = t.blocks * mn;
        for (int q = 0; q < 4; ++q)
          if (q != party_) product.with[q].resize(product.n);
        for (std::size_t blk = 0; blk < t.blocks; ++blk) {
          const PairValues one = matmul_pairs(t.ta, t.tb, t.m, t.n, t.k, block_of(*t.a, blk * mk, mk),
                                              block_of(*t.b, blk * kn, kn));
          for (int q = 0; q < 4; ++q)
            if (q != party_) std::copy(one.with[q].begin(), one.with[q].end(), product.with[q].begin() + blk * mn);
        }
      }
      for (int q = 0; q < 4; ++q) {
        if (q == party_) continue;
        Ring* out = all.with[q].data() + at;
        if (t.map)
          t.map(product.with[q].data(), out);
        else
          std::copy(product.with[q].begin(), product.with[q].end(), out);
      }
    }
    if (t.addend != nullptr) {
      any_addend = true;
      for (int c = 0; c < 3; ++c) std::copy(t.addend->part[c].begin(), t.addend->part[c].end(), addends.part[c].begin() + at);
    }
    at += t.out_n;
  }
  return trunc_masked(any_addend ? &addends : nullptr, &all, runs);
}

Rep4::Bits Rep4::bit_and(const Bits& a, const Bits& b) {
  if (a.size() != b.size()) {
    throw ShapeError("rep4 bit_and: operand sizes differ (" + std::to_string(a.size()) + " vs " +
                     std::to_string(b.size()) + ")");
  }
  const PlaneRef pa = plane_of(a, 0, a.size()), pb = plane_of(b, 0, b.size());
  return and_planes(std::span(&pa, 1), std::span(&pb, 1), a.size());
}

// a[q] & b[q] for every plane q, one round: the pair values as in mul, with
// XOR for + and AND for x.
Rep4::Bits Rep4::and_planes(std::span<const PlaneRef> a, std::span<const PlaneRef> b, std::size_t words) {
  next_op();
  const std::size_t all = a.size() * words;
  Bits z(all);
  Joint j(*this, Check::kComparison);
  RingVec v;
  for (const auto& pp : kPairs) {
    const int pa = role(pp.a), pb = role(pp.b), l = role(pp.receiver);
    const int k = 6 - pa - pb - l;
    v.clear();
    if (party_ == pa || party_ == pb) {
      v.resize(all);
      const int sk = slot(k), sl = slot(l);
      for (std::size_t q = 0; q < a.size(); ++q) {
        const Ring *ak = a[q].part[sk], *al = a[q].part[sl], *bk = b[q].part[sk], *bl = b[q].part[sl];
        Ring* vq = v.data() + q * words;
        if (pp.diag < 0) {
          for (std::size_t w = 0; w < words; ++w) vq[w] = (ak[w] & bl[w]) ^ (al[w] & bk[w]);
        } else if (role(pp.diag) == k) {
          for (std::size_t w = 0; w < words; ++w) vq[w] = (ak[w] & (bk[w] ^ bl[w])) ^ (al[w] & bk[w]);
        } else {
          for (std::size_t w = 0; w < words; ++w) vq[w] = (al[w] & (bl[w] ^ bk[w])) ^ (ak[w] & bl[w]);
        }
      }
    }
    j.input(pa, pb, l, role(pp.sender), Combine::kXor, v, all, z);
  }
  j.run();
  return z;
}

}  // namespace sqt::mpc
