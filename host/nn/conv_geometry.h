// Index maps of convolution and pooling on NHWC batches: im2col, its adjoint
// col2im (which accumulates where patches overlap) and the input positions of
// every pooling window. They act on plain ring arrays, so the layers apply
// them to each share component through Protocol::linear.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "host/core/ring.h"
#include "host/nn/architecture.h"

namespace sqt::nn {

struct ConvGeometry {
  int in_h = 0, in_w = 0, in_c = 0;
  int kernel = 0, stride = 1, padding = 0;
  int out_h = 0, out_w = 0, out_c = 0;

  static ConvGeometry make(Shape in, const LayerSpec& spec);
  std::size_t patch() const { return static_cast<std::size_t>(kernel) * kernel * in_c; }
  std::size_t positions() const { return static_cast<std::size_t>(out_h) * out_w; }
  std::size_t in_size() const { return static_cast<std::size_t>(in_h) * in_w * in_c; }
};

// cols: (batch * out_h * out_w) x patch, patch order (kh, kw, c); zero padding.
template <RingElement T>
void im2col(const ConvGeometry& g, std::size_t batch, const T* in, T* cols);
// dx (batch * in_size, zeroed by the caller) += scatter of cols.
template <RingElement T>
void col2im(const ConvGeometry& g, std::size_t batch, const T* cols, T* dx);

// For a batch of NHWC inputs, the input index of every (output, window
// position): out_n * window * window entries, output-major, window positions
// in row-major (kh, kw) order.
std::vector<std::uint32_t> pool_windows(Shape in, const LayerSpec& spec, std::size_t batch);

}  // namespace sqt::nn
