// Maximum over windows by a tree of comparisons, with the comparison bits
// kept for routing gradients (or one-hot masks) back to the winners.
//
// `windows` lists, for each of out_n outputs, window_size input indices. The
// candidates of every window are compared pairwise (adjacent positions),
// ceil(log2(window_size)) levels, each one batched comparison for all windows
// plus one batched multiplication that selects the larger candidate. The
// right candidate wins only when strictly larger, so ties go to the lowest
// position. Forward keeps each level's bit c = [right > left] as a bit
// factor (Protocol::ltz_factor: it only ever multiplies); route_back()
// then walks the tree top-down (right child gets c * g, left child g - c * g),
// one multiplication per level and no per-position masks in the forward: at
// a 2x2 window that is 3 products per output instead of 4 mask products in
// the forward plus 4 routing products in the backward.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "host/core/error.h"
#include "host/mpc/fixed/basic.h"

namespace sqt::mpc::fx {

// What route_back() needs: per tree level, the candidate count before the
// level and the comparison bits (out_n x pairs, window-major).
template <Protocol P>
struct MaxRouting {
  std::size_t out_n = 0, window_size = 0;
  struct Level {
    std::size_t candidates = 0;
    FactorOf<P> take_right;
  };
  std::vector<Level> levels;
};

template <Protocol P>
struct MaxRouted {
  ShareOf<P> max;  // out_n maxima
  MaxRouting<P> routing;
};

template <Protocol P>
struct MaxResult {
  ShareOf<P> max;  // out_n maxima
  // out_n x window_size, output-major like `windows`: onehot[o * w + j] is 1
  // where windows[o * w + j] holds the maximum.
  ShareOf<P> onehot;
};

namespace detail {

inline void check_windows(std::span<const std::uint32_t> windows, std::size_t window_size, std::size_t in_n) {
  if (window_size == 0 || windows.size() % window_size != 0) {
    throw ShapeError("fx::max_windows: " + std::to_string(windows.size()) +
                     " window indices do not divide into windows of " + std::to_string(window_size));
  }
  for (std::uint32_t idx : windows) {
    if (idx >= in_n) {
      throw ShapeError("fx::max_windows: window index " + std::to_string(idx) + " outside an input of " +
                       std::to_string(in_n) + " elements");
    }
  }
}

}  // namespace detail

// Maximum of every window, and the routing to its (lowest) arg-max.
// Rounds: ceil(log2(window_size)) x (one comparison + one product with its
// bit factor).
template <Protocol P>
MaxRouted<P> max_windows_routed(P& p, const ShareOf<P>& x, std::span<const std::uint32_t> windows,
                                std::size_t window_size) {
  detail::check_windows(windows, window_size, x.size());
  const std::size_t w = window_size;
  const std::size_t out_n = windows.size() / w;
  MaxRouted<P> r;
  r.routing.out_n = out_n;
  r.routing.window_size = w;
  // The first level reads the input through the window indices directly;
  // later levels read the previous level's winners (`cand`, out_n x c).
  ShareOf<P> cand;
  bool from_input = true;
  std::size_t c = w;
  while (c > 1) {
    const std::size_t pairs = c / 2;
    const ShareOf<P>& src = from_input ? x : cand;
    auto from_windows = [&](std::size_t o, std::size_t j) -> std::size_t { return windows[o * w + j]; };
    auto from_cand = [&](std::size_t o, std::size_t j) -> std::size_t { return o * c + j; };
    // The left candidates and left - right in one pass over the indices
    // (instantiated per index map, so the loop does not branch on it).
    auto gather = [&](auto at) {
      return linear_overwrite_pair(src, out_n * pairs, out_n * pairs,
                                   [&](const RingOf<P>* in, RingOf<P>* l, RingOf<P>* d) {
                                     for (std::size_t o = 0; o < out_n; ++o)
                                       for (std::size_t i = 0; i < pairs; ++i) {
                                         const RingOf<P> left_value = in[at(o, 2 * i)];
                                         l[o * pairs + i] = left_value;
                                         d[o * pairs + i] = left_value - in[at(o, 2 * i + 1)];
                                       }
                                   });
    };
    auto at = [&](std::size_t o, std::size_t j) { return from_input ? from_windows(o, j) : from_cand(o, j); };
    auto [left, left_minus_right] = from_input ? gather(from_windows) : gather(from_cand);
    FactorOf<P> take_right = p.ltz_factor(left_minus_right);  // [right > left]
    // winner = left - c (left - right)
    ShareOf<P> winners = p.sub(std::move(left), p.mul_factor(take_right, left_minus_right));
    const std::size_t next_c = pairs + (c % 2);
    if (c % 2 == 0) {
      cand = std::move(winners);
    } else {  // the unpaired last candidate moves up unchanged
      const ShareOf<P> last = linear_overwrite(src, out_n, [&](const RingOf<P>* in, RingOf<P>* out) {
        for (std::size_t o = 0; o < out_n; ++o) out[o] = in[at(o, c - 1)];
      });
      cand = linear_overwrite2(winners, last, out_n * next_c,
                               [&](const RingOf<P>* won, const RingOf<P>* unpaired, RingOf<P>* out) {
                                 for (std::size_t o = 0; o < out_n; ++o) {
                                   for (std::size_t i = 0; i < pairs; ++i)
                                     out[o * next_c + i] = won[o * pairs + i];
                                   out[o * next_c + pairs] = unpaired[o];
                                 }
                               });
    }
    r.routing.levels.push_back({c, std::move(take_right)});
    from_input = false;
    c = next_c;
  }
  if (from_input) {  // windows of one element
    cand = linear_overwrite(x, out_n, [&](const RingOf<P>* in, RingOf<P>* out) {
      for (std::size_t o = 0; o < out_n; ++o) out[o] = in[windows[o]];
    });
  }
  r.max = std::move(cand);
  return r;
}

// g (out_n values, one per window) routed to the window positions:
// out[o * window_size + j] = g[o] where j is window o's arg-max, else 0.
// Rounds: one multiplication per tree level.
template <Protocol P>
ShareOf<P> route_back(P& p, const MaxRouting<P>& routing, const ShareOf<P>& g) {
  const std::size_t out_n = routing.out_n;
  if (g.size() != out_n) {
    throw ShapeError("fx::route_back: " + std::to_string(g.size()) + " gradients for " +
                     std::to_string(out_n) + " windows");
  }
  ShareOf<P> node = g;  // out_n x (candidates after the current level)
  for (std::size_t l = routing.levels.size(); l-- > 0;) {
    const std::size_t c = routing.levels[l].candidates, pairs = c / 2, next_c = pairs + (c % 2);
    ShareOf<P> g_pairs;  // node's first `pairs` columns (node itself when that is all of it)
    if (next_c != pairs) {
      g_pairs = linear_overwrite(node, out_n * pairs, [&](const RingOf<P>* in, RingOf<P>* out) {
        for (std::size_t o = 0; o < out_n; ++o)
          for (std::size_t i = 0; i < pairs; ++i) out[o * pairs + i] = in[o * next_c + i];
      });
    }
    const ShareOf<P> to_right = p.mul_factor(routing.levels[l].take_right, next_c == pairs ? node : g_pairs);
    node = linear_overwrite2(node, to_right, out_n * c,
                             [&](const RingOf<P>* up, const RingOf<P>* right, RingOf<P>* out) {
                               // up: out_n x next_c, right: out_n x pairs
                               for (std::size_t o = 0; o < out_n; ++o) {
                                 for (std::size_t i = 0; i < pairs; ++i) {
                                   out[o * c + 2 * i] = up[o * next_c + i] - right[o * pairs + i];
                                   out[o * c + 2 * i + 1] = right[o * pairs + i];
                                 }
                                 if (c % 2 == 1) out[o * c + c - 1] = up[o * next_c + pairs];
                               }
                             });
  }
  return node;
}

// One-hot arg-max masks (out_n x window_size, output-major like `windows`;
// ties to the lowest position): the routing of a public all-ones gradient.
template <Protocol P>
ShareOf<P> onehot_masks(P& p, const MaxRouting<P>& routing) {
  return route_back(p, routing, p.add_public(p.zeros(routing.out_n), RingOf<P>{1}));
}

// Maximum of every window and its one-hot arg-max mask.
template <Protocol P>
MaxResult<P> max_windows(P& p, const ShareOf<P>& x, std::span<const std::uint32_t> windows,
                         std::size_t window_size) {
  MaxRouted<P> r = max_windows_routed(p, x, windows, window_size);
  return {std::move(r.max), onehot_masks(p, r.routing)};
}

// Maximum of every window without the routing, by comparing all pairs at
// once: candidate i is the maximum when it beats every other one (strictly
// those before it, ties to the lowest position), a product of w - 1 bits.
// Rounds: one ltz + ceil(log2(w - 1)) + 1 multiplications (12 at w = 10,
// against 32 for the tree), for w (w - 1) / 2 comparisons per window
// instead of w - 1: the right trade for short rows such as softmax's.
template <Protocol P>
ShareOf<P> max_only(P& p, const ShareOf<P>& x, std::span<const std::uint32_t> windows,
                    std::size_t window_size) {
  detail::check_windows(windows, window_size, x.size());
  const std::size_t w = window_size, out_n = windows.size() / w;
  const ShareOf<P> cand = linear_overwrite(x, out_n * w, [&](const RingOf<P>* in, RingOf<P>* out) {
    for (std::size_t i = 0; i < out_n * w; ++i) out[i] = in[windows[i]];
  });
  if (w == 1) return cand;
  const std::size_t pairs = w * (w - 1) / 2;
  // Pair q = (i, j), i < j, in row-major order of the upper triangle.
  std::vector<std::size_t> pair_of(w * w, 0);
  for (std::size_t i = 0, q = 0; i < w; ++i)
    for (std::size_t j = i + 1; j < w; ++j, ++q) pair_of[i * w + j] = pair_of[j * w + i] = q;
  const ShareOf<P> later_wins =
      p.ltz(linear_overwrite(cand, out_n * pairs, [&](const RingOf<P>* in, RingOf<P>* out) {
        for (std::size_t o = 0; o < out_n; ++o)
          for (std::size_t i = 0, q = 0; i < w; ++i)
            for (std::size_t j = i + 1; j < w; ++j, ++q) out[o * pairs + q] = in[o * w + i] - in[o * w + j];
      }));  // [x_j > x_i] for the pair (i, j)
  // factors[(o * w + i) * (w - 1) + t]: i's bit against its t-th rival,
  // 1 - [x_j > x_i] against a later j, [x_i > x_j] = later_wins of (j, i) against an earlier j.
  const std::size_t rivals = w - 1;
  std::vector<RingOf<P>> ones(out_n * w * rivals, 0);
  for (std::size_t o = 0; o < out_n; ++o)
    for (std::size_t i = 0; i < w; ++i)
      for (std::size_t t = 0; t < rivals; ++t) ones[(o * w + i) * rivals + t] = (t >= i) ? 1 : 0;
  ShareOf<P> factors =
      linear_overwrite(later_wins, out_n * w * rivals, [&](const RingOf<P>* in, RingOf<P>* out) {
        for (std::size_t o = 0; o < out_n; ++o)
          for (std::size_t i = 0; i < w; ++i)
            for (std::size_t t = 0; t < rivals; ++t) {
              const std::size_t j = t < i ? t : t + 1;
              const RingOf<P> v = in[o * pairs + pair_of[i * w + j]];
              out[(o * w + i) * rivals + t] = j < i ? v : RingOf<P>{0} - v;
            }
      });
  factors = p.add_public(factors, std::span<const RingOf<P>>(ones));
  // Product over each group of `k` factors, halving k per multiplication.
  std::size_t k = rivals;
  const std::size_t groups = out_n * w;
  while (k > 1) {
    // Factor t of a group meets factor next + t; an odd group's last factor
    // meets a public 1.
    const std::size_t half = k / 2, next = k - half;
    const ShareOf<P> a = linear_overwrite(factors, groups * next, [&](const RingOf<P>* in, RingOf<P>* out) {
      for (std::size_t g = 0; g < groups; ++g)
        for (std::size_t t = 0; t < next; ++t) out[g * next + t] = in[g * k + t];
    });
    ShareOf<P> b = p.linear(factors, groups * next, [&](const RingOf<P>* in, RingOf<P>* out) {
      for (std::size_t g = 0; g < groups; ++g)
        for (std::size_t t = 0; t < half; ++t) out[g * next + t] = in[g * k + next + t];
    });
    if (half != next) {
      std::vector<RingOf<P>> pad(groups * next, 0);
      for (std::size_t g = 0; g < groups; ++g) pad[g * next + half] = 1;
      b = p.add_public(b, std::span<const RingOf<P>>(pad));
    }
    factors = p.mul(a, b);
    k = next;
  }
  // factors now holds one 0/1 winner bit per candidate.
  const ShareOf<P> picked = p.mul(factors, cand);
  return p.linear(picked, out_n, [&](const RingOf<P>* in, RingOf<P>* out) {
    for (std::size_t o = 0; o < out_n; ++o)
      for (std::size_t i = 0; i < w; ++i) out[o] += in[o * w + i];
  });
}

}  // namespace sqt::mpc::fx
