// Rep4 truncation. Roles p, q, s, t (rotated per call). p and q draw r from
// their pair key; s and t learn c = x + 2^62 + r, each its missing
// component masked by r from p or q (the other hashes it). With x' = x + 2^62
// in [0, 2^63) (|x| < 2^62) the opening wraps exactly when a & bb, a =
// msb(r) (known to p, q), bb = !msb(c) (known to s, t), and
//   y = (c >> b) - (r >> b) - 2^(62-b) + 2^(64-b) a bb
// is floor(x / 2^b) plus a carry that is 1 with probability (x mod 2^b) /
// 2^b (stochastic rounding, as rep3). The four terms are known to pairs and
// joint-input: U = c >> b (s, t), W = -(r >> b) - 2^(62-b) (p, q), and
// a bb = (a_s + a_t)(bb_p + bb_q) from the sharings [a] (p, q: a_s = rho from
// the key of all but s, a_t = a - rho sent to s) and [bb] (s, t: bb_p =
// sigma from the key of all but p, bb_q = bb - sigma sent to p), whose four
// cross products are known to the pairs {q, t}, {q, s}, {p, t}, {p, s}.
// Everything about the wrap bit is computed mod 2^b (narrow messages).
//   round 1: x_s + r -> s, x_t + r -> t, a_t -> s, T1 = rho sigma
//   round 2: bb_q -> p, U, W, T3 = a_t sigma
//   round 3: T2 = rho bb_q, T4 = a_t bb_q
#include <string>

#include "host/core/error.h"
#include "host/mpc/rep3/bit_planes.h"
#include "host/mpc/rep4/rep4.h"

namespace sqt::mpc {
namespace {

using rep4::Check;

void check_trunc_bits(int bits) {
  if (bits < 1 || bits > 61)
    throw ShapeError("rep4 trunc: shift of " + std::to_string(bits) + " bits is outside [1, 61]");
}

// Calls fn(begin, end, bits) for each run.
template <class F>
void for_runs(std::span<const TruncRun> runs, F&& fn) {
  std::size_t at = 0;
  for (const auto& r : runs) {
    fn(at, at + r.count, r.bits);
    at += r.count;
  }
}

Ring low_mask(int bits) { return (Ring{1} << bits) - 1; }

}  // namespace

Rep4::Share Rep4::trunc(const Share& x, int bits) {
  check_trunc_bits(bits);
  const TruncRun run{x.size(), bits};
  return trunc_runs(x, std::span(&run, 1));
}

Rep4::Share Rep4::trunc_runs(const Share& x, std::span<const TruncRun> runs) {
  for (const auto& r : runs) check_trunc_bits(r.bits);
  if (mode_ == TruncMode::kProbabilistic) return trunc_probabilistic(x, runs);
  if (runs.size() == 1) return trunc_exact(x, runs[0].bits);
  Share out = Share::uninitialized(x.size());  // exact mode is not the hot path: one call per run
  std::size_t at = 0;
  for (const auto& r : runs) {
    const Share piece = trunc_exact(block_of(x, at, r.count), r.bits);
    for (int c = 0; c < 3; ++c)
      std::copy(piece.part[c].begin(), piece.part[c].end(),
                out.part[c].begin() + static_cast<std::ptrdiff_t>(at));
    at += r.count;
  }
  return out;
}

Rep4::Share Rep4::trunc_probabilistic(const Share& x, std::span<const TruncRun> runs) {
  next_op();
  return trunc_masked(&x, nullptr, runs);
}

Rep4::Share Rep4::trunc_masked(const Share* xp, const PairValues* pv, std::span<const TruncRun> runs) {
  const std::size_t n = xp != nullptr ? xp->size() : pv->n;
  if (xp != nullptr && pv != nullptr && pv->n != n)
    throw ShapeError("rep4 trunc: " + std::to_string(pv->n) + " pair values for " + std::to_string(n) + " values");
  const int p = role(0), q = role(1), s = role(2), t = role(3);
  const int me = party_;
  const Ring offset = Ring{1} << 62;
  const unsigned sub_r = next_sub(), sub_rho = next_sub(), sub_sigma = next_sub();
  RingVec r, rho, sigma;
  if (me == p || me == q) {
    r.resize(n);
    prg(pair_key(me == p ? q : p), sub_r, r);
  }
  if (me != s) {  // rho: all but s
    rho.resize(n);
    prg(triple_key(s), sub_rho, rho);
    for_runs(runs, [&](std::size_t lo, std::size_t hi, int b) {
      for (std::size_t e = lo; e < hi; ++e) rho[e] &= low_mask(b);
    });
  }
  if (me != p) {  // sigma: all but p
    sigma.resize(n);
    prg(triple_key(p), sub_sigma, sigma);
    for_runs(runs, [&](std::size_t lo, std::size_t hi, int b) {
      for (std::size_t e = lo; e < hi; ++e) sigma[e] &= low_mask(b);
    });
  }
  // Pair values: s needs those of {p,q}, {p,t}, {q,t}, t those of {p,q},
  // {p,s}, {q,s}. {p,q}'s goes into the openings below; the other four
  // travel masked by r2, r3 (all but s: p, q, t know them) and r2t, r3t
  // (all but t), and r = r1 + r2 + r3, so that t's opening carries
  // r1 + r2 + r3 - r2t - r3t.
  RingVec r2, r3, r2t, r3t, m_s2, m_s3, m_t2, m_t3;
  if (pv != nullptr) {
    const unsigned sub_r2 = next_sub(), sub_r3 = next_sub(), sub_r2t = next_sub(), sub_r3t = next_sub();
    if (me != s) {
      r2.resize(n);
      r3.resize(n);
      prg(triple_key(s), sub_r2, r2);
      prg(triple_key(s), sub_r3, r3);
    }
    if (me != t) {
      r2t.resize(n);
      r3t.resize(n);
      prg(triple_key(t), sub_r2t, r2t);
      prg(triple_key(t), sub_r3t, r3t);
    }
    auto masked = [&](int with, const RingVec& mask, RingVec& out) {
      out.resize(n);
      const RingVec& v = pv->with[with];
      for (std::size_t e = 0; e < n; ++e) out[e] = v[e] + mask[e];
    };
    if (me == p || me == t) masked(me == p ? t : p, r2, m_s2);   // v_pt + r2
    if (me == q || me == t) masked(me == q ? t : q, r3, m_s3);   // v_qt + r3
    if (me == p || me == s) masked(me == p ? s : p, r2t, m_t2);  // v_ps + r2t
    if (me == q || me == s) masked(me == q ? s : q, r3t, m_t3);  // v_qs + r3t
  }
  RingVec masked_s, masked_t;
  if (me == p || me == q) {
    masked_s.resize(n);
    masked_t.resize(n);
    const Ring* xs = xp != nullptr ? comp(*xp, s).data() : nullptr;
    const Ring* xt = xp != nullptr ? comp(*xp, t).data() : nullptr;
    const Ring* vpq = pv != nullptr ? pv->with[me == p ? q : p].data() : nullptr;
    for (std::size_t e = 0; e < n; ++e) {
      const Ring base = (vpq != nullptr ? vpq[e] : 0) + r[e];
      masked_s[e] = (xs != nullptr ? xs[e] : 0) + base;
      masked_t[e] = (xt != nullptr ? xt[e] : 0) + base;
    }
    if (pv != nullptr) {
      for (std::size_t e = 0; e < n; ++e) {
        masked_t[e] += r2[e] + r3[e] - r2t[e] - r3t[e];
        r[e] += r2[e] + r3[e];
      }
    }
  }
  rep4::Wire narrow;
  narrow.runs.assign(runs.begin(), runs.end());
  // a_t = msb(r) - rho mod 2^b: p and q compute it, s receives it.
  RingVec a_t, t1;
  if (me == p || me == q) {
    a_t.resize(n);
    for_runs(runs, [&](std::size_t lo, std::size_t hi, int b) {
      for (std::size_t e = lo; e < hi; ++e) a_t[e] = ((r[e] >> 63) - rho[e]) & low_mask(b);
    });
  }
  if (me == q || me == t) {
    t1.resize(n);
    for (std::size_t e = 0; e < n; ++e) t1[e] = rho[e] * sigma[e];
  }
  Share y(n);
  // Round 1.
  Joint j1(*this, Check::kTruncation);
  const int h_s = j1.message(p, q, s, masked_s, n);
  const int h_t = j1.message(q, p, t, masked_t, n);
  const int h_a = j1.message(p, q, s, a_t, n, narrow);
  j1.input(q, t, p, t, Combine::kScaled, t1, n, y, 0, runs);
  int h_more[2] = {-1, -1};
  if (pv != nullptr) {
    const int h_s2 = j1.message(t, p, s, m_s2, n), h_s3 = j1.message(q, t, s, m_s3, n);
    const int h_t2 = j1.message(p, s, t, m_t2, n), h_t3 = j1.message(s, q, t, m_t3, n);
    h_more[0] = me == s ? h_s2 : h_t2;
    h_more[1] = me == s ? h_s3 : h_t3;
  }
  j1.run();
  // s and t: c = x + 2^62 + r, bb = !msb(c).
  RingVec c, bb_q;
  if (me == s || me == t) {
    c = std::move(j1.received(me == s ? h_s : h_t));
    if (xp != nullptr) {
      for (std::size_t e = 0; e < n; ++e) c[e] += xp->part[0][e] + xp->part[1][e] + xp->part[2][e];
    }
    if (pv != nullptr) {
      const RingVec &m2 = j1.received(h_more[0]), &m3 = j1.received(h_more[1]);
      for (int w = 0; w < 4; ++w) {
        if (w == me) continue;
        const RingVec& v = pv->with[w];
        for (std::size_t e = 0; e < n; ++e) c[e] += v[e];
      }
      for (std::size_t e = 0; e < n; ++e) c[e] += m2[e] + m3[e];
    }
    for (std::size_t e = 0; e < n; ++e) c[e] += offset;
    bb_q.resize(n);
    for_runs(runs, [&](std::size_t lo, std::size_t hi, int b) {
      for (std::size_t e = lo; e < hi; ++e) bb_q[e] = ((Ring{1} - (c[e] >> 63)) - sigma[e]) & low_mask(b);
    });
  }
  if (me == s) a_t = std::move(j1.received(h_a));
  // Round 2.
  RingVec u, w, t3;
  if (me == s || me == t) {
    u.resize(n);
    for_runs(runs, [&](std::size_t lo, std::size_t hi, int b) {
      for (std::size_t e = lo; e < hi; ++e) u[e] = c[e] >> b;
    });
  }
  if (me == p || me == q) {
    w.resize(n);
    for_runs(runs, [&](std::size_t lo, std::size_t hi, int b) {
      for (std::size_t e = lo; e < hi; ++e) w[e] = (Ring{0} - (r[e] >> b)) - (offset >> b);
    });
  }
  if (me == q || me == s) {
    t3.resize(n);
    for (std::size_t e = 0; e < n; ++e) t3[e] = a_t[e] * sigma[e];
  }
  Joint j2(*this, Check::kTruncation);
  const int h_bb = j2.message(s, t, p, bb_q, n, narrow);
  j2.input(s, t, q, t, Combine::kAdd, u, n, y);
  j2.input(p, q, t, q, Combine::kAdd, w, n, y);
  j2.input(q, s, t, q, Combine::kScaled, t3, n, y, 0, runs);
  j2.run();
  if (me == p) bb_q = std::move(j2.received(h_bb));
  // Round 3.
  RingVec t2, t4;
  if (me == p || me == t) {
    t2.resize(n);
    for (std::size_t e = 0; e < n; ++e) t2[e] = rho[e] * bb_q[e];
  }
  if (me == p || me == s) {
    t4.resize(n);
    for (std::size_t e = 0; e < n; ++e) t4[e] = a_t[e] * bb_q[e];
  }
  Joint j3(*this, Check::kTruncation);
  j3.input(p, t, s, t, Combine::kScaled, t2, n, y, 0, runs);
  j3.input(p, s, t, s, Combine::kScaled, t4, n, y, 0, runs);
  j3.run();
  return y;
}

// Exact: subtract the low `bits` bits (bit decomposition + b2a); the
// probabilistic truncation of a multiple of 2^bits has nothing to round.
Rep4::Share Rep4::trunc_exact(const Share& x, int bits) {
  const auto planes = bit_decompose(x, bits);
  const auto low = b2a_planes(planes, x.size());
  Share y = x;
  for (int j = 0; j < bits; ++j)
    for (int c = 0; c < 3; ++c)
      for (std::size_t e = 0; e < y.size(); ++e) y.part[c][e] -= low[j].part[c][e] << j;
  const TruncRun run{x.size(), bits};
  return trunc_probabilistic(y, std::span(&run, 1));
}

}  // namespace sqt::mpc
