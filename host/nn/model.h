// A network on secret shares: parameters, forward and backward over a whole
// batch, protocol-generic (P models mpc::Protocol). Every layer's forward is
// a handful of rounds whatever the batch size:
// - dense: one matmul + one truncation; backward dX = dY W^T, dW = X^T dY;
// - conv: im2col (local, Protocol::linear) + matmul; backward via col2im,
//   which accumulates where patches overlap (any stride and padding). Stride-1
//   layers over 8 or more channels run Winograd's algorithm instead
//   (host/nn/winograd.h: exact, half the products for a 5x5 kernel): local
//   transforms around one batched product per transform point;
// - maxpool: fx::max_windows_routed (comparison tree); backward routes the
//   gradient down the tree (fx::route_back), scatters into a zeroed gradient
//   and accumulates where windows overlap;
// - avgpool: the window sums (local) and one truncation (by log2 of a
//   power-of-two window, else a product with 1/window at f bits truncated
//   by f); backward divides dY the same way and scatters it (local);
// - relu: fx::relu (one comparison + one product), the mask is kept for
//   backward as a BitFactor (the form that multiplies cheapest);
// - flatten: nothing (NHWC is already flat per sample).
// Products are summed at 2f fractional bits and truncated once per output.
// Dense layers keep their parameters at 2f fractional bits (conv layers at f;
// param_runs() tells which): the optimizer then moves them by lr v without a
// truncation, and their products are truncated by 2f. A dense layer has far
// more parameters than outputs per batch, a conv layer far fewer, so this
// saves a dense parameter's truncation every step for 2 more bytes per output.
// With a MomentumFold, backward leaves SGD's new velocity trunc(mu v + g) in
// grads() instead of g: mu v joins the weight gradient's truncation, which
// saves SGD one truncation of every parameter per step.
#pragma once

#include <algorithm>
#include <bit>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "host/core/error.h"
#include "host/mpc/fixed/fixed.h"
#include "host/mpc/protocol.h"
#include "host/nn/architecture.h"
#include "host/nn/conv_geometry.h"
#include "host/nn/protocol_extras.h"
#include "host/nn/share_ops.h"
#include "host/nn/winograd.h"

namespace sqt::nn {

using mpc::Trans;

// SGD's velocity v (parameter layout, f fractional bits) and momentum mu
// (encoded at f), folded into the gradient's truncation by Model::backward.
template <class S>
struct MomentumFold {
  const S* velocity = nullptr;
  typename S::Elem mu = 0;
};

// `count` consecutive parameters stored at `frac_bits` fractional bits.
struct ParamRun {
  std::size_t count = 0;
  int frac_bits = 0;
};

// Time and traffic one layer has cost so far (this party's view), so a
// benchmark can say where a batch goes.
struct LayerCost {
  double forward_s = 0, backward_s = 0;
  std::uint64_t forward_bytes = 0, backward_bytes = 0;
  std::uint64_t forward_rounds = 0, backward_rounds = 0;
};

// Holds a reference to its protocol object: a Model must not outlive it
// (the trainer builds both once per run).
template <mpc::Protocol P>
class Model {
 public:
  using S = typename P::Share;
  using Ring = typename P::Ring;  // the protocol's ring: Ring below means its elements

  Model(P& p, Architecture arch, ConvAlgorithm conv = ConvAlgorithm::kAuto)
      : p_(p),
        arch_(std::move(arch)),
        shapes_(layer_output_shapes(arch_)),
        conv_(conv),
        winograd_(winograd_plans(arch_, conv)) {
    std::size_t off = 0;
    for (std::size_t i = 0; i < arch_.layers.size(); ++i) {
      w_off_.push_back(off);
      off += weight_count(arch_, i);
      b_off_.push_back(off);
      off += bias_count(arch_, i);
    }
    param_count_ = off;
    theta_ = p_.zeros(param_count_);
    cache_.resize(arch_.layers.size());
    costs_.resize(arch_.layers.size());
  }

  // Per layer, accumulated over every forward and backward call so far.
  const std::vector<LayerCost>& layer_costs() const { return costs_; }
  void reset_layer_costs() { costs_.assign(costs_.size(), LayerCost{}); }

  const Architecture& arch() const { return arch_; }
  // The convolution algorithm it was built with, and whether layer i runs
  // Winograd's algorithm (kAuto picks it per layer; kIm2col never does).
  ConvAlgorithm conv() const { return conv_; }
  bool uses_winograd(std::size_t i) const { return winograd_.at(i).has_value(); }
  std::size_t param_count() const { return param_count_; }
  S& params() { return theta_; }
  const S& params() const { return theta_; }
  const S& grads() const { return grad_; }
  S take_grads() { return std::move(grad_); }

  // Fractional bits of layer i's parameters (gradients are always at f).
  int param_frac_bits(std::size_t i) const {
    return arch_.layers[i].kind == LayerKind::kDense ? 2 * f() : f();
  }
  // The parameter layout by storage precision, adjacent layers merged.
  std::vector<ParamRun> param_runs() const {
    std::vector<ParamRun> runs;
    for (std::size_t i = 0; i < arch_.layers.size(); ++i) {
      const std::size_t n = weight_count(arch_, i) + bias_count(arch_, i);
      if (n == 0) continue;
      if (!runs.empty() && runs.back().frac_bits == param_frac_bits(i))
        runs.back().count += n;
      else
        runs.push_back({n, param_frac_bits(i)});
    }
    return runs;
  }

  // Float64 parameters as public values (the "public seed" initialisation:
  // every party computes the same Glorot weights from the seed).
  void set_public(const ModelParams& params) {
    theta_ = p_.add_public(p_.zeros(param_count_), encode(params));
  }

  // Glorot-uniform weights drawn inside the protocol, zero biases: no party
  // learns the initial model (`--init secret`, docs/PROTOCOLS.md "Secret
  // initial weights"). With U = random_int(m bits), V = 2U + 1 - 2^m is odd
  // and uniform on (-2^m, 2^m), symmetric about 0; a layer's weight is
  // trunc(V D, s) with D = l 2^(E - m) rounded and s = E - F (F: the
  // layer's fractional bits), so |V D| < l 2^E and the result is uniform in
  // [-l, l] at F bits up to the truncation's 1 ulp. E = w - 3 for the
  // protocol's exact truncation width w (ExactBits::trunc; w = 63, E = 60
  // in rep3 and clear): with l < 2, |V D| < 2^(w-2), inside the range with
  // a bit to spare for D's rounding. One random_int and one truncation (per-layer
  // shifts) for the whole model.
  // Defined below the class, not inline: see host/nn/model_instances.h.
  void set_secret_glorot();

  // Flat fixed-point encoding in the parameter order (per layer: weight, bias).
  std::vector<Ring> encode(const ModelParams& params) const {
    std::vector<Ring> v(param_count_);
    for (std::size_t i = 0; i < params.size(); ++i) {
      const int f = param_frac_bits(i);
      for (std::size_t j = 0; j < params[i].weight.size(); ++j)
        v[w_off_[i] + j] = encode_fixed<Ring>(params[i].weight[j], f);
      for (std::size_t j = 0; j < params[i].bias.size(); ++j)
        v[b_off_[i] + j] = encode_fixed<Ring>(params[i].bias[j], f);
    }
    return v;
  }

  // Revealed parameters (each layer at its param_frac_bits) or, with
  // `gradients`, revealed gradients (all at f), in the parameter layout.
  ModelParams decode(const std::vector<Ring>& v, bool gradients = false) const {
    ModelParams params(arch_.layers.size());
    for (std::size_t i = 0; i < params.size(); ++i) {
      const int f = gradients ? this->f() : param_frac_bits(i);
      params[i].weight.resize(weight_count(arch_, i));
      params[i].bias.resize(bias_count(arch_, i));
      for (std::size_t j = 0; j < params[i].weight.size(); ++j)
        params[i].weight[j] = decode_fixed(v[w_off_[i] + j], f);
      for (std::size_t j = 0; j < params[i].bias.size(); ++j)
        params[i].bias[j] = decode_fixed(v[b_off_[i] + j], f);
    }
    return params;
  }

  // x: batch NHWC samples at f fractional bits. Returns batch x classes logits.
  // With `train`, keeps what backward needs.
  // Defined below the class, not inline: see host/nn/model_instances.h.
  S forward(const S& x, std::size_t batch, bool train);

  // dlogits: batch x classes gradient of the loss (summed over the batch).
  // Fills grads() (same layout as params()). Returns the gradient w.r.t. the
  // network input when `input_grad` (tests), else an empty share.
  // Defined below the class, not inline: see host/nn/model_instances.h.
  S backward(const S& dlogits, std::size_t batch, bool input_grad = false,
             const MomentumFold<S>* fold = nullptr);

 private:
  std::size_t first_param_layer() const {
    for (std::size_t i = 0; i < arch_.layers.size(); ++i)
      if (weight_count(arch_, i) + bias_count(arch_, i) > 0) return i;
    return arch_.layers.size();
  }

  // Clock and traffic counters at construction; add_to() adds the difference.
  struct Meter {
    const P& p;
    std::chrono::steady_clock::time_point t0 = std::chrono::steady_clock::now();
    mpc::CommStats before = p.stats();
    explicit Meter(const P& protocol) : p(protocol) {}
    void add_to(double& seconds, std::uint64_t& bytes, std::uint64_t& rounds) const {
      seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      const mpc::CommStats now = p.stats();
      bytes += now.bytes_sent - before.bytes_sent;
      rounds += now.rounds - before.rounds;
    }
  };

  struct Cache {
    S input;                         // dense: X; conv: im2col(X), or Winograd's V
    S winograd_weights;              // Winograd's U' (for dX)
    typename P::BitFactor mask;      // relu mask
    mpc::fx::MaxRouting<P> routing;  // maxpool comparison bits
    std::size_t batch = 0;
  };

  int f() const { return p_.fixed().f; }

  // x / n in one truncation: by log2(n) when n is a power of two, else a
  // product with 1/n encoded at f bits, truncated by f.
  S divide_by(S x, std::size_t n) {
    if (std::has_single_bit(n)) return n == 1 ? x : p_.trunc(x, std::countr_zero(n));
    return p_.trunc(p_.mul_public(x, encode_fixed<Ring>(1.0 / static_cast<double>(n), f())), f());
  }

  Shape in_shape(std::size_t i) const { return i == 0 ? arch_.input : shapes_[i - 1]; }

  const std::vector<std::uint32_t>& windows(std::size_t i, std::size_t batch) {
    auto& w = windows_[{i, batch}];
    if (w.empty()) w = pool_windows(in_shape(i), arch_.layers[i], batch);
    return w;
  }

  // Takes x by value: the caches keep it without a copy.
  S forward_layer(std::size_t i, S x, std::size_t batch, bool train) {
    const LayerSpec& l = arch_.layers[i];
    const Shape in = in_shape(i);
    Cache& c = cache_[i];
    c.batch = batch;
    switch (l.kind) {
      case LayerKind::kDense: {
        // Weights and bias at 2f: the bias joins the product at 3f.
        const std::size_t nin = in.size(), nout = l.out;
        const S w = slice(theta_, w_off_[i], nin * nout);
        const S bias = p_.mul_public(slice(theta_, b_off_[i], nout), Ring{1} << f());
        const S addend = mpc::linear_overwrite(bias, batch * nout, [&](const Ring* src, Ring* dst) {
          for (std::size_t r = 0; r < batch; ++r) std::copy_n(src, nout, dst + r * nout);
        });
        const mpc::MatmulTerm<S> term{
            .m = batch, .n = nout, .k = nin, .a = &x, .b = &w, .out_n = batch * nout, .addend = &addend};
        S y = p_.matmuls_trunc(std::span<const mpc::MatmulTerm<S>>(&term, 1), param_frac_bits(i));
        if (train) c.input = std::move(x);
        return y;
      }
      case LayerKind::kConv: {
        const ConvGeometry g = ConvGeometry::make(in, l);
        const std::size_t rows = batch * g.positions();
        const S w = slice(theta_, w_off_[i], g.patch() * g.out_c);
        S y;
        if (const auto& wino = winograd_[i]) {
          y = winograd_forward(*wino, x, w, batch, train, c);
        } else {
          S cols = mpc::linear_overwrite(x, rows * g.patch(),
                                         [&](const Ring* src, Ring* dst) { im2col(g, batch, src, dst); });
          y = matmul_trunc(p_, Trans::kNo, Trans::kNo, rows, g.out_c, g.patch(), cols, w, f());
          if (train) c.input = std::move(cols);
        }
        add_to_rows(y, slice(theta_, b_off_[i], g.out_c));
        return y;
      }
      case LayerKind::kMaxPool: {
        const auto& win = windows(i, batch);
        auto r = mpc::fx::max_windows_routed(p_, x, win, static_cast<std::size_t>(l.window) * l.window);
        if (train) c.routing = std::move(r.routing);
        return r.max;
      }
      case LayerKind::kAvgPool: {
        const auto& win = windows(i, batch);
        const std::size_t ws = static_cast<std::size_t>(l.window) * l.window;
        S sums = p_.linear(x, win.size() / ws, [&](const Ring* src, Ring* dst) {
          for (std::size_t k = 0; k < win.size(); ++k) dst[k / ws] += src[win[k]];
        });
        return divide_by(std::move(sums), ws);
      }
      case LayerKind::kRelu: {
        auto r = mpc::fx::relu(p_, x);
        if (train) c.mask = std::move(r.mask);
        return r.y;
      }
      case LayerKind::kFlatten:
        return x;
    }
    throw ShapeError("unknown layer kind");
  }

  // Y = A^T [U' (.) V] A / 4: one product per transform point, the output
  // transform applied to the products before their one truncation.
  S winograd_forward(const WinogradConv& wino, const S& x, const S& w, std::size_t batch, bool train,
                     Cache& c) {
    const ConvGeometry& g = wino.geometry();
    const std::size_t points = wino.points(), tiles = wino.tiles(batch);
    const std::size_t in_c = static_cast<std::size_t>(g.in_c), out_c = static_cast<std::size_t>(g.out_c);
    S v = mpc::linear_overwrite(x, points * tiles * in_c,
                                [&](const Ring* src, Ring* dst) { wino.input(batch, src, dst); });
    S u = mpc::linear_overwrite(w, points * in_c * out_c,
                                [&](const Ring* src, Ring* dst) { wino.weights(src, dst); });
    const mpc::MatmulTerm<S> term{.m = tiles,
                                  .n = out_c,
                                  .k = in_c,
                                  .a = &v,
                                  .b = &u,
                                  .out_n = batch * g.positions() * out_c,
                                  .map = [&](const Ring* z, Ring* y) { wino.output(batch, z, y); },
                                  .blocks = points};
    S y = p_.matmuls_trunc(std::span<const mpc::MatmulTerm<S>>(&term, 1), f() + wino.extra_bits());
    if (train) {
      c.input = std::move(v);
      c.winograd_weights = std::move(u);
    }
    return y;
  }

  // The addends of a folded layer: mu v for the weights; mu v + 2^f sum_rows(dy)
  // for the biases (their gradient is not a product, so it is lifted to 2f).
  struct Folded {
    S weights, biases;
  };
  Folded fold_addends(const MomentumFold<S>& fold, std::size_t i, std::size_t nw, const S& dy,
                      std::size_t rows, std::size_t nb) {
    // mu v[off, off + n) straight from the velocity (a public linear map), not
    // from a copied slice of it.
    auto scaled_range = [&](std::size_t off, std::size_t n) {
      return mpc::linear_overwrite(*fold.velocity, n, [&](const Ring* v, Ring* out) {
        for (std::size_t j = 0; j < n; ++j) out[j] = v[off + j] * fold.mu;
      });
    };
    Folded a;
    a.weights = scaled_range(w_off_[i], nw);
    a.biases = p_.add(scaled_range(b_off_[i], nb), p_.mul_public(sum_rows(dy, rows, nb), Ring{1} << f()));
    return a;
  }

  // Truncates `terms` (dX first when need_dx, then dW) plus, when folding, the
  // biases' term; stores the parameter part in grad_ and returns dX.
  // weight_scale_bits: the weight gradient's product is 2^bits times dW (at
  // 2f), so the folded mu v is lifted as much (a Winograd layer's 2^extra_bits).
  S finish_param_layer(std::size_t i, std::vector<mpc::MatmulTerm<S>>& terms, std::size_t dx_n,
                       std::size_t nw, const S& dy, std::size_t rows, std::size_t nb,
                       const MomentumFold<S>* fold, int weight_scale_bits = 0) {
    Folded add;
    if (fold != nullptr) {
      add = fold_addends(*fold, i, nw, dy, rows, nb);
      if (weight_scale_bits > 0) add.weights = p_.mul_public(add.weights, Ring{1} << weight_scale_bits);
      terms.back().addend = &add.weights;
      terms.push_back({Trans::kNo, Trans::kNo, 0, 0, 0, nullptr, nullptr, nb, {}, &add.biases});
    }
    S t = p_.matmuls_trunc(std::span<const mpc::MatmulTerm<S>>(terms), f());
    copy_range(grad_, w_off_[i], t, dx_n, nw);
    if (fold != nullptr)
      copy_range(grad_, b_off_[i], t, dx_n + nw, nb);
    else
      assign_slice(grad_, b_off_[i], sum_rows(dy, rows, nb));
    cache_[i].input = S{};
    cache_[i].winograd_weights = S{};
    return keep_prefix(std::move(t), dx_n);
  }

  S backward_layer(std::size_t i, S dy, std::size_t batch, bool need_dx, const MomentumFold<S>* fold) {
    const LayerSpec& l = arch_.layers[i];
    const Shape in = in_shape(i);
    Cache& c = cache_[i];
    if (c.batch != batch)
      throw ShapeError("backward batch differs from forward batch in layer " + std::to_string(i));
    switch (l.kind) {
      case LayerKind::kDense: {
        const std::size_t nin = in.size(), nout = l.out;
        const S w = need_dx ? slice(theta_, w_off_[i], nin * nout) : S{};  // only dX reads W
        // dW = X^T dY and dX = dY W^T, truncated together.
        // dX comes first, so that it is kept by shrinking t instead of copied.
        std::vector<mpc::MatmulTerm<S>> terms;
        if (need_dx) {
          // dY W^T is at 3f (weights at 2f): truncated by 2f.
          terms.push_back({.tb = Trans::kYes,
                           .m = batch,
                           .n = nin,
                           .k = nout,
                           .a = &dy,
                           .b = &w,
                           .out_n = batch * nin,
                           .bits = param_frac_bits(i)});
        }
        terms.push_back({Trans::kYes, Trans::kNo, nin, nout, batch, &c.input, &dy, nin * nout, {}});
        return finish_param_layer(i, terms, need_dx ? batch * nin : 0, nin * nout, dy, batch, nout, fold);
      }
      case LayerKind::kConv: {
        const ConvGeometry g = ConvGeometry::make(in, l);
        const std::size_t rows = batch * g.positions();
        const std::size_t out_c = static_cast<std::size_t>(g.out_c);
        const std::size_t nw = g.patch() * out_c;
        if (const auto& wino = winograd_[i]) {
          // dX = B [Yhat U'^T] B^T (overlap-added) and dW = G'^T [V^T Yhat] G',
          // both 2^extra_bits times the true value, with Yhat = A dY A^T.
          const std::size_t points = wino->points(), tiles = wino->tiles(batch);
          const std::size_t in_c = static_cast<std::size_t>(g.in_c);
          const int bits = f() + wino->extra_bits();
          const S yhat = mpc::linear_overwrite(dy, points * tiles * out_c, [&](const Ring* src, Ring* dst) {
            wino->output_adjoint(batch, src, dst);
          });
          std::vector<mpc::MatmulTerm<S>> terms;
          if (need_dx) {
            terms.push_back({.tb = Trans::kYes,
                             .m = tiles,
                             .n = in_c,
                             .k = out_c,
                             .a = &yhat,
                             .b = &c.winograd_weights,
                             .out_n = batch * g.in_size(),
                             .map = [&](const Ring* src, Ring* dst) { wino->input_adjoint(batch, src, dst); },
                             .bits = bits,
                             .blocks = points});
          }
          terms.push_back({.ta = Trans::kYes,
                           .m = in_c,
                           .n = out_c,
                           .k = tiles,
                           .a = &c.input,
                           .b = &yhat,
                           .out_n = nw,
                           .map = [&](const Ring* src, Ring* dst) { wino->weights_adjoint(src, dst); },
                           .bits = bits,
                           .blocks = points});
          return finish_param_layer(i, terms, need_dx ? batch * g.in_size() : 0, nw, dy, rows, out_c, fold,
                                    wino->extra_bits());
        }
        const S w = need_dx ? slice(theta_, w_off_[i], nw) : S{};  // only dX reads W
        // dW = cols^T dY; dX = col2im(dY W^T), mapped before the truncation
        // (col2im accumulates where patches overlap).
        std::vector<mpc::MatmulTerm<S>> terms;
        if (need_dx) {
          terms.push_back({Trans::kNo, Trans::kYes, rows, g.patch(), out_c, &dy, &w, batch * g.in_size(),
                           [&](const Ring* src, Ring* dst) { col2im(g, batch, src, dst); }});
        }
        terms.push_back({Trans::kYes, Trans::kNo, g.patch(), out_c, rows, &c.input, &dy, nw, {}});
        return finish_param_layer(i, terms, need_dx ? batch * g.in_size() : 0, nw, dy, rows, out_c, fold);
      }
      case LayerKind::kMaxPool: {
        const auto& win = windows(i, batch);
        const S routed = mpc::fx::route_back(p_, c.routing, dy);  // [o * ws + j]: dY[o] at the arg-max
        c.routing = {};
        return p_.linear(routed, batch * in.size(), [&](const Ring* src, Ring* dst) {
          for (std::size_t k = 0; k < win.size(); ++k)
            dst[win[k]] += src[k];  // accumulates overlapping windows
        });
      }
      case LayerKind::kAvgPool: {
        const auto& win = windows(i, batch);
        const std::size_t ws = static_cast<std::size_t>(l.window) * l.window;
        const S share = divide_by(std::move(dy), ws);  // each input's part of dY
        return p_.linear(share, batch * in.size(), [&](const Ring* src, Ring* dst) {
          for (std::size_t k = 0; k < win.size(); ++k) dst[win[k]] += src[k / ws];  // overlaps accumulate
        });
      }
      case LayerKind::kRelu:
        return p_.mul_factor(c.mask, dy);
      case LayerKind::kFlatten:
        return dy;
    }
    throw ShapeError("unknown layer kind");
  }

  P& p_;
  Architecture arch_;
  std::vector<Shape> shapes_;
  ConvAlgorithm conv_;
  std::vector<std::optional<WinogradConv>> winograd_;  // per layer (winograd.h)
  std::vector<std::size_t> w_off_, b_off_;
  std::size_t param_count_ = 0;
  S theta_, grad_;
  std::vector<Cache> cache_;
  std::vector<LayerCost> costs_;
  std::map<std::pair<std::size_t, std::size_t>, std::vector<std::uint32_t>> windows_;
};

template <mpc::Protocol P>
void Model<P>::set_secret_glorot() {
  // 24 bits: 2^24 steps over [-l, l], many per ulp of f = 16 (l < 2).
  const int m = std::min(24, p_.fixed().k - 2);
  const int e = p_.exact_bits().trunc - 3;
  std::size_t nw = 0;
  for (std::size_t i = 0; i < arch_.layers.size(); ++i) nw += weight_count(arch_, i);
  theta_ = p_.zeros(param_count_);
  if (nw == 0) return;
  S v = p_.add_public(p_.mul_public(p_.random_int(nw, m), Ring{2}), Ring{1} - (Ring{1} << m));
  std::vector<Ring> d(nw);
  std::vector<std::size_t> layers;
  std::size_t at = 0;
  for (std::size_t i = 0; i < arch_.layers.size(); ++i) {
    const std::size_t n = weight_count(arch_, i);
    if (n == 0) continue;
    // A narrow contract could leave D or the shift without bits.
    if (e - m < 1 || e - param_frac_bits(i) < 1) {
      throw ConfigError("secret initialisation: an exact truncation range of " +
                        std::to_string(p_.exact_bits().trunc) + " bits is too narrow for " +
                        std::to_string(m) + "-bit draws at " + std::to_string(param_frac_bits(i)) +
                        " fractional bits");
    }
    const Ring scale = encode_fixed<Ring>(glorot_limit(arch_, i), e - m);  // 2^100 in Z_2^128
    std::fill_n(d.begin() + static_cast<std::ptrdiff_t>(at), n, scale);
    layers.push_back(i);
    at += n;
  }
  v = p_.mul_public(std::move(v), d);
  std::vector<S> addends;
  addends.reserve(layers.size());
  at = 0;
  for (std::size_t i : layers) {
    addends.push_back(slice(v, at, weight_count(arch_, i)));
    at += weight_count(arch_, i);
  }
  std::vector<mpc::MatmulTerm<S>> terms;
  for (std::size_t q = 0; q < layers.size(); ++q) {
    terms.push_back(
        {.out_n = addends[q].size(), .addend = &addends[q], .bits = e - param_frac_bits(layers[q])});
  }
  const S w = p_.matmuls_trunc(std::span<const mpc::MatmulTerm<S>>(terms), terms[0].bits);
  at = 0;
  for (std::size_t i : layers) {
    copy_range(theta_, w_off_[i], w, at, weight_count(arch_, i));
    at += weight_count(arch_, i);
  }
}

template <mpc::Protocol P>
auto Model<P>::forward(const S& x, std::size_t batch, bool train) -> S {
  S a = x;
  for (std::size_t i = 0; i < arch_.layers.size(); ++i) {
    const Meter m(p_);
    a = forward_layer(i, std::move(a), batch, train);
    m.add_to(costs_[i].forward_s, costs_[i].forward_bytes, costs_[i].forward_rounds);
  }
  return a;
}

template <mpc::Protocol P>
auto Model<P>::backward(const S& dlogits, std::size_t batch, bool input_grad, const MomentumFold<S>* fold)
    -> S {
  if (fold != nullptr && (fold->velocity == nullptr || fold->velocity->size() != param_count_))
    throw ShapeError("backward: the momentum fold's velocity does not match the parameters");
  grad_ = p_.zeros(param_count_);
  // Layers before the first parameter layer (net A's flatten) need no
  // gradient, and neither does that layer's input: its dX product would
  // cost as much as its dW.
  const std::size_t first = input_grad ? 0 : first_param_layer();
  S d = dlogits;
  for (std::size_t i = arch_.layers.size(); i-- > first;) {
    const Meter m(p_);
    d = backward_layer(i, std::move(d), batch, i > first || input_grad, fold);
    m.add_to(costs_[i].backward_s, costs_[i].backward_bytes, costs_[i].backward_rounds);
  }
  return input_grad ? d : S{};
}

}  // namespace sqt::nn
