#include "host/plain/layers.h"

#include <algorithm>
#include <string>
#include <unordered_map>

#include "host/core/error.h"

namespace sqt::plain {
namespace {

using dnnl::memory;
using Tag = memory::format_tag;
using Dt = memory::data_type;
using Args = std::unordered_map<int, memory>;

memory::desc nhwc_md(int n, nn::Shape s) { return memory::desc({n, s.c, s.h, s.w}, Dt::f32, Tag::nhwc); }

memory wrap(DnnlContext& ctx, const memory::desc& md, const float* p) {
  return memory(md, ctx.engine, const_cast<float*>(p));
}

void add_into(std::span<float> acc, const std::vector<float>& x) {
  for (std::size_t i = 0; i < acc.size(); ++i) acc[i] += x[i];
}

// Column sums of a [rows][cols] matrix added to acc (the bias gradient).
void add_column_sums(const float* m, std::size_t rows, std::size_t cols, std::span<float> acc) {
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t c = 0; c < cols; ++c) acc[c] += m[r * cols + c];
}

class ParamLayer : public Layer {
 public:
  explicit ParamLayer(ParamSlot& p) : p_(p) {}
  std::span<float> weight() override { return p_.weight; }
  std::span<float> bias() override { return p_.bias; }
  std::span<float> grad_weight() override { return p_.grad_weight; }
  std::span<float> grad_bias() override { return p_.grad_bias; }

 protected:
  ParamSlot& p_;
};

// Y = X W + b with X [N][in], W [in][out]. Backward: dX = dY W^T and
// dW += X^T dY, both as matmuls on transposed views (tag ba) of the same
// buffers; the sum post-op accumulates dW in place.
class DenseLayer : public ParamLayer {
 public:
  DenseLayer(DnnlContext& ctx, int in, int out, int batch, ParamSlot& p, bool need_diff_in)
      : ParamLayer(p), ctx_(ctx), n_(batch), in_(in), out_(out), need_diff_in_(need_diff_in) {
    const memory::desc x{{n_, in_}, Dt::f32, Tag::ab}, w{{in_, out_}, Dt::f32, Tag::ab},
        b{{1, out_}, Dt::f32, Tag::ab}, y{{n_, out_}, Dt::f32, Tag::ab};
    fwd_ = dnnl::matmul(dnnl::matmul::primitive_desc(dnnl::matmul::desc(x, w, b, y), ctx.engine));
    x_md_ = x;
    w_md_ = w;
    b_md_ = b;
    y_md_ = y;
    wt_md_ = memory::desc({out_, in_}, Dt::f32, Tag::ba);
    xt_md_ = memory::desc({in_, n_}, Dt::f32, Tag::ba);
    if (need_diff_in_)
      bwd_data_ = dnnl::matmul(dnnl::matmul::primitive_desc(dnnl::matmul::desc(y, wt_md_, x), ctx.engine));
    dnnl::post_ops accumulate;
    accumulate.append_sum(1.0f);
    dnnl::primitive_attr attr;
    attr.set_post_ops(accumulate);
    bwd_weights_ =
        dnnl::matmul(dnnl::matmul::primitive_desc(dnnl::matmul::desc(xt_md_, y, w), attr, ctx.engine));
    out_buf_.resize(static_cast<std::size_t>(n_) * out_);
    if (need_diff_in_) diff_in_.resize(static_cast<std::size_t>(n_) * in_);
  }

  const float* forward(const float* in) override {
    in_ptr_ = in;
    fwd_.execute(ctx_.stream, Args{{DNNL_ARG_SRC, wrap(ctx_, x_md_, in)},
                                   {DNNL_ARG_WEIGHTS, wrap(ctx_, w_md_, p_.weight.data())},
                                   {DNNL_ARG_BIAS, wrap(ctx_, b_md_, p_.bias.data())},
                                   {DNNL_ARG_DST, wrap(ctx_, y_md_, out_buf_.data())}});
    ctx_.stream.wait();
    return out_buf_.data();
  }

  const float* backward(const float* diff_out) override {
    bwd_weights_.execute(ctx_.stream, Args{{DNNL_ARG_SRC, wrap(ctx_, xt_md_, in_ptr_)},
                                           {DNNL_ARG_WEIGHTS, wrap(ctx_, y_md_, diff_out)},
                                           {DNNL_ARG_DST, wrap(ctx_, w_md_, p_.grad_weight.data())}});
    if (need_diff_in_)
      bwd_data_.execute(ctx_.stream, Args{{DNNL_ARG_SRC, wrap(ctx_, y_md_, diff_out)},
                                          {DNNL_ARG_WEIGHTS, wrap(ctx_, wt_md_, p_.weight.data())},
                                          {DNNL_ARG_DST, wrap(ctx_, x_md_, diff_in_.data())}});
    ctx_.stream.wait();
    add_column_sums(diff_out, n_, out_, p_.grad_bias);
    return need_diff_in_ ? diff_in_.data() : nullptr;
  }

 private:
  DnnlContext& ctx_;
  int n_, in_, out_;
  bool need_diff_in_;
  memory::desc x_md_, w_md_, b_md_, y_md_, wt_md_, xt_md_;
  dnnl::matmul fwd_, bwd_data_, bwd_weights_;
  std::vector<float> out_buf_, diff_in_;
  const float* in_ptr_ = nullptr;
};

// Weights in a layout the convolution prefers, kept in step with the HWIO
// parameters by a reorder when the layouts differ.
class WeightView {
 public:
  WeightView() = default;
  WeightView(DnnlContext& ctx, const memory::desc& user, const memory::desc& wanted)
      : ctx_(&ctx), user_(user) {
    if (wanted != user) {
      internal_ = memory(wanted, ctx.engine);
      to_internal_ = dnnl::reorder(dnnl::reorder::primitive_desc(ctx.engine, user, ctx.engine, wanted));
      to_user_ = dnnl::reorder(dnnl::reorder::primitive_desc(ctx.engine, wanted, ctx.engine, user));
    }
  }
  // The weights `w` (user layout) as the primitive wants them.
  memory in(const float* w) {
    memory m = wrap(*ctx_, user_, w);
    if (!internal_) return m;
    to_internal_.execute(ctx_->stream, m, internal_);
    return internal_;
  }
  // Where the primitive writes a gradient, and its copy back to `w`.
  memory out(float* w) { return internal_ ? internal_ : wrap(*ctx_, user_, w); }
  void finish_out(float* w) {
    if (!internal_) return;
    memory user = wrap(*ctx_, user_, w);
    to_user_.execute(ctx_->stream, internal_, user);
  }

 private:
  DnnlContext* ctx_ = nullptr;
  memory::desc user_;
  memory internal_;
  dnnl::reorder to_internal_, to_user_;
};

// Activations stay NHWC; the weights' layout is left to oneDNN ("any"), which
// selects its direct JIT kernels instead of the im2col GEMM path.
class ConvLayer : public ParamLayer {
 public:
  ConvLayer(DnnlContext& ctx, const nn::LayerSpec& spec, nn::Shape in, nn::Shape out, int batch, ParamSlot& p,
            bool need_diff_in)
      : ParamLayer(p), ctx_(ctx), n_(batch), need_diff_in_(need_diff_in) {
    using namespace dnnl;
    x_md_ = nhwc_md(n_, in);
    y_md_ = nhwc_md(n_, out);
    const memory::dims w_dims{out.c, in.c, spec.kernel, spec.kernel};
    w_md_ = memory::desc(w_dims, Dt::f32, Tag::hwio);
    const memory::desc w_any(w_dims, Dt::f32, Tag::any);
    b_md_ = memory::desc({out.c}, Dt::f32, Tag::x);
    const memory::dims strides{spec.stride, spec.stride}, pad{spec.padding, spec.padding};
    const convolution_forward::primitive_desc fwd_pd(
        convolution_forward::desc(prop_kind::forward_training, algorithm::convolution_direct, x_md_, w_any,
                                  b_md_, y_md_, strides, pad, pad),
        ctx.engine);
    fwd_ = convolution_forward(fwd_pd);
    w_fwd_ = WeightView(ctx, w_md_, fwd_pd.weights_desc());
    if (need_diff_in_) {
      const convolution_backward_data::primitive_desc pd(
          convolution_backward_data::desc(algorithm::convolution_direct, x_md_, w_any, y_md_, strides, pad,
                                          pad),
          ctx.engine, fwd_pd);
      bwd_data_ = convolution_backward_data(pd);
      w_bwd_ = WeightView(ctx, w_md_, pd.weights_desc());
    }
    const convolution_backward_weights::primitive_desc bw_pd(
        convolution_backward_weights::desc(algorithm::convolution_direct, x_md_, w_any, b_md_, y_md_, strides,
                                           pad, pad),
        ctx.engine, fwd_pd);
    bwd_weights_ = convolution_backward_weights(bw_pd);
    dw_view_ = WeightView(ctx, w_md_, bw_pd.diff_weights_desc());
    out_buf_.resize(static_cast<std::size_t>(n_) * out.size());
    if (need_diff_in_) diff_in_.resize(static_cast<std::size_t>(n_) * in.size());
    dw_.resize(p.weight.size());
    db_.resize(p.bias.size());
  }

  const float* forward(const float* in) override {
    in_ptr_ = in;
    fwd_.execute(ctx_.stream, Args{{DNNL_ARG_SRC, wrap(ctx_, x_md_, in)},
                                   {DNNL_ARG_WEIGHTS, w_fwd_.in(p_.weight.data())},
                                   {DNNL_ARG_BIAS, wrap(ctx_, b_md_, p_.bias.data())},
                                   {DNNL_ARG_DST, wrap(ctx_, y_md_, out_buf_.data())}});
    ctx_.stream.wait();
    return out_buf_.data();
  }

  const float* backward(const float* diff_out) override {
    bwd_weights_.execute(ctx_.stream, Args{{DNNL_ARG_SRC, wrap(ctx_, x_md_, in_ptr_)},
                                           {DNNL_ARG_DIFF_DST, wrap(ctx_, y_md_, diff_out)},
                                           {DNNL_ARG_DIFF_WEIGHTS, dw_view_.out(dw_.data())},
                                           {DNNL_ARG_DIFF_BIAS, wrap(ctx_, b_md_, db_.data())}});
    dw_view_.finish_out(dw_.data());
    if (need_diff_in_)
      bwd_data_.execute(ctx_.stream, Args{{DNNL_ARG_DIFF_DST, wrap(ctx_, y_md_, diff_out)},
                                          {DNNL_ARG_WEIGHTS, w_bwd_.in(p_.weight.data())},
                                          {DNNL_ARG_DIFF_SRC, wrap(ctx_, x_md_, diff_in_.data())}});
    ctx_.stream.wait();
    add_into(p_.grad_weight, dw_);
    add_into(p_.grad_bias, db_);
    return need_diff_in_ ? diff_in_.data() : nullptr;
  }

 private:
  DnnlContext& ctx_;
  int n_;
  bool need_diff_in_;
  memory::desc x_md_, y_md_, w_md_, b_md_;
  dnnl::convolution_forward fwd_;
  dnnl::convolution_backward_data bwd_data_;
  dnnl::convolution_backward_weights bwd_weights_;
  WeightView w_fwd_, w_bwd_, dw_view_;
  std::vector<float> out_buf_, diff_in_, dw_, db_;
  const float* in_ptr_ = nullptr;
};

// Max pooling keeps oneDNN's workspace (the arg-max of each window) for the
// backward pass, which scatters and accumulates where windows overlap.
// Max or average pooling (no padding: the average is over the whole window).
class PoolLayer : public Layer {
 public:
  PoolLayer(DnnlContext& ctx, const nn::LayerSpec& spec, nn::Shape in, nn::Shape out, int batch)
      : ctx_(ctx) {
    using namespace dnnl;
    const algorithm alg =
        spec.kind == nn::LayerKind::kMaxPool ? algorithm::pooling_max : algorithm::pooling_avg_exclude_padding;
    x_md_ = nhwc_md(batch, in);
    y_md_ = nhwc_md(batch, out);
    const memory::dims strides{spec.stride, spec.stride}, kernel{spec.window, spec.window}, pad{0, 0};
    const pooling_forward::primitive_desc fwd_pd(
        pooling_forward::desc(prop_kind::forward_training, alg, x_md_, y_md_, strides, kernel, pad, pad),
        ctx.engine);
    fwd_ = pooling_forward(fwd_pd);
    bwd_ = pooling_backward(pooling_backward::primitive_desc(
        pooling_backward::desc(alg, x_md_, y_md_, strides, kernel, pad, pad), ctx.engine,
        fwd_pd));
    workspace_ = memory(fwd_pd.workspace_desc(), ctx.engine);
    out_buf_.resize(static_cast<std::size_t>(batch) * out.size());
    diff_in_.resize(static_cast<std::size_t>(batch) * in.size());
  }

  const float* forward(const float* in) override {
    fwd_.execute(ctx_.stream, Args{{DNNL_ARG_SRC, wrap(ctx_, x_md_, in)},
                                   {DNNL_ARG_DST, wrap(ctx_, y_md_, out_buf_.data())},
                                   {DNNL_ARG_WORKSPACE, workspace_}});
    ctx_.stream.wait();
    return out_buf_.data();
  }

  const float* backward(const float* diff_out) override {
    bwd_.execute(ctx_.stream, Args{{DNNL_ARG_DIFF_DST, wrap(ctx_, y_md_, diff_out)},
                                   {DNNL_ARG_DIFF_SRC, wrap(ctx_, x_md_, diff_in_.data())},
                                   {DNNL_ARG_WORKSPACE, workspace_}});
    ctx_.stream.wait();
    return diff_in_.data();
  }

 private:
  DnnlContext& ctx_;
  memory::desc x_md_, y_md_;
  dnnl::pooling_forward fwd_;
  dnnl::pooling_backward bwd_;
  memory workspace_;
  std::vector<float> out_buf_, diff_in_;
};

class ReluLayer : public Layer {
 public:
  ReluLayer(DnnlContext& ctx, nn::Shape shape, int batch) : ctx_(ctx) {
    using namespace dnnl;
    md_ = memory::desc({static_cast<memory::dim>(batch) * static_cast<memory::dim>(shape.size())}, Dt::f32,
                       Tag::x);
    const eltwise_forward::primitive_desc fwd_pd(
        eltwise_forward::desc(prop_kind::forward_training, algorithm::eltwise_relu, md_, 0.0f, 0.0f),
        ctx.engine);
    fwd_ = eltwise_forward(fwd_pd);
    bwd_ = eltwise_backward(eltwise_backward::primitive_desc(
        eltwise_backward::desc(algorithm::eltwise_relu, md_, md_, 0.0f, 0.0f), ctx.engine, fwd_pd));
    out_buf_.resize(static_cast<std::size_t>(batch) * shape.size());
    diff_in_.resize(out_buf_.size());
  }

  const float* forward(const float* in) override {
    in_ptr_ = in;
    fwd_.execute(ctx_.stream,
                 Args{{DNNL_ARG_SRC, wrap(ctx_, md_, in)}, {DNNL_ARG_DST, wrap(ctx_, md_, out_buf_.data())}});
    ctx_.stream.wait();
    return out_buf_.data();
  }

  const float* backward(const float* diff_out) override {
    bwd_.execute(ctx_.stream, Args{{DNNL_ARG_SRC, wrap(ctx_, md_, in_ptr_)},
                                   {DNNL_ARG_DIFF_DST, wrap(ctx_, md_, diff_out)},
                                   {DNNL_ARG_DIFF_SRC, wrap(ctx_, md_, diff_in_.data())}});
    ctx_.stream.wait();
    return diff_in_.data();
  }

 private:
  DnnlContext& ctx_;
  memory::desc md_;
  dnnl::eltwise_forward fwd_;
  dnnl::eltwise_backward bwd_;
  std::vector<float> out_buf_, diff_in_;
  const float* in_ptr_ = nullptr;
};

// NHWC data is already flat in (h, w, c) order: nothing to do.
class FlattenLayer : public Layer {
 public:
  const float* forward(const float* in) override { return in; }
  const float* backward(const float* diff_out) override { return diff_out; }
};

}  // namespace

std::unique_ptr<Layer> make_layer(DnnlContext& ctx, const nn::LayerSpec& spec, nn::Shape in, nn::Shape out,
                                  int batch, ParamSlot& params, bool need_diff_in) {
  switch (spec.kind) {
    case nn::LayerKind::kDense:
      return std::make_unique<DenseLayer>(ctx, static_cast<int>(in.size()), spec.out, batch, params,
                                          need_diff_in);
    case nn::LayerKind::kConv:
      return std::make_unique<ConvLayer>(ctx, spec, in, out, batch, params, need_diff_in);
    case nn::LayerKind::kMaxPool:
    case nn::LayerKind::kAvgPool:
      return std::make_unique<PoolLayer>(ctx, spec, in, out, batch);
    case nn::LayerKind::kRelu:
      return std::make_unique<ReluLayer>(ctx, in, batch);
    case nn::LayerKind::kFlatten:
      return std::make_unique<FlattenLayer>();
  }
  throw ShapeError("unknown layer kind " + std::to_string(static_cast<int>(spec.kind)));
}

}  // namespace sqt::plain
