// An image classification dataset held in memory as raw bytes.
//
// Pixels stay uint8 (NHWC, sample after sample) and are mapped to numbers on
// the way out: value = pixel * scale + offset. MNIST uses scale 1/256,
// offset 0 (values in [0, 1)); CIFAR-10 uses 1/128, -1 (values in [-1, 1)).
// Both maps are exact in float and in fixed point with f >= 8.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "host/core/ring.h"

namespace sqt::data {

enum class Split { kTrain, kTest };

inline constexpr int kNumClasses = 10;

struct Dataset {
  std::string name;  // e.g. "mnist/train", used in messages
  std::size_t count = 0;
  int height = 0, width = 0, channels = 0;
  float scale = 1.0f, offset = 0.0f;
  std::vector<std::uint8_t> pixels;  // count * height * width * channels, NHWC
  std::vector<std::uint8_t> labels;  // count, each 0..9

  std::size_t sample_size() const { return static_cast<std::size_t>(height) * width * channels; }
  float value(std::uint8_t pixel) const { return static_cast<float>(pixel) * scale + offset; }

  // Writes the samples `indices` as floats, NHWC, sample after sample, into
  // out (indices.size() * sample_size()).
  void gather_float(std::span<const std::uint32_t> indices, float* out) const;

  // The same values as fixed-point ring elements with f fractional bits: what
  // a data owner secret-shares as the input of one batch.
  template <RingElement T>  // Z_2^64 or Z_2^128 (instantiated for both)
  void gather_fixed(std::span<const std::uint32_t> indices, int f, T* out) const;

  // One-hot labels (indices.size() * 10) as floats / fixed point with f bits.
  void gather_onehot_float(std::span<const std::uint32_t> indices, float* out) const;
  template <RingElement T>
  void gather_onehot_fixed(std::span<const std::uint32_t> indices, int f, T* out) const;
};

// Shifts and scales both sets' value maps so that the training set's values
// have mean 0 and standard deviation 1 (one mean and one deviation over all
// pixels). Only the data owner applies it, before secret-sharing: the
// statistics never leave its process.
void standardize(Dataset& train, Dataset& test);

// The sums that standardize() derives its statistics from: the values' sum
// and sum of squares over every pixel of `d`, and the pixel count. Several
// data owners add theirs inside the protocol and open only the totals
// (host/nn/owned_sets.h).
struct PixelMoments {
  double sum = 0, sum_sq = 0, count = 0;
};
PixelMoments pixel_moments(const Dataset& d);

// standardize() with statistics given: value' = (value - mean) / sd for
// both sets (sd > 0).
void standardize_with(Dataset& train, Dataset& test, double mean, double sd);

}  // namespace sqt::data
