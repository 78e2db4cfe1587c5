// A whole network of host/nn/architecture.h composed from the float64 scalar
// layers of float_reference.h: the one float64 model the tests of every
// trainer (fixed point on shares in tests/nn, oneDNN float in tests/plain)
// compare against.
//
// forward() saves every layer's input (and the maxpool argmax); backward()
// returns the gradient w.r.t. the network input and fills `grads` with the
// parameter gradients summed over the batch (empty for layers without
// parameters).
#pragma once

#include <cstddef>
#include <utility>
#include <vector>

#include "host/nn/architecture.h"
#include "tests/common/float_reference.h"

namespace sqt::testing::ref {

struct ReferenceNet {
  nn::Architecture arch;
  nn::ModelParams params;
  std::vector<Vec> inputs;                       // per layer, saved by forward
  std::vector<std::vector<std::size_t>> argmax;  // per maxpool layer, saved by forward
  nn::ModelParams grads;                         // per layer, filled by backward

  ReferenceNet(nn::Architecture a, nn::ModelParams p) : arch(std::move(a)), params(std::move(p)) {}

  // Average pooling without padding (NHWC): the window means, or with
  // `adjoint` dY / window scattered over each window (x is then dY).
  static Vec avgpool(const Vec& x, const Dims& xd, int k, int s, bool adjoint) {
    const int oh_n = (xd.h - k) / s + 1, ow_n = (xd.w - k) / s + 1;
    Vec out(adjoint ? static_cast<std::size_t>(xd.n) * xd.h * xd.w * xd.c
                    : static_cast<std::size_t>(xd.n) * oh_n * ow_n * xd.c,
            0.0);
    std::size_t o = 0;
    for (int n = 0; n < xd.n; ++n)
      for (int oh = 0; oh < oh_n; ++oh)
        for (int ow = 0; ow < ow_n; ++ow)
          for (int c = 0; c < xd.c; ++c, ++o)
            for (int y = 0; y < k; ++y)
              for (int z = 0; z < k; ++z) {
                const std::size_t at = ((static_cast<std::size_t>(n) * xd.h + oh * s + y) * xd.w + ow * s + z) * xd.c + c;
                if (adjoint)
                  out[at] += x[o] / (k * k);
                else
                  out[o] += x[at] / (k * k);
              }
    return out;
  }

  Vec forward(const Vec& x, int batch) {
    inputs.clear();
    argmax.assign(arch.layers.size(), {});
    Vec a = x;
    for (std::size_t i = 0; i < arch.layers.size(); ++i) {
      inputs.push_back(a);
      const nn::LayerSpec& l = arch.layers[i];
      const nn::Shape in = nn::layer_input_shape(arch, i);
      const Dims xd{batch, in.h, in.w, in.c};
      Dims yd;
      switch (l.kind) {
        case nn::LayerKind::kDense:
          a = dense_forward(a, params[i].weight, params[i].bias, batch, static_cast<int>(in.size()), l.out);
          break;
        case nn::LayerKind::kConv:
          a = conv_forward(a, xd, params[i].weight, params[i].bias, l.kernel, l.out, l.stride, l.padding, yd);
          break;
        case nn::LayerKind::kMaxPool:
          a = maxpool_forward(a, xd, l.window, l.stride, yd, argmax[i]);
          break;
        case nn::LayerKind::kAvgPool:
          a = avgpool(a, xd, l.window, l.stride, false);
          break;
        case nn::LayerKind::kRelu:
          a = relu_forward(a);
          break;
        case nn::LayerKind::kFlatten:  // NHWC data is already flat in (h, w, c) order
          break;
      }
    }
    return a;
  }

  Vec backward(const Vec& dlogits, int batch) {
    grads.assign(arch.layers.size(), {});
    const auto outs = nn::layer_output_shapes(arch);
    Vec d = dlogits;
    for (std::size_t i = arch.layers.size(); i-- > 0;) {
      const nn::LayerSpec& l = arch.layers[i];
      const nn::Shape in = nn::layer_input_shape(arch, i), out = outs[i];
      const Dims xd{batch, in.h, in.w, in.c}, yd{batch, out.h, out.w, out.c};
      switch (l.kind) {
        case nn::LayerKind::kDense:
          grads[i].weight.assign(params[i].weight.size(), 0.0);
          grads[i].bias.assign(params[i].bias.size(), 0.0);
          d = dense_backward(inputs[i], params[i].weight, d, batch, static_cast<int>(in.size()), l.out,
                             grads[i].weight, grads[i].bias);
          break;
        case nn::LayerKind::kConv:
          grads[i].weight.assign(params[i].weight.size(), 0.0);
          grads[i].bias.assign(params[i].bias.size(), 0.0);
          d = conv_backward(inputs[i], xd, params[i].weight, d, yd, l.kernel, l.stride, l.padding,
                            grads[i].weight, grads[i].bias);
          break;
        case nn::LayerKind::kMaxPool:
          d = maxpool_backward(d, argmax[i], xd.size());
          break;
        case nn::LayerKind::kAvgPool:
          d = avgpool(d, xd, l.window, l.stride, true);
          break;
        case nn::LayerKind::kRelu:
          d = relu_backward(inputs[i], d);
          break;
        case nn::LayerKind::kFlatten:
          break;
      }
    }
    return d;
  }
};

}  // namespace sqt::testing::ref
