// A checkpoint's vectors as this party's shares: the trainer resumes from
// them and `sqt predict --checkpoint` classifies with them. Vector `index`
// (0: the parameters, then the optimizer states) spans S::kComponents
// stored vectors; an element of Z_2^128 is two words, low first.
#pragma once

#include <cstddef>
#include <string>

#include "host/core/error.h"
#include "host/core/ring.h"
#include "host/nn/checkpoint.h"

namespace sqt::nn {

template <class S>
S shares_from_checkpoint(const CheckpointData& c, std::size_t index) {
  using R = typename S::Elem;
  if (c.components != S::kComponents || c.vectors.size() < (index + 1) * S::kComponents)
    throw FileError("checkpoint does not match this protocol's share layout");
  if (c.ring_bits != sqt::ring_bits<R>) {
    throw FileError("checkpoint holds Z_2^" + std::to_string(c.ring_bits) + " shares, this run is in Z_2^" +
                    std::to_string(sqt::ring_bits<R>));
  }
  constexpr int kWords = sqt::ring_bits<R> / 64;
  S s;
  for (int k = 0; k < S::kComponents; ++k) {
    const auto& v = c.vectors[index * S::kComponents + k];
    s.part[k].resize(v.size() / kWords);
    for (std::size_t e = 0; e < s.part[k].size(); ++e) {
      R x = 0;
      for (int w = 0; w < kWords; ++w) x |= static_cast<R>(v[e * kWords + w]) << (64 * w);
      s.part[k][e] = x;
    }
  }
  return s;
}

}  // namespace sqt::nn
