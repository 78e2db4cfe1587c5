// Winograd convolution for stride-1 layers, exact in the ring.
//
// Per axis, F(m, r) (host/nn/winograd_axis.h) computes m outputs of an r-tap
// kernel from an input tile of p = m + r - 1 values through p products, with
// ring coefficients; nested over both axes,
//   2^extra_bits Y = A^T [ (G' W G'^T) (.) (B^T D B) ] A      ((.) elementwise)
// holds exactly mod 2^64 (and 2^128), and the factor joins the truncation. Nothing is
// rounded: odd divisors are ring inverses, powers of two are that factor.
// A 5x5 kernel by F(4, 5) takes 8 x 8 = 64 products per 4x4 output tile and
// channel pair instead of 400 (F(2, 5): 36 per 2x2 tile instead of 100).
// plan() picks the tile size per layer.
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
#include "host/mpc/protocol.h"
#include "host/nn/conv_geometry.h"
#include "host/nn/winograd_axis.h"

namespace sqt::nn {

// How convolutions are computed: kAuto runs Winograd wherever
// WinogradConv::plan applies and im2col elsewhere; kIm2col everywhere (the
// baseline of `sqt bench train`, and `sqt train --conv im2col`). Both give
// the same products; only the work differs.
enum class ConvAlgorithm : std::uint8_t { kAuto, kIm2col };

// "auto" or "im2col"; ConfigError otherwise.
ConvAlgorithm parse_conv_algorithm(const std::string& name);

class WinogradConv {
 public:
  // At most this many extra bits: a layer's outputs at 2f fractional bits
  // (below 2^(k-1+f) inside the fixed-point range) times 2^extra_bits stay
  // inside every protocol's exact truncation range (mpc::kMinTruncExactBits,
  // the exactness contract of host/mpc/protocol.h) at the default k and f.
  static constexpr int kMaxExtraBits = 8;
  static_assert(FixedParams{}.k + FixedParams{}.f + kMaxExtraBits <= mpc::kMinTruncExactBits);

  // A plan when the layer is one Winograd pays for: stride 1, a kernel of
  // 2-7 taps, at least 8 input channels (fewer makes the per-point GEMMs
  // too thin to beat one im2col GEMM) and at most 3/4 of im2col's products
  // (small outputs waste most of their edge tiles). The tile size (2, 3, 4
  // or 6 outputs per axis) minimises an estimate of the products' and the
  // transforms' work.
  static std::optional<WinogradConv> plan(const ConvGeometry& g);
  // The plan with m outputs per tile and axis, if its extra bits are
  // allowed (for tests and benchmarks).
  static std::optional<WinogradConv> plan_with_tile(const ConvGeometry& g, int m);

  // The products are 2^extra_bits times the direct convolution's.
  int extra_bits() const { return 2 * axis_.scale_bits; }
  int tile() const { return axis_.m; }
  std::size_t points() const { return static_cast<std::size_t>(axis_.points) * axis_.points; }
  std::size_t tiles(std::size_t batch) const { return batch * tiles_h_ * tiles_w_; }
  const ConvGeometry& geometry() const { return g_; }

  // The transforms are public linear maps over the ring T (Z_2^64 or Z_2^128,
  // instantiated in winograd.cc for both).
  // V (points x tiles x in_c) from NHWC x; zero padding.
  template <RingElement T>
  void input(std::size_t batch, const T* x, T* v) const;
  // U' (points x in_c x out_c) from w (patch (kh, kw, c) x out_c).
  template <RingElement T>
  void weights(const T* w, T* u) const;
  // NHWC y (every output written) from Z (points x tiles x out_c).
  template <RingElement T>
  void output(std::size_t batch, const T* z, T* y) const;
  // Yhat (points x tiles x out_c) from NHWC dy: the adjoint of output.
  template <RingElement T>
  void output_adjoint(std::size_t batch, const T* dy, T* yhat) const;
  // dx (NHWC, zeroed by the caller) += the adjoint of input applied to P
  // (points x tiles x in_c); overlapping tiles accumulate.
  template <RingElement T>
  void input_adjoint(std::size_t batch, const T* p, T* dx) const;
  // dW (patch x out_c, every value written) from dU (points x in_c x out_c):
  // the adjoint of weights.
  template <RingElement T>
  void weights_adjoint(const T* du, T* dw) const;

 private:
  WinogradConv(const ConvGeometry& g, WinogradAxis axis);
  struct TilePosition {
    std::size_t image, row, col;  // the tile's row and column in tiles
  };
  TilePosition tile_position(std::size_t tile) const;

  ConvGeometry g_;
  WinogradAxis axis_;
  std::size_t tiles_h_ = 0, tiles_w_ = 0;
};

// Per layer of arch, its Winograd plan under `conv` (empty for every other
// layer): what Model runs, decided once per network.
std::vector<std::optional<WinogradConv>> winograd_plans(const Architecture& arch, ConvAlgorithm conv);

}  // namespace sqt::nn
