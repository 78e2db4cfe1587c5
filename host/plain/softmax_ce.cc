#include "host/plain/softmax_ce.h"

#include <algorithm>
#include <cmath>

namespace sqt::plain {

double softmax_cross_entropy(const float* logits, std::span<const std::uint8_t> labels, int classes,
                             float* grad) {
  double loss = 0;
  for (std::size_t s = 0; s < labels.size(); ++s) {
    const float* z = logits + s * classes;
    float* g = grad + s * classes;
    const float zmax = *std::max_element(z, z + classes);
    double sum = 0;
    for (int c = 0; c < classes; ++c) sum += std::exp(static_cast<double>(z[c] - zmax));
    for (int c = 0; c < classes; ++c)
      g[c] = static_cast<float>(std::exp(static_cast<double>(z[c] - zmax)) / sum) -
             (c == labels[s] ? 1.0f : 0.0f);
    loss += std::log(sum) - static_cast<double>(z[labels[s]] - zmax);
  }
  return loss;
}

std::size_t count_correct(const float* logits, std::span<const std::uint8_t> labels, int classes) {
  std::size_t correct = 0;
  for (std::size_t s = 0; s < labels.size(); ++s) {
    const float* z = logits + s * classes;
    correct += static_cast<std::size_t>(std::max_element(z, z + classes) - z) == labels[s];
  }
  return correct;
}

}  // namespace sqt::plain
