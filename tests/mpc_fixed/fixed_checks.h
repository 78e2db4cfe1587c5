// Protocol-generic checks of the fixed-point algorithms (host/mpc/fixed/)
// against float64 references, with the error bounds we state in
// docs/PROTOCOLS.md.
//
// Every check is a template over a `Run` callable, so the very same
// assertions run on any protocol. `run(body)` must construct the protocol (on
// every party), call `body(p)` with it and return party 0's result; body is a
// generic lambda `[&](auto& p) -> std::vector<Ring>` that inputs from party 0
// (use `owned(p, values)`), computes and reveals. fixed_suite.h turns the
// checks into one typed suite over the protocol;
// fixed_suite_<protocol>_test.cc instantiate it.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <random>
#include <span>
#include <vector>

#include "host/core/ring.h"
#include "host/mpc/fixed/fixed.h"
#include "host/mpc/protocol.h"

namespace sqt::test {

// The error bounds we state per ring (docs/PROTOCOLS.md): relative error plus
// an absolute allowance in ulps (2^-f), for either truncation mode.
template <RingElement T>
struct ErrorBounds;

// f = 16, k = 31.
template <>
struct ErrorBounds<Ring64> {
  static constexpr double kExpRel = 2e-4, kExpUlps = 3;
  static constexpr double kReciprocalRel = 3e-4, kReciprocalUlps = 2;
  static constexpr double kDivRel = 3e-4, kDivUlps = 4;  // ulps scaled by max(1, 1/|b|)
  static constexpr double kInvSqrtRel = 5e-3, kInvSqrtUlps = 2;
  static constexpr double kSqrtRel = 4e-3, kSqrtUlps = 2;
  static constexpr double kLogAbs = 1.5e-4;
  static constexpr double kSoftmaxAbs = 3e-4, kSoftmaxRowSum = 5e-4;
};

// f = 32, k = 63: about 2^16 times tighter, every algorithm refining to the
// precision (exp's polynomial is fitted to 2^-(f+1); the Newton and
// Goldschmidt iterations converge quadratically, and invsqrt/sqrt take two
// Newton steps above f = 24).
template <>
struct ErrorBounds<Ring128> {
  static constexpr double kExpRel = 1e-8, kExpUlps = 3;
  static constexpr double kReciprocalRel = 1e-8, kReciprocalUlps = 2;
  static constexpr double kDivRel = 1e-7, kDivUlps = 4;
  static constexpr double kInvSqrtRel = 1e-8, kInvSqrtUlps = 2;
  static constexpr double kSqrtRel = 1e-8, kSqrtUlps = 2;
  static constexpr double kLogAbs = 2e-8;
  static constexpr double kSoftmaxAbs = 2e-8, kSoftmaxRowSum = 2e-8;
};

// The checks over the ring T (Z_2^64 or Z_2^128): Ring below is T, and
// fp must fit it (default_fixed<T>() in the suite).
template <RingElement T>
struct FixedChecks {
  using Ring = T;
  using SignedRing = SignedOf<T>;

  // Party 0 owns the inputs; the other parties pass an empty span.
  template <class P>
  static typename P::Share owned(P& p, const std::vector<Ring>& values) {
    const std::span<const Ring> mine =
        p.party() == 0 ? std::span<const Ring>(values) : std::span<const Ring>();
    return p.input(0, mine, values.size());
  }

  static std::vector<Ring> encode_all(const std::vector<double>& xs, int f) {
    std::vector<Ring> out(xs.size());
    for (std::size_t i = 0; i < xs.size(); ++i) out[i] = encode_fixed<Ring>(xs[i], f);
    return out;
  }

  static std::vector<double> uniform(std::size_t n, double lo, double hi, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> d(lo, hi);
    std::vector<double> out(n);
    for (auto& v : out) v = d(rng);
    return out;
  }

  // Log-uniform positives in [lo, hi]: every binade of a normalising algorithm
  // gets tested.
  static std::vector<double> log_uniform(std::size_t n, double lo, double hi, std::uint64_t seed) {
    auto u = uniform(n, std::log2(lo), std::log2(hi), seed);
    for (auto& v : u) v = std::exp2(v);
    return u;
  }

  // The values a fixed-point encoding actually holds (inputs quantised to f bits).
  static std::vector<double> decoded(const std::vector<Ring>& v, int f) {
    std::vector<double> out(v.size());
    for (std::size_t i = 0; i < v.size(); ++i) out[i] = decode_fixed(v[i], f);
    return out;
  }

  // Largest error of got against want under |got - want| <= rel * |want| + abs,
  // reported as the worst ratio (<= 1 passes) and asserted.
  // abs_scale (if given) multiplies the absolute allowance element by element.
  static void expect_close(const std::vector<double>& got, const std::vector<double>& want,
                           const std::vector<double>& input, double rel, double abs, const char* what,
                           const std::vector<double>& abs_scale = {}) {
    ASSERT_EQ(got.size(), want.size()) << what;
    double worst = 0.0, worst_rel = 0.0, worst_abs = 0.0;
    for (std::size_t i = 0; i < got.size(); ++i) {
      const double err = std::abs(got[i] - want[i]);
      const double allowed = rel * std::abs(want[i]) + abs * (abs_scale.empty() ? 1.0 : abs_scale[i]);
      EXPECT_LE(err, allowed) << what << " at x = " << input[i] << ": got " << got[i] << ", want " << want[i];
      worst = std::max(worst, err / allowed);
      worst_abs = std::max(worst_abs, err);
      // Relative error is reported where |result| >= 1 (below that the
      // absolute quantisation dominates).
      if (std::abs(want[i]) >= 1.0) worst_rel = std::max(worst_rel, err / std::abs(want[i]));
    }
    ::testing::Test::RecordProperty(std::string(what) + "_max_abs_error", std::to_string(worst_abs));
    ::testing::Test::RecordProperty(std::string(what) + "_max_rel_error", std::to_string(worst_rel));
    std::printf("[ measured ] %s: max abs error %.3g, max rel error (|result| >= 1) %.3g, worst/bound %.3f\n",
                what, worst_abs, worst_rel, worst);
  }

  // fx::mul: the exact product of the encodings, divided by 2^f, rounded down
  // or up (probabilistic) or down (exact): within 1 ulp.
  template <class Run>
  static void check_mul(Run&& run, FixedParams fp, mpc::TruncMode mode, std::uint64_t seed) {
    const std::size_t n = 4000;
    const double bound = std::sqrt(std::ldexp(1.0, fp.k - fp.f - 1)) * 0.99;
    const auto a = encode_all(uniform(n, -bound, bound, seed), fp.f);
    const auto b = encode_all(uniform(n, -bound, bound, seed + 1), fp.f);
    const auto got = run([&](auto& p) { return p.reveal(mpc::fx::mul(p, owned(p, a), owned(p, b))); });
    ASSERT_EQ(got.size(), n);
    for (std::size_t i = 0; i < n; ++i) {
      const SignedRing128 prod =
          static_cast<SignedRing128>(static_cast<SignedRing>(a[i])) * static_cast<SignedRing>(b[i]);
      const auto floor_q = static_cast<SignedRing>(prod >> fp.f);
      const auto q = static_cast<SignedRing>(got[i]);
      if (mode == mpc::TruncMode::kExact) {
        EXPECT_EQ(q, floor_q) << "element " << i;
      } else {
        EXPECT_TRUE(q == floor_q || (q == floor_q + 1 && (prod & ((SignedRing128{1} << fp.f) - 1)) != 0))
            << "element " << i << ": got " << signed_text<Ring>(q) << ", floor "
            << signed_text<Ring>(floor_q);
      }
    }
  }

  // fx::matmul with every transpose combination: the floor of the exact
  // integer product divided by 2^f (exact mode), or that plus one where the
  // product has dropped bits (probabilistic). The mode and the products'
  // rounding are read from the protocol itself (appended to the revealed
  // values).
  template <class Run>
  static void check_matmul(Run&& run, FixedParams fp, std::uint64_t seed) {
    const std::size_t m = 7, n = 5, k = 33;
    const double bound = 4.0;
    const auto a = encode_all(uniform(m * k, -bound, bound, seed), fp.f);
    const auto b = encode_all(uniform(k * n, -bound, bound, seed + 1), fp.f);
    for (int variant = 0; variant < 4; ++variant) {
      const auto ta = (variant & 1) ? mpc::Trans::kYes : mpc::Trans::kNo;
      const auto tb = (variant & 2) ? mpc::Trans::kYes : mpc::Trans::kNo;
      auto got = run([&](auto& p) {
        auto v = p.reveal(mpc::fx::matmul(p, ta, tb, m, n, k, owned(p, a), owned(p, b)));
        const auto range = mpc::product_error(p);
        v.push_back(static_cast<Ring>(static_cast<SignedRing>(range.lo)));
        v.push_back(static_cast<Ring>(static_cast<SignedRing>(range.hi)));
        v.push_back(static_cast<Ring>(p.trunc_mode()));
        v.push_back(static_cast<Ring>(mpc::product_rounding(p)));
        return v;
      });
      ASSERT_EQ(got.size(), m * n + 4);
      const auto rounding = static_cast<mpc::ProductRounding>(got.back());
      got.pop_back();
      const auto mode = static_cast<mpc::TruncMode>(got.back());
      got.pop_back();
      const auto hi = static_cast<SignedRing>(got.back());
      got.pop_back();
      const auto lo = static_cast<SignedRing>(got.back());
      got.pop_back();
      for (std::size_t i = 0; i < m; ++i) {
        for (std::size_t j = 0; j < n; ++j) {
          SignedRing128 acc = 0;
          for (std::size_t l = 0; l < k; ++l) {
            const Ring av = ta == mpc::Trans::kNo ? a[i * k + l] : a[l * m + i];
            const Ring bv = tb == mpc::Trans::kNo ? b[l * n + j] : b[j * k + l];
            acc += static_cast<SignedRing128>(static_cast<SignedRing>(av)) * static_cast<SignedRing>(bv);
          }
          const auto floor_q = static_cast<SignedRing>(acc >> fp.f);
          const auto q = static_cast<SignedRing>(got[i * n + j]);
          if (mode == mpc::TruncMode::kExact) {
            EXPECT_EQ(q, floor_q) << "variant " << variant << " (" << i << "," << j << ")";
          } else if (rounding == mpc::ProductRounding::kUnbiased) {
            // The products skip the masks' carries: floor + lo to floor + hi
            // (mal-rep3: -1 to 2; shamir: wider with t; docs/PROTOCOLS.md).
            EXPECT_TRUE(q >= floor_q + lo && q <= floor_q + hi)
                << "variant " << variant << " (" << i << "," << j << "): got " << signed_text<Ring>(q)
                << ", floor " << signed_text<Ring>(floor_q);
          } else {
            EXPECT_TRUE(q == floor_q || (q == floor_q + 1 && (acc & ((SignedRing128{1} << fp.f) - 1)) != 0))
                << "variant " << variant << " (" << i << "," << j << "): got " << signed_text<Ring>(q)
                << ", floor " << signed_text<Ring>(floor_q);
          }
        }
      }
    }
  }

  // fx::less_than, fx::relu and fx::select: exact.
  template <class Run>
  static void check_compare_relu_select(Run&& run, FixedParams fp, std::uint64_t seed) {
    const std::size_t n = 3000;
    const double bound = std::ldexp(1.0, fp.k - fp.f - 2);
    auto xs = uniform(n, -bound, bound, seed);
    auto ys = uniform(n, -bound, bound, seed + 1);
    for (std::size_t i = 0; i < 50; ++i) ys[i] = xs[i];  // equal operands
    xs[50] = 0.0;
    const auto x = encode_all(xs, fp.f);
    const auto y = encode_all(ys, fp.f);
    const auto got = run([&](auto& p) {
      const auto sx = owned(p, x);
      const auto sy = owned(p, y);
      const auto lt = mpc::fx::less_than(p, sx, sy);
      const auto r = mpc::fx::relu(p, sx);
      const auto sel = mpc::fx::select(p, lt, sx, sy);  // min(x, y)
      const auto mask = mpc::fx::factor_value(p, r.mask);
      std::vector<Ring> all = p.reveal(lt);
      for (const auto* s : {&r.y, &mask, &sel}) {
        const auto v = p.reveal(*s);
        all.insert(all.end(), v.begin(), v.end());
      }
      return all;
    });
    ASSERT_EQ(got.size(), 4 * n);
    for (std::size_t i = 0; i < n; ++i) {
      const auto xi = static_cast<SignedRing>(x[i]);
      const auto yi = static_cast<SignedRing>(y[i]);
      EXPECT_EQ(got[i], xi < yi ? 1u : 0u) << "less_than " << i;
      EXPECT_EQ(static_cast<SignedRing>(got[n + i]), std::max<SignedRing>(xi, 0)) << "relu " << i;
      EXPECT_EQ(got[2 * n + i], xi > 0 ? 1u : 0u) << "relu mask " << i;
      EXPECT_EQ(static_cast<SignedRing>(got[3 * n + i]), std::min(xi, yi)) << "select " << i;
    }
  }

  // Windows of a channels-last h x w x c image for a pool of size `pool` and
  // stride `stride`: output-major, window positions row-major.
  static std::vector<std::uint32_t> pool_windows(std::size_t h, std::size_t w, std::size_t c,
                                                 std::size_t pool, std::size_t stride) {
    std::vector<std::uint32_t> idx;
    for (std::size_t oy = 0; oy + pool <= h; oy += stride) {
      for (std::size_t ox = 0; ox + pool <= w; ox += stride) {
        for (std::size_t ch = 0; ch < c; ++ch) {
          for (std::size_t dy = 0; dy < pool; ++dy) {
            for (std::size_t dx = 0; dx < pool; ++dx) {
              idx.push_back(static_cast<std::uint32_t>(((oy + dy) * w + ox + dx) * c + ch));
            }
          }
        }
      }
    }
    return idx;
  }

  // fx::max_windows: the maximum exact, the mask one-hot at the lowest position
  // holding it. Values drawn from a small set so that ties are frequent.
  template <class Run>
  static void check_max_windows(Run&& run, FixedParams fp, std::size_t pool, std::size_t stride,
                                std::uint64_t seed) {
    const std::size_t h = 9, w = 8, c = 3;
    std::mt19937_64 rng(seed);
    std::uniform_int_distribution<int> d(-6, 6);
    std::vector<double> xs(h * w * c);
    for (auto& v : xs) v = d(rng) * 0.75;
    const auto x = encode_all(xs, fp.f);
    const auto windows = pool_windows(h, w, c, pool, stride);
    const std::size_t out_n = windows.size() / (pool * pool);
    const auto got = run([&](auto& p) {
      const auto r = mpc::fx::max_windows(p, owned(p, x), windows, pool * pool);
      auto all = p.reveal(r.max);
      const auto mask = p.reveal(r.onehot);
      all.insert(all.end(), mask.begin(), mask.end());
      return all;
    });
    const std::size_t ws = pool * pool;
    ASSERT_EQ(got.size(), out_n + out_n * ws);
    for (std::size_t o = 0; o < out_n; ++o) {
      std::size_t best = 0;
      for (std::size_t j = 1; j < ws; ++j) {
        if (static_cast<SignedRing>(x[windows[o * ws + j]]) >
            static_cast<SignedRing>(x[windows[o * ws + best]]))
          best = j;
      }
      EXPECT_EQ(got[o], x[windows[o * ws + best]]) << "max of window " << o;
      for (std::size_t j = 0; j < ws; ++j) {
        EXPECT_EQ(got[out_n + o * ws + j], j == best ? 1u : 0u)
            << "mask of window " << o << " position " << j;
      }
    }
  }

  // fx::max_only (all-pairs comparison): rows of 1, 2, 3 and 10 values from a
  // small set (many ties, negative and positive), maximum exact.
  template <class Run>
  static void check_max_only(Run&& run, FixedParams fp, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::uniform_int_distribution<int> d(-5, 5);
    for (std::size_t cols : {1u, 2u, 3u, 10u}) {
      const std::size_t rows = 37;
      std::vector<double> xs(rows * cols);
      for (auto& v : xs) v = d(rng) * 1.5;
      const auto x = encode_all(xs, fp.f);
      std::vector<std::uint32_t> windows(rows * cols);
      for (std::size_t i = 0; i < windows.size(); ++i) windows[i] = static_cast<std::uint32_t>(i);
      const auto got =
          run([&](auto& p) { return p.reveal(mpc::fx::max_only(p, owned(p, x), windows, cols)); });
      ASSERT_EQ(got.size(), rows);
      for (std::size_t r = 0; r < rows; ++r) {
        SignedRing best = static_cast<SignedRing>(x[r * cols]);
        for (std::size_t c = 1; c < cols; ++c)
          best = std::max(best, static_cast<SignedRing>(x[r * cols + c]));
        EXPECT_EQ(static_cast<SignedRing>(got[r]), best) << "row " << r << " of " << cols << " columns";
      }
    }
  }

  // An exp variant `op` on the inputs xs against std::exp: relative error plus
  // an absolute floor of a few ulp (results below 2^-f are not representable).
  template <class Run, class Op>
  static void check_exp_variant(Run&& run, FixedParams fp, const std::vector<double>& xs, Op op, double rel,
                                double abs_ulps, const char* name) {
    const auto x = encode_all(xs, fp.f);
    const auto got = run([&](auto& p) { return p.reveal(op(p, owned(p, x))); });
    const auto xq = decoded(x, fp.f);
    std::vector<double> want(xq.size());
    for (std::size_t i = 0; i < xq.size(); ++i) want[i] = std::exp(xq[i]);
    expect_close(decoded(got, fp.f), want, xq, rel, abs_ulps * std::ldexp(1.0, -fp.f), name);
  }

  // fx::exp on [-20, ln(max)] and a few far-negative inputs (which must give 0).
  template <class Run>
  static void check_exp(Run&& run, FixedParams fp, std::uint64_t seed, double rel, double abs_ulps) {
    const double top = std::log(std::ldexp(1.0, fp.k - fp.f - 1)) - 0.05;
    auto xs = uniform(3000, -20.0, top, seed);
    xs.insert(xs.end(), {0.0, -1.0, 1.0, -11.09, -11.1, -12.0, -100.0, -5000.0, top});
    check_exp_variant(
        run, fp, xs, [](auto& p, const auto& x) { return mpc::fx::exp(p, x); }, rel, abs_ulps, "exp");
  }

  // fx::exp_nonpositive (softmax's exp) over x <= 0, including 0, one unit
  // below, both sides of the 2^-16 cut-off and far below it.
  template <class Run>
  static void check_exp_nonpositive(Run&& run, FixedParams fp, std::uint64_t seed, double rel,
                                    double abs_ulps) {
    auto xs = uniform(3000, -20.0, 0.0, seed);
    xs.insert(xs.end(), {0.0, -std::ldexp(1.0, -fp.f), -1.0, -11.09, -11.1, -12.0, -100.0, -5000.0});
    check_exp_variant(
        run, fp, xs, [](auto& p, const auto& x) { return mpc::fx::exp_nonpositive(p, x); }, rel, abs_ulps,
        "exp_nonpositive");
  }

  // fx::reciprocal on both signs over [2^-(k-f-1)... ] magnitudes whose result fits.
  template <class Run>
  static void check_reciprocal(Run&& run, FixedParams fp, std::uint64_t seed, double rel, double abs_ulps) {
    const double lo = std::ldexp(1.0, -(fp.k - fp.f - 3));
    const double hi = std::ldexp(1.0, fp.k - fp.f - 2);
    auto xs = log_uniform(3000, lo, hi, seed);
    for (std::size_t i = 0; i < xs.size(); i += 2) xs[i] = -xs[i];
    const auto x = encode_all(xs, fp.f);
    const auto got = run([&](auto& p) { return p.reveal(mpc::fx::reciprocal(p, owned(p, x))); });
    const auto xq = decoded(x, fp.f);
    std::vector<double> want(xq.size());
    for (std::size_t i = 0; i < xq.size(); ++i) want[i] = 1.0 / xq[i];
    expect_close(decoded(got, fp.f), want, xq, rel, abs_ulps * std::ldexp(1.0, -fp.f), "reciprocal");
  }

  // fx::reciprocal_in_range on [1, 10] (softmax's row sums) and on [0.5, 16],
  // including both ends; on [1, 10] also values slightly outside (softmax's
  // margins for exp's error).
  template <class Run>
  static void check_reciprocal_in_range(Run&& run, FixedParams fp, std::uint64_t seed, double rel,
                                        double abs_ulps) {
    for (auto [lo, hi] : {std::pair{1.0, 10.0}, std::pair{0.5, 16.0}}) {
      auto xs = log_uniform(3000, lo, hi, seed);
      xs.insert(xs.end(), {lo, hi});
      if (hi == 10.0) xs.insert(xs.end(), {0.95 * lo, 1.02 * hi});
      const auto x = encode_all(xs, fp.f);
      const auto got =
          run([&](auto& p) { return p.reveal(mpc::fx::reciprocal_in_range(p, owned(p, x), lo, hi)); });
      const auto xq = decoded(x, fp.f);
      std::vector<double> want(xq.size());
      for (std::size_t i = 0; i < xq.size(); ++i) want[i] = 1.0 / xq[i];
      expect_close(decoded(got, fp.f), want, xq, rel, abs_ulps * std::ldexp(1.0, -fp.f),
                   "reciprocal_in_range");
    }
  }

  // fx::div: a / b with |a| <= 4 and b in the reciprocal's range, results in
  // range. The absolute error grows like 1/|b| below 1: the Goldschmidt
  // numerator's rounding is scaled up by the normalisation factor.
  template <class Run>
  static void check_div(Run&& run, FixedParams fp, std::uint64_t seed, double rel, double abs_ulps) {
    const std::size_t n = 2000;
    auto as = uniform(n, -4.0, 4.0, seed);
    auto bs = log_uniform(n, 0.05, std::ldexp(1.0, fp.k - fp.f - 2), seed + 1);
    for (std::size_t i = 0; i < n; i += 3) bs[i] = -bs[i];
    const auto a = encode_all(as, fp.f);
    const auto b = encode_all(bs, fp.f);
    const auto got = run([&](auto& p) { return p.reveal(mpc::fx::div(p, owned(p, a), owned(p, b))); });
    const auto aq = decoded(a, fp.f);
    const auto bq = decoded(b, fp.f);
    std::vector<double> want(n), scale(n);
    for (std::size_t i = 0; i < n; ++i) {
      want[i] = aq[i] / bq[i];
      scale[i] = std::max(1.0, 1.0 / std::abs(bq[i]));
    }
    expect_close(decoded(got, fp.f), want, bq, rel, abs_ulps * std::ldexp(1.0, -fp.f), "div", scale);
  }

  // fx::invsqrt, fx::sqrt, fx::log on positives across all binades from 2^-f.
  template <class Run>
  static void check_invsqrt(Run&& run, FixedParams fp, std::uint64_t seed, double rel, double abs_ulps) {
    auto xs = log_uniform(3000, std::ldexp(1.0, -fp.f + 2), std::ldexp(1.0, fp.k - fp.f - 1) * 0.99, seed);
    const auto x = encode_all(xs, fp.f);
    const auto got = run([&](auto& p) { return p.reveal(mpc::fx::invsqrt(p, owned(p, x))); });
    const auto xq = decoded(x, fp.f);
    std::vector<double> want(xq.size());
    for (std::size_t i = 0; i < xq.size(); ++i) want[i] = 1.0 / std::sqrt(xq[i]);
    expect_close(decoded(got, fp.f), want, xq, rel, abs_ulps * std::ldexp(1.0, -fp.f), "invsqrt");
  }

  template <class Run>
  static void check_sqrt(Run&& run, FixedParams fp, std::uint64_t seed, double rel, double abs_ulps) {
    auto xs = log_uniform(3000, std::ldexp(1.0, -fp.f), std::ldexp(1.0, fp.k - fp.f - 1) * 0.99, seed);
    xs.push_back(0.0);
    const auto x = encode_all(xs, fp.f);
    const auto got = run([&](auto& p) { return p.reveal(mpc::fx::sqrt(p, owned(p, x))); });
    const auto xq = decoded(x, fp.f);
    std::vector<double> want(xq.size());
    for (std::size_t i = 0; i < xq.size(); ++i) want[i] = std::sqrt(xq[i]);
    expect_close(decoded(got, fp.f), want, xq, rel, abs_ulps * std::ldexp(1.0, -fp.f), "sqrt");
  }

  template <class Run>
  static void check_log(Run&& run, FixedParams fp, std::uint64_t seed, double abs) {
    auto xs = log_uniform(3000, std::ldexp(1.0, -fp.f + 4), std::ldexp(1.0, fp.k - fp.f - 1) * 0.99, seed);
    xs.insert(xs.end(), {1.0, 0.5, 0.75, 2.0});
    const auto x = encode_all(xs, fp.f);
    const auto got = run([&](auto& p) { return p.reveal(mpc::fx::log(p, owned(p, x))); });
    const auto xq = decoded(x, fp.f);
    std::vector<double> want(xq.size());
    for (std::size_t i = 0; i < xq.size(); ++i) want[i] = std::log(xq[i]);
    expect_close(decoded(got, fp.f), want, xq, 0.0, abs, "log");
  }

  // fx::softmax: each element within `abs` of the float64 softmax of the
  // quantised input, every row sums to 1 within `row_sum`.
  template <class Run>
  static void check_softmax(Run&& run, FixedParams fp, std::uint64_t seed, double abs, double row_sum) {
    const std::size_t rows = 200, cols = 10;
    auto xs = uniform(rows * cols, -8.0, 8.0, seed);
    for (std::size_t c = 0; c < cols; ++c) xs[c] = 1.5;  // a row of ties
    const auto x = encode_all(xs, fp.f);
    const auto got = run([&](auto& p) { return p.reveal(mpc::fx::softmax(p, owned(p, x), rows, cols)); });
    const auto xq = decoded(x, fp.f);
    const auto yq = decoded(got, fp.f);
    std::vector<double> want(rows * cols);
    double worst_sum = 0.0;
    for (std::size_t r = 0; r < rows; ++r) {
      const double mx = *std::max_element(xq.begin() + static_cast<std::ptrdiff_t>(r * cols),
                                          xq.begin() + static_cast<std::ptrdiff_t>((r + 1) * cols));
      double s = 0.0, s_got = 0.0;
      for (std::size_t c = 0; c < cols; ++c) s += std::exp(xq[r * cols + c] - mx);
      for (std::size_t c = 0; c < cols; ++c) {
        want[r * cols + c] = std::exp(xq[r * cols + c] - mx) / s;
        s_got += yq[r * cols + c];
      }
      EXPECT_NEAR(s_got, 1.0, row_sum) << "row " << r;
      worst_sum = std::max(worst_sum, std::abs(s_got - 1.0));
    }
    std::printf("[ measured ] softmax: max |row sum - 1| %.3g\n", worst_sum);
    expect_close(yq, want, xq, 0.0, abs, "softmax");
  }
};

// The Z_2^64 checks, for the protocol-specific suites.
using Checks64 = FixedChecks<Ring>;

}  // namespace sqt::test
