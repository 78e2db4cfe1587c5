// The network layers of the float reference, each a few oneDNN primitives
// built once for a fixed batch size. Data is NHWC float32; parameters use the
// layouts of host/nn/architecture.h (dense [in][out], conv HWIO), which
// oneDNN reads directly (format tags ab and hwio), so no reorders are needed.
//
// forward(in) returns the layer's own output buffer; backward(diff_out)
// returns the gradient with respect to the input (nullptr when the layer was
// told it need not compute it) and *adds* the parameter gradients of this
// batch to grad_weight()/grad_bias() (summed over the batch, not averaged).
#pragma once

#include <memory>
#include <oneapi/dnnl/dnnl.hpp>
#include <span>
#include <vector>

#include "host/nn/architecture.h"

namespace sqt::plain {

// One CPU engine and stream shared by all layers.
struct DnnlContext {
  dnnl::engine engine{dnnl::engine::kind::cpu, 0};
  dnnl::stream stream{engine};
};

class Layer {
 public:
  virtual ~Layer() = default;
  virtual const float* forward(const float* in) = 0;
  virtual const float* backward(const float* diff_out) = 0;
  // Parameters (empty for layers without them); pointers into the model's
  // parameter store, shared by nets of different batch sizes.
  virtual std::span<float> weight() { return {}; }
  virtual std::span<float> bias() { return {}; }
  virtual std::span<float> grad_weight() { return {}; }
  virtual std::span<float> grad_bias() { return {}; }
};

// Storage of one layer's parameters and their gradients.
struct ParamSlot {
  std::vector<float> weight, bias, grad_weight, grad_bias;
};

// Builds the layer `spec` taking `in` per sample, for `batch` samples.
// need_diff_in = false skips the input gradient (first layer).
std::unique_ptr<Layer> make_layer(DnnlContext& ctx, const nn::LayerSpec& spec, nn::Shape in, nn::Shape out,
                                  int batch, ParamSlot& params, bool need_diff_in);

}  // namespace sqt::plain
