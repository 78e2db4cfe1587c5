#include "host/nn/winograd.h"

#include <algorithm>
#include <bit>
#include <stdexcept>
#include <string>

#include "host/backend/local_kernels.h"
#include "host/core/error.h"

namespace sqt::nn {
namespace {

// y (+)= c x over n values. Most coefficients of the input and output
// transforms are +-1 or +-2^j; G' holds full ring values.
// Whether c is a power of two, and its exponent (std::has_single_bit and
// countr_zero take no 128-bit type).
template <RingElement T>
bool single_bit(T c) {
  return c != 0 && (c & (c - 1)) == 0;
}
template <RingElement T>
int trailing_zeros(T c) {
  const auto low = static_cast<std::uint64_t>(c);
  if constexpr (ring_bits<T> == 64)
    return std::countr_zero(low);
  else
    return low != 0 ? std::countr_zero(low) : 64 + std::countr_zero(static_cast<std::uint64_t>(c >> 64));
}

template <bool kAdd, RingElement Ring>
void scaled(Ring c, const Ring* x, Ring* y, std::size_t n) {
  auto put = [&](std::size_t i, Ring v) { y[i] = kAdd ? y[i] + v : v; };
  const Ring minus = Ring{0} - c;
  if (c == 1) {
    for (std::size_t i = 0; i < n; ++i) put(i, x[i]);
  } else if (minus == 1) {
    for (std::size_t i = 0; i < n; ++i) put(i, Ring{0} - x[i]);
  } else if (single_bit(c)) {
    const int s = trailing_zeros(c);
    for (std::size_t i = 0; i < n; ++i) put(i, x[i] << s);
  } else if (single_bit(minus)) {
    const int s = trailing_zeros(minus);
    for (std::size_t i = 0; i < n; ++i) put(i, Ring{0} - (x[i] << s));
  } else if constexpr (kAdd) {  // vectorised 64-bit products (through the backend)
    backend::mul_scalar_add(std::span(x, n), c, std::span(y, n));
  } else {
    backend::mul_scalar(std::span(x, n), c, std::span(y, n));
  }
}

// out[i] = sum_j m[i][j] in[j] for i < rows, each a run of len values (rows
// of `in` and `out` are in_stride and out_stride apart); with `transposed`,
// m is stored cols x rows and read as its transpose. The first non-zero
// term is written, not added (no zeroing pass); the runs are long (a chunk
// of tiles), so the per-call cost stays small.
template <RingElement Ring>
void apply(const std::vector<Ring>& m, bool transposed, int rows, int cols, const Ring* in,
           std::size_t in_stride, Ring* out, std::size_t out_stride, std::size_t len) {
  for (int i = 0; i < rows; ++i) {
    Ring* o = out + i * out_stride;
    bool first = true;
    for (int j = 0; j < cols; ++j) {
      const Ring c =
          transposed ? m[static_cast<std::size_t>(j) * rows + i] : m[static_cast<std::size_t>(i) * cols + j];
      if (c == 0) continue;
      if (first)
        scaled<false>(c, in + j * in_stride, o, len);
      else
        scaled<true>(c, in + j * in_stride, o, len);
      first = false;
    }
    if (first) std::fill_n(o, len, Ring{0});
  }
}

// The same, reading each input row once and updating the outputs as it goes:
// for inputs much larger than the outputs (the per-point products, (p / m)^2
// times the layer's output), which apply would read once per output row.
template <RingElement Ring>
void apply_input_major(const std::vector<Ring>& m, bool transposed, int rows, int cols, const Ring* in,
                       std::size_t in_stride, Ring* out, std::size_t out_stride, std::size_t len) {
  std::vector<bool> written(static_cast<std::size_t>(rows), false);
  for (int j = 0; j < cols; ++j) {
    const Ring* x = in + j * in_stride;
    for (int i = 0; i < rows; ++i) {
      const Ring c =
          transposed ? m[static_cast<std::size_t>(j) * rows + i] : m[static_cast<std::size_t>(i) * cols + j];
      if (c == 0) continue;
      if (written[i])
        scaled<true>(c, x, out + i * out_stride, len);
      else
        scaled<false>(c, x, out + i * out_stride, len);
      written[i] = true;
    }
  }
  for (int i = 0; i < rows; ++i)
    if (!written[i]) std::fill_n(out + i * out_stride, len, Ring{0});
}

// Both passes of a separable map over one chunk of tiles, reading each of
// the p x p per-point runs (`stride` apart in `in`) once:
// out[i][j] = sum_(a, b) M[i][a] M[j][b] in[a][b] for i, j < rows, runs of
// len values `run` apart; t1 holds rows x p runs.
template <RingElement Ring>
void apply_2d_input_major(const std::vector<Ring>& mat, bool transposed, int rows, int p, const Ring* in,
                          std::size_t stride, Ring* t1, Ring* out, std::size_t run, std::size_t len) {
  for (int b = 0; b < p; ++b)
    apply_input_major(mat, transposed, rows, p, in + b * stride, p * stride, t1 + b * run, p * run, len);
  for (int i = 0; i < rows; ++i)
    apply(mat, transposed, rows, p, t1 + i * p * run, run, out + i * rows * run, run, len);
}

// Tiles transformed together: their runs of channels form one long run.
constexpr std::size_t kChunk = 32;

}  // namespace

ConvAlgorithm parse_conv_algorithm(const std::string& name) {
  if (name == "auto") return ConvAlgorithm::kAuto;
  if (name == "im2col") return ConvAlgorithm::kIm2col;
  throw ConfigError("unknown convolution algorithm '" + name + "' (auto or im2col)");
}

std::vector<std::optional<WinogradConv>> winograd_plans(const Architecture& arch, ConvAlgorithm conv) {
  std::vector<std::optional<WinogradConv>> plans(arch.layers.size());
  if (conv == ConvAlgorithm::kIm2col) return plans;
  const std::vector<Shape> shapes = layer_output_shapes(arch);
  for (std::size_t i = 0; i < arch.layers.size(); ++i) {
    if (arch.layers[i].kind != LayerKind::kConv) continue;
    const Shape in = i == 0 ? arch.input : shapes[i - 1];
    plans[i] = WinogradConv::plan(ConvGeometry::make(in, arch.layers[i]));
  }
  return plans;
}

namespace {

// Work of a plan per image, in units of one GEMM multiply-add: five GEMMs
// per product (rep3's local products) for the forward, dX and dW products;
// every party transforms both of its components (six transforms over the
// parties), and a transform's multiply-add counts as four GEMM ones (they
// are scalar, bound by memory).
double estimated_work(const WinogradAxis& a, const ConvGeometry& g, std::size_t tiles) {
  auto nonzero = [](const std::vector<Ring>& m) {
    return static_cast<double>(std::count_if(m.begin(), m.end(), [](Ring x) { return x != 0; }));
  };
  const double p = a.points, ic = g.in_c, oc = g.out_c;
  const double products = 3 * p * p * ic * oc * 5;
  const double transforms = 2 * (2 * p * nonzero(a.z64.bt) * ic + (p + a.m) * nonzero(a.z64.at) * oc) * 6;
  return static_cast<double>(tiles) * (products + 4 * transforms);
}

}  // namespace

std::optional<WinogradConv> WinogradConv::plan_with_tile(const ConvGeometry& g, int m) {
  if (g.stride != 1 || g.kernel < 2 || g.kernel > 7 || g.in_c < 8 || g.out_h < 1 || g.out_w < 1)
    return std::nullopt;
  WinogradAxis axis = winograd_axis(g.kernel, m);
  if (2 * axis.scale_bits > kMaxExtraBits) return std::nullopt;
  WinogradConv plan(g, std::move(axis));
  // Tiles past a small output's edge compute outputs that are thrown away
  // (AlexNet's 1x1 outputs: 16 products for 9): require a quarter fewer
  // products than im2col.
  const std::size_t winograd_products = plan.tiles(1) * plan.points();
  const std::size_t direct_products = g.positions() * static_cast<std::size_t>(g.kernel) * g.kernel;
  if (4 * winograd_products > 3 * direct_products) return std::nullopt;
  return plan;
}

std::optional<WinogradConv> WinogradConv::plan(const ConvGeometry& g) {
  std::optional<WinogradConv> best;
  double best_work = 0;
  for (const int m : {2, 3, 4, 6}) {
    auto candidate = plan_with_tile(g, m);
    if (!candidate) continue;
    const double work = estimated_work(candidate->axis_, g, candidate->tiles(1));
    if (!best || work < best_work) {
      best = std::move(candidate);
      best_work = work;
    }
  }
  return best;
}

WinogradConv::WinogradConv(const ConvGeometry& g, WinogradAxis axis)
    : g_(g),
      axis_(std::move(axis)),
      tiles_h_((static_cast<std::size_t>(g.out_h) + axis_.m - 1) / axis_.m),
      tiles_w_((static_cast<std::size_t>(g.out_w) + axis_.m - 1) / axis_.m) {}

WinogradConv::TilePosition WinogradConv::tile_position(std::size_t tile) const {
  const std::size_t per_image = tiles_h_ * tiles_w_;
  return {tile / per_image, tile % per_image / tiles_w_, tile % tiles_w_};
}

// The (image, tile row, tile column) of every tile, in order.
template <class F>
void for_each_tile(std::size_t batch, std::size_t tiles_h, std::size_t tiles_w, F&& f) {
  std::size_t tile = 0;
  for (std::size_t b = 0; b < batch; ++b)
    for (std::size_t ty = 0; ty < tiles_h; ++ty)
      for (std::size_t tx = 0; tx < tiles_w; ++tx, ++tile) f(tile, b, ty, tx);
}

template <RingElement Ring>
void WinogradConv::input(std::size_t batch, const Ring* x, Ring* v) const {
  const int n = axis_.points, p = axis_.points, m = axis_.m;
  const std::size_t c = g_.in_c, tiles = this->tiles(batch), run = kChunk * c;
  // d[ih][iw][tile][c] and t1[a][iw][tile][c] for one chunk of tiles.
  std::vector<Ring> d(static_cast<std::size_t>(n) * n * run), t1(static_cast<std::size_t>(p) * n * run);
  auto flush = [&](std::size_t t0, std::size_t count) {
    apply(axis_.in<Ring>().bt, false, p, n, d.data(), n * run, t1.data(), n * run, n * run);  // over ih
    for (int a = 0; a < p; ++a)                                                               // over iw
      apply(axis_.in<Ring>().bt, false, p, n, t1.data() + a * n * run, run, v + (a * p * tiles + t0) * c,
            tiles * c, count * c);
  };
  for_each_tile(batch, tiles_h_, tiles_w_,
                [&](std::size_t tile, std::size_t b, std::size_t ty, std::size_t tx) {
                  const std::size_t slot = tile % kChunk;
                  const Ring* img = x + b * g_.in_size();
                  for (int i = 0; i < n; ++i) {
                    const int ih = static_cast<int>(m * ty) - g_.padding + i;
                    for (int j = 0; j < n; ++j) {
                      const int iw = static_cast<int>(m * tx) - g_.padding + j;
                      Ring* dst = d.data() + (static_cast<std::size_t>(i) * n + j) * run + slot * c;
                      if (ih < 0 || ih >= g_.in_h || iw < 0 || iw >= g_.in_w)
                        std::fill_n(dst, c, Ring{0});
                      else
                        std::copy_n(img + (static_cast<std::size_t>(ih) * g_.in_w + iw) * c, c, dst);
                    }
                  }
                  if (slot + 1 == kChunk || tile + 1 == tiles) flush(tile - slot, slot + 1);
                });
}

template <RingElement Ring>
void WinogradConv::weights(const Ring* w, Ring* u) const {
  const int r = g_.kernel, p = axis_.points;
  const std::size_t co = static_cast<std::size_t>(g_.in_c) * g_.out_c;  // one tap's (c, o) block
  std::vector<Ring> t1(static_cast<std::size_t>(p) * r * co);
  apply(axis_.in<Ring>().g, false, p, r, w, r * co, t1.data(), r * co, r * co);  // over kh
  for (int i = 0; i < p; ++i)                                                    // over kw
    apply(axis_.in<Ring>().g, false, p, r, t1.data() + i * r * co, co, u + i * p * co, co, co);
}

template <RingElement Ring>
void WinogradConv::weights_adjoint(const Ring* du, Ring* dw) const {
  const int r = g_.kernel, p = axis_.points;
  const std::size_t co = static_cast<std::size_t>(g_.in_c) * g_.out_c;
  std::vector<Ring> t1(static_cast<std::size_t>(r) * p * co);
  apply(axis_.in<Ring>().g, true, r, p, du, p * co, t1.data(), p * co, p * co);  // over the row points
  for (int kh = 0; kh < r; ++kh)                                                 // over the column points
    apply(axis_.in<Ring>().g, true, r, p, t1.data() + kh * p * co, co, dw + kh * r * co, co, co);
}

template <RingElement Ring>
void WinogradConv::output(std::size_t batch, const Ring* z, Ring* y) const {
  const int p = axis_.points, m = axis_.m;
  const std::size_t o = g_.out_c, tiles = this->tiles(batch), run = kChunk * o,
                    um = static_cast<std::size_t>(m);
  // t1[i][b][tile][o] = sum_a A^T[i][a] Z[a][b], then
  // out[i][j][tile][o] = sum_b A^T[j][b] t1[i][b].
  std::vector<Ring> t1(um * p * run), out(um * um * run);
  for (std::size_t t0 = 0; t0 < tiles; t0 += kChunk) {
    const std::size_t count = std::min(kChunk, tiles - t0);
    apply_2d_input_major(axis_.in<Ring>().at, false, m, p, z + t0 * o, tiles * o, t1.data(), out.data(), run,
                         count * o);
    for (std::size_t slot = 0; slot < count; ++slot) {
      const auto [b, ty, tx] = tile_position(t0 + slot);
      Ring* img = y + b * g_.positions() * o;
      for (std::size_t i = 0; i < um; ++i)
        for (std::size_t j = 0; j < um; ++j) {
          const std::size_t oh = um * ty + i, ow = um * tx + j;
          if (oh < static_cast<std::size_t>(g_.out_h) && ow < static_cast<std::size_t>(g_.out_w))
            std::copy_n(out.data() + (i * um + j) * run + slot * o, o, img + (oh * g_.out_w + ow) * o);
        }
    }
  }
}

template <RingElement Ring>
void WinogradConv::output_adjoint(std::size_t batch, const Ring* dy, Ring* yhat) const {
  const int p = axis_.points, m = axis_.m;
  const std::size_t o = g_.out_c, tiles = this->tiles(batch), run = kChunk * o,
                    um = static_cast<std::size_t>(m);
  // d[i][j][tile][o] (zero past the output's edge); Yhat = A dY A^T:
  // t1[a][j] = sum_i A^T[i][a] d[i][j], then Yhat[a][b] = sum_j A^T[j][b] t1[a][j].
  std::vector<Ring> d(um * um * run), t1(static_cast<std::size_t>(p) * um * run);
  auto flush = [&](std::size_t t0, std::size_t count) {
    apply(axis_.in<Ring>().at, true, p, m, d.data(), um * run, t1.data(), um * run, um * run);
    for (int a = 0; a < p; ++a)
      apply(axis_.in<Ring>().at, true, p, m, t1.data() + a * um * run, run, yhat + (a * p * tiles + t0) * o,
            tiles * o, count * o);
  };
  for_each_tile(batch, tiles_h_, tiles_w_,
                [&](std::size_t tile, std::size_t b, std::size_t ty, std::size_t tx) {
                  const std::size_t slot = tile % kChunk;
                  const Ring* img = dy + b * g_.positions() * o;
                  for (std::size_t i = 0; i < um; ++i)
                    for (std::size_t j = 0; j < um; ++j) {
                      const std::size_t oh = um * ty + i, ow = um * tx + j;
                      Ring* dst = d.data() + (i * um + j) * run + slot * o;
                      if (oh < static_cast<std::size_t>(g_.out_h) && ow < static_cast<std::size_t>(g_.out_w))
                        std::copy_n(img + (oh * g_.out_w + ow) * o, o, dst);
                      else
                        std::fill_n(dst, o, Ring{0});
                    }
                  if (slot + 1 == kChunk || tile + 1 == tiles) flush(tile - slot, slot + 1);
                });
}

template <RingElement Ring>
void WinogradConv::input_adjoint(std::size_t batch, const Ring* pv, Ring* dx) const {
  const int n = axis_.points, p = axis_.points, m = axis_.m;
  const std::size_t c = g_.in_c, tiles = this->tiles(batch), run = kChunk * c;
  // dD = B P B^T: t1[ih][b] = sum_a B^T[a][ih] P[a][b], then
  // dD[ih][iw] = sum_b B^T[b][iw] t1[ih][b]; each tile's dD is added into dx.
  std::vector<Ring> t1(static_cast<std::size_t>(n) * p * run), dd(static_cast<std::size_t>(n) * n * run);
  for (std::size_t t0 = 0; t0 < tiles; t0 += kChunk) {
    const std::size_t count = std::min(kChunk, tiles - t0);
    apply_2d_input_major(axis_.in<Ring>().bt, true, n, p, pv + t0 * c, tiles * c, t1.data(), dd.data(), run,
                         count * c);
    for (std::size_t slot = 0; slot < count; ++slot) {
      const auto [b, ty, tx] = tile_position(t0 + slot);
      Ring* img = dx + b * g_.in_size();
      for (int i = 0; i < n; ++i) {
        const int ih = static_cast<int>(m * ty) - g_.padding + i;
        if (ih < 0 || ih >= g_.in_h) continue;
        for (int j = 0; j < n; ++j) {
          const int iw = static_cast<int>(m * tx) - g_.padding + j;
          if (iw < 0 || iw >= g_.in_w) continue;
          scaled<true>(Ring{1}, dd.data() + (static_cast<std::size_t>(i) * n + j) * run + slot * c,
                       img + (static_cast<std::size_t>(ih) * g_.in_w + iw) * c, c);
        }
      }
    }
  }
}

// The transforms in both rings.
#define SQT_WINOGRAD_IN_RING(T)                                                   \
  template void WinogradConv::input<T>(std::size_t, const T*, T*) const;          \
  template void WinogradConv::weights<T>(const T*, T*) const;                     \
  template void WinogradConv::output<T>(std::size_t, const T*, T*) const;         \
  template void WinogradConv::output_adjoint<T>(std::size_t, const T*, T*) const; \
  template void WinogradConv::input_adjoint<T>(std::size_t, const T*, T*) const;  \
  template void WinogradConv::weights_adjoint<T>(const T*, T*) const;
SQT_WINOGRAD_IN_RING(Ring64)
SQT_WINOGRAD_IN_RING(Ring128)
#undef SQT_WINOGRAD_IN_RING

}  // namespace sqt::nn
