// Maximum over windows by a tree of comparisons, with one-hot routing masks.
//
// `windows` lists, for each of out_n outputs, window_size input indices. The
// candidates of every window are compared pairwise (adjacent positions),
// log2(window_size) levels, each one batched comparison for all windows plus
// one batched multiplication that both selects the larger candidate and
// updates the routing masks. The right candidate wins only when strictly
// larger, so ties go to the lowest position. The mask of window o is the
// product over levels of c (for positions under the winning right subtree) or
// 1 - c (left subtree): exactly one 1 per window.
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

template <Protocol P>
struct MaxResult {
  ShareOf<P> max;  // out_n maxima
  // out_n x window_size, output-major like `windows`: onehot[o * w + j] is 1
  // where windows[o * w + j] holds the maximum (backward: grad_in[windows[i]]
  // += onehot[i] * grad_out[i / w], accumulating over overlapping windows).
  ShareOf<P> onehot;
};

namespace detail {

// One candidate per node of the tree: the range of window positions it covers.
struct Span {
  std::size_t lo, hi;
};

template <Protocol P>
MaxResult<P> window_tree_max(P& p, const ShareOf<P>& x, std::span<const std::uint32_t> windows,
                             std::size_t window_size, bool want_masks) {
  if (window_size == 0 || windows.size() % window_size != 0) {
    throw ShapeError("fx::max_windows: " + std::to_string(windows.size()) +
                     " window indices do not divide into windows of " + std::to_string(window_size));
  }
  const std::size_t out_n = windows.size() / window_size;
  const std::size_t in_n = x.size();
  for (std::uint32_t idx : windows) {
    if (idx >= in_n) {
      throw ShapeError("fx::max_windows: window index " + std::to_string(idx) + " outside an input of " +
                       std::to_string(in_n) + " elements");
    }
  }
  const std::size_t w = window_size;
  ShareOf<P> cand = p.linear(x, out_n * w, [&](const Ring* in, Ring* out) {
    for (std::size_t i = 0; i < out_n * w; ++i) out[i] = in[windows[i]];
  });
  std::vector<Span> nodes(w);
  for (std::size_t j = 0; j < w; ++j) nodes[j] = {j, j + 1};

  MaxResult<P> r;
  bool masks_are_ones = true;  // the masks start as the public all-ones vector
  while (nodes.size() > 1) {
    const std::size_t c = nodes.size();
    const std::size_t pairs = c / 2;
    // Left (even) and right (odd) candidates of every pair, window-major.
    auto pick = [&](std::size_t first) {
      return p.linear(cand, out_n * pairs, [&, first](const Ring* in, Ring* out) {
        for (std::size_t o = 0; o < out_n; ++o) {
          for (std::size_t i = 0; i < pairs; ++i) out[o * pairs + i] = in[o * c + 2 * i + first];
        }
      });
    };
    const ShareOf<P> left = pick(0);
    const ShareOf<P> right = pick(1);
    const ShareOf<P> right_minus_left = p.sub(right, left);
    const ShareOf<P> take_right = p.ltz(p.neg(right_minus_left));  // [right > left]

    ShareOf<P> gain;  // take_right * (right - left)
    if (want_masks) {
      // factor = 1 - c on left subtrees, c on right subtrees, 1 elsewhere.
      std::vector<Ring> ones(out_n * w, 1);
      std::vector<int> sign(w, 0);
      std::vector<std::size_t> pair_of(w, 0);
      for (std::size_t i = 0; i < pairs; ++i) {
        for (std::size_t j = nodes[2 * i].lo; j < nodes[2 * i + 1].hi; ++j) pair_of[j] = i;
        for (std::size_t j = nodes[2 * i].lo; j < nodes[2 * i].hi; ++j) sign[j] = -1;
        for (std::size_t j = nodes[2 * i + 1].lo; j < nodes[2 * i + 1].hi; ++j) {
          sign[j] = 1;
          for (std::size_t o = 0; o < out_n; ++o) ones[o * w + j] = 0;
        }
      }
      ShareOf<P> factor = p.linear(take_right, out_n * w, [&](const Ring* in, Ring* out) {
        for (std::size_t o = 0; o < out_n; ++o) {
          for (std::size_t j = 0; j < w; ++j) {
            const Ring v = in[o * pairs + pair_of[j]];
            out[o * w + j] = sign[j] > 0 ? v : (sign[j] < 0 ? Ring{0} - v : Ring{0});
          }
        }
      });
      factor = p.add_public(factor, std::span<const Ring>(ones));
      if (masks_are_ones) {
        r.onehot = std::move(factor);
        gain = p.mul(take_right, right_minus_left);
        masks_are_ones = false;
      } else {
        const std::pair<const ShareOf<P>*, const ShareOf<P>*> products[] = {{&take_right, &right_minus_left},
                                                                            {&r.onehot, &factor}};
        auto z = mul_many<P>(p, products, 0);
        gain = std::move(z[0]);
        r.onehot = std::move(z[1]);
      }
    } else {
      gain = p.mul(take_right, right_minus_left);
    }
    const ShareOf<P> winners = p.add(left, gain);

    // Next level: the winners, then the unpaired last candidate if any.
    const std::size_t next_c = pairs + (c % 2);
    // (one gather over the concatenation [winners, cand]).
    const ShareOf<P> both = concat(winners, cand);
    const std::size_t cand_at = out_n * pairs;
    cand = p.linear(both, out_n * next_c, [&](const Ring* in, Ring* out) {
      for (std::size_t o = 0; o < out_n; ++o) {
        for (std::size_t i = 0; i < pairs; ++i) out[o * next_c + i] = in[o * pairs + i];
        if (c % 2 == 1) out[o * next_c + pairs] = in[cand_at + o * c + c - 1];
      }
    });
    std::vector<Span> next(next_c);
    for (std::size_t i = 0; i < pairs; ++i) next[i] = {nodes[2 * i].lo, nodes[2 * i + 1].hi};
    if (c % 2 == 1) next[pairs] = nodes[c - 1];
    nodes = std::move(next);
  }
  r.max = std::move(cand);
  if (want_masks && masks_are_ones) {
    std::vector<Ring> ones(out_n * w, 1);
    r.onehot = p.add_public(p.zeros(out_n * w), std::span<const Ring>(ones));
  }
  return r;
}

}  // namespace detail

// Maximum of every window and its one-hot routing mask (ties to the lowest
// position). Rounds: ceil(log2(window_size)) x (one ltz + one multiplication).
template <Protocol P>
MaxResult<P> max_windows(P& p, const ShareOf<P>& x, std::span<const std::uint32_t> windows,
                         std::size_t window_size) {
  return detail::window_tree_max(p, x, windows, window_size, true);
}

// Maximum of every window without the masks (softmax needs only the value).
template <Protocol P>
ShareOf<P> max_only(P& p, const ShareOf<P>& x, std::span<const std::uint32_t> windows,
                    std::size_t window_size) {
  return detail::window_tree_max(p, x, windows, window_size, false).max;
}

}  // namespace sqt::mpc::fx
