// Float64 scalar reference of the network layers, for tests only: the
// simplest loops that say what each layer computes, in the layouts of
// host/nn/architecture.h (data NHWC, dense weight [in][out], conv weight
// HWIO, symmetric zero padding). Any trainer's layers (oneDNN float, fixed
// point on shares) can be checked against these.
//
// Backward functions return the input gradient and *add* the parameter
// gradients, summed over the batch, into dw / db.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

namespace sqt::testing::ref {

using Vec = std::vector<double>;

struct Dims {
  int n = 1, h = 1, w = 1, c = 1;
  std::size_t size() const { return static_cast<std::size_t>(n) * h * w * c; }
  std::size_t at(int b, int y, int x, int ch) const {
    return ((static_cast<std::size_t>(b) * h + y) * w + x) * c + ch;
  }
};

// y[N][out] = x[N][in] w[in][out] + b
inline Vec dense_forward(const Vec& x, const Vec& w, const Vec& b, int n, int in, int out) {
  Vec y(static_cast<std::size_t>(n) * out);
  for (int s = 0; s < n; ++s)
    for (int o = 0; o < out; ++o) {
      double acc = b[o];
      for (int i = 0; i < in; ++i) acc += x[s * in + i] * w[i * out + o];
      y[s * out + o] = acc;
    }
  return y;
}

inline Vec dense_backward(const Vec& x, const Vec& w, const Vec& dy, int n, int in, int out, Vec& dw,
                          Vec& db) {
  Vec dx(static_cast<std::size_t>(n) * in, 0.0);
  for (int s = 0; s < n; ++s)
    for (int o = 0; o < out; ++o) {
      const double g = dy[s * out + o];
      db[o] += g;
      for (int i = 0; i < in; ++i) {
        dx[s * in + i] += g * w[i * out + o];
        dw[i * out + o] += g * x[s * in + i];
      }
    }
  return dx;
}

inline int conv_out_size(int in, int k, int stride, int pad) { return (in + 2 * pad - k) / stride + 1; }

// NHWC convolution with HWIO weights [k][k][c_in][c_out].
inline Vec conv_forward(const Vec& x, Dims xd, const Vec& w, const Vec& b, int k, int c_out, int stride,
                        int pad, Dims& yd) {
  yd = {xd.n, conv_out_size(xd.h, k, stride, pad), conv_out_size(xd.w, k, stride, pad), c_out};
  Vec y(yd.size());
  for (int s = 0; s < yd.n; ++s)
    for (int oy = 0; oy < yd.h; ++oy)
      for (int ox = 0; ox < yd.w; ++ox)
        for (int o = 0; o < c_out; ++o) {
          double acc = b[o];
          for (int ky = 0; ky < k; ++ky)
            for (int kx = 0; kx < k; ++kx) {
              const int iy = oy * stride - pad + ky, ix = ox * stride - pad + kx;
              if (iy < 0 || iy >= xd.h || ix < 0 || ix >= xd.w) continue;
              for (int i = 0; i < xd.c; ++i)
                acc += x[xd.at(s, iy, ix, i)] *
                       w[((static_cast<std::size_t>(ky) * k + kx) * xd.c + i) * c_out + o];
            }
          y[yd.at(s, oy, ox, o)] = acc;
        }
  return y;
}

inline Vec conv_backward(const Vec& x, Dims xd, const Vec& w, const Vec& dy, Dims yd, int k, int stride,
                         int pad, Vec& dw, Vec& db) {
  Vec dx(xd.size(), 0.0);
  for (int s = 0; s < yd.n; ++s)
    for (int oy = 0; oy < yd.h; ++oy)
      for (int ox = 0; ox < yd.w; ++ox)
        for (int o = 0; o < yd.c; ++o) {
          const double g = dy[yd.at(s, oy, ox, o)];
          db[o] += g;
          for (int ky = 0; ky < k; ++ky)
            for (int kx = 0; kx < k; ++kx) {
              const int iy = oy * stride - pad + ky, ix = ox * stride - pad + kx;
              if (iy < 0 || iy >= xd.h || ix < 0 || ix >= xd.w) continue;
              for (int i = 0; i < xd.c; ++i) {
                const std::size_t wi = ((static_cast<std::size_t>(ky) * k + kx) * xd.c + i) * yd.c + o;
                dx[xd.at(s, iy, ix, i)] += g * w[wi];
                dw[wi] += g * x[xd.at(s, iy, ix, i)];
              }
            }
        }
  return dx;
}

// Max pooling without padding; argmax[j] is the input index of output j's
// maximum (the first one in row-major window order on ties).
inline Vec maxpool_forward(const Vec& x, Dims xd, int window, int stride, Dims& yd,
                           std::vector<std::size_t>& argmax) {
  yd = {xd.n, (xd.h - window) / stride + 1, (xd.w - window) / stride + 1, xd.c};
  Vec y(yd.size());
  argmax.assign(yd.size(), 0);
  for (int s = 0; s < yd.n; ++s)
    for (int oy = 0; oy < yd.h; ++oy)
      for (int ox = 0; ox < yd.w; ++ox)
        for (int c = 0; c < xd.c; ++c) {
          double best = -std::numeric_limits<double>::infinity();
          std::size_t best_i = 0;
          for (int ky = 0; ky < window; ++ky)
            for (int kx = 0; kx < window; ++kx) {
              const std::size_t i = xd.at(s, oy * stride + ky, ox * stride + kx, c);
              if (x[i] > best) {
                best = x[i];
                best_i = i;
              }
            }
          y[yd.at(s, oy, ox, c)] = best;
          argmax[yd.at(s, oy, ox, c)] = best_i;
        }
  return y;
}

// Scatters into a zeroed gradient and accumulates where windows overlap.
inline Vec maxpool_backward(const Vec& dy, const std::vector<std::size_t>& argmax, std::size_t x_size) {
  Vec dx(x_size, 0.0);
  for (std::size_t j = 0; j < dy.size(); ++j) dx[argmax[j]] += dy[j];
  return dx;
}

inline Vec relu_forward(const Vec& x) {
  Vec y(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) y[i] = x[i] > 0 ? x[i] : 0.0;
  return y;
}

inline Vec relu_backward(const Vec& x, const Vec& dy) {
  Vec dx(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) dx[i] = x[i] > 0 ? dy[i] : 0.0;
  return dx;
}

// Summed cross-entropy of softmax(logits) and grad = softmax - onehot.
inline double softmax_ce(const Vec& logits, const std::vector<std::uint8_t>& labels, int classes, Vec& grad) {
  grad.assign(logits.size(), 0.0);
  double loss = 0;
  for (std::size_t s = 0; s < labels.size(); ++s) {
    double sum = 0;
    for (int c = 0; c < classes; ++c) sum += std::exp(logits[s * classes + c]);
    for (int c = 0; c < classes; ++c)
      grad[s * classes + c] = std::exp(logits[s * classes + c]) / sum - (c == labels[s] ? 1.0 : 0.0);
    loss += std::log(sum) - logits[s * classes + labels[s]];
  }
  return loss;
}

}  // namespace sqt::testing::ref
