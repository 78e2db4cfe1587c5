// Winograd convolution for stride-1 layers, exact in the ring.
//
// Per axis, a kernel of r taps is split into pieces of 3 and 2 taps (5 = 3 +
// 2), each computed for two outputs by Winograd's F(2, 3) (4 points) or
// F(2, 2) (3 points) on the points {0, 1, -1, inf} / {0, 1, inf}. Their
// matrices are integers except F(2, 3)'s G, which holds halves, so every
// piece's G is taken twice: the composite algorithm
//   4 Y = A^T [ (G' W G'^T) (.) (B^T D B) ] A      (G' = 2G, (.) elementwise)
// holds exactly over the integers, hence mod 2^64, and the factor 4 joins the
// truncation (kExtraBits). Among four finite points two are congruent mod
// 3, which puts a 1/3 into G that fixed point could only round (and Winograd
// amplifies rounding by its transforms' gains); these pieces, with at most
// three finite points, need no rounding at all. A 5x5 kernel takes 7 x 7 = 49 products per 2x2 output
// tile and channel pair instead of 100; a 3x3 one 16 instead of 36.
//
// The per-point products are GEMMs over the channels (MatmulTerm with
// blocks = points): forward Z = V U', backward dX from Yhat U'^T and dW from
// V^T Yhat, where V = B^T D B (input tiles), U' = G' W G'^T and Yhat =
// A dY A^T. Layouts: V [point][tile][in_c], U' [point][in_c][out_c],
// Z and Yhat [point][tile][out_c]; tiles are (image, tile row, tile column).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "host/core/ring.h"
#include "host/nn/conv_geometry.h"

namespace sqt::nn {

// The 1D composite algorithm for one kernel size: 2 outputs from r + 1
// inputs through `points` products.
struct WinogradAxis {
  int r = 0, points = 0;
  std::vector<int> at;  // 2 x points: A^T
  std::vector<int> g;   // points x r: 2 G
  std::vector<int> bt;  // points x (r + 1): B^T
};

// r >= 2 taps.
WinogradAxis winograd_axis(int r);

// How convolutions are computed: kAuto runs Winograd wherever
// WinogradConv::plan applies and im2col elsewhere; kIm2col everywhere (the
// baseline of `sqt bench train`, and `sqt train --conv im2col`). Both give
// the same products; only the work differs.
enum class ConvAlgorithm : std::uint8_t { kAuto, kIm2col };

// "auto" or "im2col"; ConfigError otherwise.
ConvAlgorithm parse_conv_algorithm(const std::string& name);

class WinogradConv {
 public:
  // The products are 4 times the direct convolution's.
  static constexpr int kExtraBits = 2;

  // A plan when the layer is one Winograd pays for: stride 1, a kernel of
  // 2-7 taps, at least 8 input channels (fewer makes the per-point GEMMs
  // too thin to beat one im2col GEMM) and at most 3/4 of im2col's products
  // (small outputs waste most of their edge tiles).
  static std::optional<WinogradConv> plan(const ConvGeometry& g);

  std::size_t points() const { return static_cast<std::size_t>(axis_.points) * axis_.points; }
  std::size_t tiles(std::size_t batch) const { return batch * tiles_h_ * tiles_w_; }
  const ConvGeometry& geometry() const { return g_; }

  // V (points x tiles x in_c) from NHWC x; zero padding.
  void input(std::size_t batch, const Ring* x, Ring* v) const;
  // U' (points x in_c x out_c) from w (patch (kh, kw, c) x out_c).
  void weights(const Ring* w, Ring* u) const;
  // NHWC y (every output written) from Z (points x tiles x out_c).
  void output(std::size_t batch, const Ring* z, Ring* y) const;
  // Yhat (points x tiles x out_c) from NHWC dy: the adjoint of output.
  void output_adjoint(std::size_t batch, const Ring* dy, Ring* yhat) const;
  // dx (NHWC, zeroed by the caller) += the adjoint of input applied to P
  // (points x tiles x in_c); overlapping tiles accumulate.
  void input_adjoint(std::size_t batch, const Ring* p, Ring* dx) const;
  // dW (patch x out_c, every value written) from dU (points x in_c x out_c):
  // the adjoint of weights.
  void weights_adjoint(const Ring* du, Ring* dw) const;

 private:
  WinogradConv(const ConvGeometry& g, WinogradAxis axis);

  ConvGeometry g_;
  WinogradAxis axis_;
  std::size_t tiles_h_ = 0, tiles_w_ = 0;
};

// Per layer of arch, its Winograd plan under `conv` (empty for every other
// layer): what Model runs, decided once per network.
std::vector<std::optional<WinogradConv>> winograd_plans(const Architecture& arch, ConvAlgorithm conv);

}  // namespace sqt::nn
