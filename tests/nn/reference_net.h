// A float64 reference for the layers of host/nn (independent scalar loops, no
// im2col, no shared code with the secure layers), used to check them.
#pragma once

#include <algorithm>
#include <cmath>
#include <vector>

#include "host/nn/architecture.h"

namespace sqt::nn::testing {

struct ReferenceNet {
  Architecture arch;
  ModelParams params;
  std::vector<std::vector<double>> inputs;  // per layer, saved by forward
  ModelParams grads;

  std::vector<double> forward(const std::vector<double>& x, int batch) {
    inputs.clear();
    std::vector<double> a = x;
    for (std::size_t i = 0; i < arch.layers.size(); ++i) {
      inputs.push_back(a);
      a = layer_forward(i, a, batch);
    }
    return a;
  }

  // Returns the gradient w.r.t. the network input; fills grads.
  std::vector<double> backward(const std::vector<double>& dlogits, int batch) {
    grads.assign(arch.layers.size(), {});
    std::vector<double> d = dlogits;
    for (std::size_t i = arch.layers.size(); i-- > 0;) d = layer_backward(i, d, batch);
    return d;
  }

  std::vector<double> layer_forward(std::size_t i, const std::vector<double>& x, int batch) {
    const LayerSpec& l = arch.layers[i];
    const Shape in = layer_input_shape(arch, i), out = layer_output_shapes(arch)[i];
    std::vector<double> y(batch * out.size(), 0.0);
    switch (l.kind) {
      case LayerKind::kDense:
        for (int n = 0; n < batch; ++n)
          for (int o = 0; o < l.out; ++o) {
            double s = params[i].bias[o];
            for (std::size_t k = 0; k < in.size(); ++k)
              s += x[n * in.size() + k] * params[i].weight[k * l.out + o];
            y[n * l.out + o] = s;
          }
        break;
      case LayerKind::kConv:
        for (int n = 0; n < batch; ++n)
          for (int oh = 0; oh < out.h; ++oh)
            for (int ow = 0; ow < out.w; ++ow)
              for (int oc = 0; oc < out.c; ++oc) {
                double s = params[i].bias[oc];
                for (int kh = 0; kh < l.kernel; ++kh)
                  for (int kw = 0; kw < l.kernel; ++kw)
                    for (int ic = 0; ic < in.c; ++ic) {
                      const int ih = oh * l.stride - l.padding + kh, iw = ow * l.stride - l.padding + kw;
                      if (ih < 0 || iw < 0 || ih >= in.h || iw >= in.w) continue;
                      s += x[((n * in.h + ih) * in.w + iw) * in.c + ic] *
                           params[i].weight[((kh * l.kernel + kw) * in.c + ic) * out.c + oc];
                    }
                y[((n * out.h + oh) * out.w + ow) * out.c + oc] = s;
              }
        break;
      case LayerKind::kMaxPool:
        for (int n = 0; n < batch; ++n)
          for (int oh = 0; oh < out.h; ++oh)
            for (int ow = 0; ow < out.w; ++ow)
              for (int c = 0; c < out.c; ++c) {
                double m = -1e300;
                for (int kh = 0; kh < l.window; ++kh)
                  for (int kw = 0; kw < l.window; ++kw)
                    m = std::max(m,
                                 x[((n * in.h + oh * l.stride + kh) * in.w + ow * l.stride + kw) * in.c + c]);
                y[((n * out.h + oh) * out.w + ow) * out.c + c] = m;
              }
        break;
      case LayerKind::kRelu:
        for (std::size_t k = 0; k < x.size(); ++k) y[k] = x[k] > 0 ? x[k] : 0;
        break;
      case LayerKind::kFlatten:
        y = x;
        break;
    }
    return y;
  }

  std::vector<double> layer_backward(std::size_t i, const std::vector<double>& dy, int batch) {
    const LayerSpec& l = arch.layers[i];
    const Shape in = layer_input_shape(arch, i), out = layer_output_shapes(arch)[i];
    const std::vector<double>& x = inputs[i];
    std::vector<double> dx(batch * in.size(), 0.0);
    switch (l.kind) {
      case LayerKind::kDense: {
        grads[i].weight.assign(params[i].weight.size(), 0.0);
        grads[i].bias.assign(l.out, 0.0);
        for (int n = 0; n < batch; ++n)
          for (int o = 0; o < l.out; ++o) {
            const double g = dy[n * l.out + o];
            grads[i].bias[o] += g;
            for (std::size_t k = 0; k < in.size(); ++k) {
              grads[i].weight[k * l.out + o] += x[n * in.size() + k] * g;
              dx[n * in.size() + k] += params[i].weight[k * l.out + o] * g;
            }
          }
        break;
      }
      case LayerKind::kConv:
        grads[i].weight.assign(params[i].weight.size(), 0.0);
        grads[i].bias.assign(l.out, 0.0);
        for (int n = 0; n < batch; ++n)
          for (int oh = 0; oh < out.h; ++oh)
            for (int ow = 0; ow < out.w; ++ow)
              for (int oc = 0; oc < out.c; ++oc) {
                const double g = dy[((n * out.h + oh) * out.w + ow) * out.c + oc];
                grads[i].bias[oc] += g;
                for (int kh = 0; kh < l.kernel; ++kh)
                  for (int kw = 0; kw < l.kernel; ++kw)
                    for (int ic = 0; ic < in.c; ++ic) {
                      const int ih = oh * l.stride - l.padding + kh, iw = ow * l.stride - l.padding + kw;
                      if (ih < 0 || iw < 0 || ih >= in.h || iw >= in.w) continue;
                      const int xi = ((n * in.h + ih) * in.w + iw) * in.c + ic;
                      const int wi = ((kh * l.kernel + kw) * in.c + ic) * out.c + oc;
                      grads[i].weight[wi] += x[xi] * g;
                      dx[xi] += params[i].weight[wi] * g;
                    }
              }
        break;
      case LayerKind::kMaxPool:
        for (int n = 0; n < batch; ++n)
          for (int oh = 0; oh < out.h; ++oh)
            for (int ow = 0; ow < out.w; ++ow)
              for (int c = 0; c < out.c; ++c) {
                int best = -1;
                double m = -1e300;
                for (int kh = 0; kh < l.window; ++kh)
                  for (int kw = 0; kw < l.window; ++kw) {
                    const int xi = ((n * in.h + oh * l.stride + kh) * in.w + ow * l.stride + kw) * in.c + c;
                    if (x[xi] > m) m = x[xi], best = xi;
                  }
                dx[best] += dy[((n * out.h + oh) * out.w + ow) * out.c + c];  // accumulate overlaps
              }
        break;
      case LayerKind::kRelu:
        for (std::size_t k = 0; k < x.size(); ++k) dx[k] = x[k] > 0 ? dy[k] : 0;
        break;
      case LayerKind::kFlatten:
        dx = dy;
        break;
    }
    return dx;
  }
};

}  // namespace sqt::nn::testing
