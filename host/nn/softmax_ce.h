// Softmax + cross-entropy on shares, and the secure accuracy count.
// The gradient of the batch's summed cross-entropy is softmax - onehot
// (scaled in the optimizer); softmax is fx::softmax (row max by the
// comparison tree, the exponentiation of DESIGN.md section 3, reciprocal).
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "host/mpc/fixed/fixed.h"

namespace sqt::nn {

inline std::vector<std::uint32_t> row_windows(std::size_t rows, std::size_t cols) {
  std::vector<std::uint32_t> w(rows * cols);
  for (std::size_t i = 0; i < w.size(); ++i) w[i] = static_cast<std::uint32_t>(i);
  return w;
}

// Gradient of the batch's summed cross-entropy w.r.t. the logits; the
// probabilities go to *probs when asked (for the loss).
template <class P>
typename P::Share softmax_ce_grad(P& p, const typename P::Share& logits, const typename P::Share& onehot,
                                  std::size_t rows, std::size_t cols, typename P::Share* probs = nullptr) {
  auto sm = mpc::fx::softmax(p, logits, rows, cols);
  auto g = p.sub(sm, onehot);
  if (probs) *probs = std::move(sm);
  return g;
}

// -sum(onehot * ln(probs + 2^-f)) over the batch, as a share of one value
// at f fractional bits: the trainer adds the batches' shares and opens one
// sum per epoch.
template <class P>
typename P::Share cross_entropy_share(P& p, const typename P::Share& probs, const typename P::Share& onehot) {
  const int f = p.fixed().f;
  const auto lg = mpc::fx::log(p, p.add_public(probs, typename P::Ring{1}));
  const auto picked = p.trunc(p.mul(lg, onehot), f);
  return p.neg(p.linear(picked, 1, [&](const typename P::Ring* in, typename P::Ring* out) {
    for (std::size_t i = 0; i < picked.size(); ++i) out[0] += in[i];
  }));
}

// The same, opened (tests and benchmarks; one value revealed).
template <class P>
double cross_entropy_sum(P& p, const typename P::Share& probs, const typename P::Share& onehot) {
  return decode_fixed(p.reveal(cross_entropy_share(p, probs, onehot))[0], p.fixed().f);
}

// Number of rows whose argmax (ties to the lowest class) is the labelled
// class, as a share of one value at f fractional bits (onehot_labels is at
// f): the trainer adds the test slices' shares and opens one count.
template <class P>
typename P::Share correct_count_share(P& p, const typename P::Share& logits,
                                      const typename P::Share& onehot_labels, std::size_t rows,
                                      std::size_t cols) {
  const auto win = row_windows(rows, cols);
  const auto am = mpc::fx::max_windows(p, logits, win, cols);  // onehot [r * cols + c]
  const auto hit = p.mul(am.onehot, onehot_labels);
  return p.linear(hit, 1, [&](const typename P::Ring* in, typename P::Ring* out) {
    for (std::size_t i = 0; i < rows * cols; ++i) out[0] += in[i];
  });
}

// An opened count (as correct_count_share encodes it) as a number.
template <RingElement T>
std::size_t decode_count(T v, int f) {
  return static_cast<std::size_t>(std::llround(decode_fixed(v, f)));
}

// The same count, opened (tests; one value revealed).
template <class P>
std::size_t count_correct(P& p, const typename P::Share& logits, const typename P::Share& onehot_labels,
                          std::size_t rows, std::size_t cols) {
  return decode_count(p.reveal(correct_count_share(p, logits, onehot_labels, rows, cols))[0], p.fixed().f);
}

}  // namespace sqt::nn
