#include "host/data/dataset.h"

#include <algorithm>
#include <array>
#include <cmath>

#include "host/core/error.h"

namespace sqt::data {
namespace {

void check_index(const Dataset& d, std::uint32_t i) {
  if (i >= d.count)
    throw ShapeError("sample index " + std::to_string(i) + " is out of range for " + d.name + " (" +
                     std::to_string(d.count) + " samples)");
}

}  // namespace

void Dataset::gather_float(std::span<const std::uint32_t> indices, float* out) const {
  // A 256-entry table turns the per-pixel map into one load.
  std::array<float, 256> table;
  for (int p = 0; p < 256; ++p) table[p] = value(static_cast<std::uint8_t>(p));
  const std::size_t n = sample_size();
  for (std::uint32_t i : indices) {
    check_index(*this, i);
    const std::uint8_t* src = pixels.data() + i * n;
    for (std::size_t k = 0; k < n; ++k) out[k] = table[src[k]];
    out += n;
  }
}

template <RingElement T>
void Dataset::gather_fixed(std::span<const std::uint32_t> indices, int f, T* out) const {
  std::array<T, 256> table;
  for (int p = 0; p < 256; ++p)
    table[p] = encode_fixed<T>(static_cast<double>(value(static_cast<std::uint8_t>(p))), f);
  const std::size_t n = sample_size();
  for (std::uint32_t i : indices) {
    check_index(*this, i);
    const std::uint8_t* src = pixels.data() + i * n;
    for (std::size_t k = 0; k < n; ++k) out[k] = table[src[k]];
    out += n;
  }
}

void Dataset::gather_onehot_float(std::span<const std::uint32_t> indices, float* out) const {
  for (std::uint32_t i : indices) {
    check_index(*this, i);
    for (int c = 0; c < kNumClasses; ++c) out[c] = labels[i] == c ? 1.0f : 0.0f;
    out += kNumClasses;
  }
}

template <RingElement T>
void Dataset::gather_onehot_fixed(std::span<const std::uint32_t> indices, int f, T* out) const {
  const T one = encode_fixed<T>(1.0, f);
  for (std::uint32_t i : indices) {
    check_index(*this, i);
    for (int c = 0; c < kNumClasses; ++c) out[c] = labels[i] == c ? one : T{0};
    out += kNumClasses;
  }
}

template void Dataset::gather_fixed<Ring64>(std::span<const std::uint32_t>, int, Ring64*) const;
template void Dataset::gather_fixed<Ring128>(std::span<const std::uint32_t>, int, Ring128*) const;
template void Dataset::gather_onehot_fixed<Ring64>(std::span<const std::uint32_t>, int, Ring64*) const;
template void Dataset::gather_onehot_fixed<Ring128>(std::span<const std::uint32_t>, int, Ring128*) const;

PixelMoments pixel_moments(const Dataset& d) {
  // A histogram of the byte values gives the exact moments in one pass.
  std::array<std::uint64_t, 256> histogram{};
  for (std::uint8_t p : d.pixels) ++histogram[p];
  PixelMoments m;
  for (int p = 0; p < 256; ++p) {
    const double v = d.value(static_cast<std::uint8_t>(p));
    m.sum += v * static_cast<double>(histogram[p]);
    m.sum_sq += v * v * static_cast<double>(histogram[p]);
  }
  m.count = static_cast<double>(d.pixels.size());
  return m;
}

void standardize(Dataset& train, Dataset& test) {
  if (train.pixels.empty()) throw ShapeError("cannot standardize " + train.name + ": it holds no pixels");
  const PixelMoments m = pixel_moments(train);
  const double mean = m.sum / m.count;
  const double sd = std::sqrt(std::max(m.sum_sq / m.count - mean * mean, 0.0));
  if (!(sd > 0)) throw ShapeError("cannot standardize " + train.name + ": every pixel has the same value");
  standardize_with(train, test, mean, sd);
}

void standardize_with(Dataset& train, Dataset& test, double mean, double sd) {
  if (!(sd > 0))
    throw ShapeError("cannot standardize " + train.name + ": a deviation of " + std::to_string(sd));
  // value' = (pixel * scale + offset - mean) / sd, for both sets.
  const float scale = static_cast<float>(train.scale / sd);
  const float offset = static_cast<float>((train.offset - mean) / sd);
  for (Dataset* d : {&train, &test}) {
    d->scale = scale;
    d->offset = offset;
  }
}

}  // namespace sqt::data
