// Where SQT's parameter layouts (host/nn/architecture.h: NHWC data, conv
// HWIO, dense [in][out]) and ONNX's (NCHW data, Conv OIHW, Gemm B [out][in]
// with transB = 1) put the same number. Shared by the ONNX writer and reader
// so the two directions cannot disagree.
#pragma once

#include <cstddef>

#include "host/nn/architecture.h"

namespace sqt::nn::onnx_layout {

// Conv weight: the HWIO index of OIHW element (o, c, y, x).
inline std::size_t conv_hwio(int k, int c_in, int c_out, int o, int c, int y, int x) {
  return ((static_cast<std::size_t>(y) * k + x) * c_in + c) * c_out + o;
}

// A dense layer after ONNX's Flatten of an NCHW tensor sees its features in
// (c, h, w) order; SQT's flatten keeps (h, w, c). The SQT row of ONNX
// feature `chw` of a flattened `s`.
inline std::size_t hwc_row_of_chw(const Shape& s, std::size_t chw) {
  const std::size_t hw = static_cast<std::size_t>(s.h) * s.w;
  const std::size_t c = chw / hw, y = (chw % hw) / s.w, x = chw % s.w;
  return (y * s.w + x) * s.c + c;
}

}  // namespace sqt::nn::onnx_layout
