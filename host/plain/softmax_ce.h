// Softmax + cross-entropy on a batch of logits, in float with float64 sums.
#pragma once

#include <cstdint>
#include <span>

namespace sqt::plain {

// logits and grad are [labels.size()][classes]. Writes grad = softmax - onehot
// per sample (summed over the batch by the layers; the optimizer divides by
// the batch size, as the secure trainer does) and returns the summed loss
// -sum log softmax[label]. The row maximum is subtracted first for range.
double softmax_cross_entropy(const float* logits, std::span<const std::uint8_t> labels, int classes,
                             float* grad);

// Number of rows whose arg-max (first on ties) equals the label.
std::size_t count_correct(const float* logits, std::span<const std::uint8_t> labels, int classes);

}  // namespace sqt::plain
