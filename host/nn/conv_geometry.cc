#include "host/nn/conv_geometry.h"

#include <algorithm>

namespace sqt::nn {

ConvGeometry ConvGeometry::make(Shape in, const LayerSpec& spec) {
  ConvGeometry g;
  g.in_h = in.h;
  g.in_w = in.w;
  g.in_c = in.c;
  g.kernel = spec.kernel;
  g.stride = spec.stride;
  g.padding = spec.padding;
  g.out_h = (in.h + 2 * spec.padding - spec.kernel) / spec.stride + 1;
  g.out_w = (in.w + 2 * spec.padding - spec.kernel) / spec.stride + 1;
  g.out_c = spec.out;
  return g;
}

template <RingElement Ring>
void im2col(const ConvGeometry& g, std::size_t batch, const Ring* in, Ring* cols) {
  const std::size_t c = g.in_c;
  for (std::size_t n = 0; n < batch; ++n) {
    const Ring* img = in + n * g.in_size();
    for (int oh = 0; oh < g.out_h; ++oh)
      for (int ow = 0; ow < g.out_w; ++ow) {
        Ring* row = cols + ((n * g.out_h + oh) * g.out_w + ow) * g.patch();
        const int iw0 = ow * g.stride - g.padding;
        const bool row_inside = iw0 >= 0 && iw0 + g.kernel <= g.in_w;
        for (int kh = 0; kh < g.kernel; ++kh) {
          const int ih = oh * g.stride - g.padding + kh;
          Ring* dst_row = row + static_cast<std::size_t>(kh) * g.kernel * c;
          if (ih < 0 || ih >= g.in_h) {
            std::fill_n(dst_row, g.kernel * c, Ring{0});
          } else if (row_inside) {
            // One kernel row is one contiguous run of the image (NHWC): one
            // copy instead of `kernel` (c is 1 for the first layer).
            std::copy_n(img + (static_cast<std::size_t>(ih) * g.in_w + iw0) * c, g.kernel * c, dst_row);
          } else {
            for (int kw = 0; kw < g.kernel; ++kw) {
              const int iw = iw0 + kw;
              Ring* dst = dst_row + static_cast<std::size_t>(kw) * c;
              if (iw < 0 || iw >= g.in_w)
                std::fill_n(dst, c, Ring{0});
              else
                std::copy_n(img + (static_cast<std::size_t>(ih) * g.in_w + iw) * c, c, dst);
            }
          }
        }
      }
  }
}

template <RingElement Ring>
void col2im(const ConvGeometry& g, std::size_t batch, const Ring* cols, Ring* dx) {
  const std::size_t c = g.in_c;
  for (std::size_t n = 0; n < batch; ++n) {
    Ring* img = dx + n * g.in_size();
    for (int oh = 0; oh < g.out_h; ++oh)
      for (int ow = 0; ow < g.out_w; ++ow) {
        const Ring* row = cols + ((n * g.out_h + oh) * g.out_w + ow) * g.patch();
        for (int kh = 0; kh < g.kernel; ++kh) {
          const int ih = oh * g.stride - g.padding + kh;
          if (ih < 0 || ih >= g.in_h) continue;
          for (int kw = 0; kw < g.kernel; ++kw) {
            const int iw = ow * g.stride - g.padding + kw;
            if (iw < 0 || iw >= g.in_w) continue;
            const Ring* src = row + (static_cast<std::size_t>(kh) * g.kernel + kw) * c;
            Ring* dst = img + (static_cast<std::size_t>(ih) * g.in_w + iw) * c;
            for (std::size_t i = 0; i < c; ++i) dst[i] += src[i];
          }
        }
      }
  }
}

std::vector<std::uint32_t> pool_windows(Shape in, const LayerSpec& spec, std::size_t batch) {
  const int oh_n = (in.h - spec.window) / spec.stride + 1, ow_n = (in.w - spec.window) / spec.stride + 1;
  const std::size_t ws = static_cast<std::size_t>(spec.window) * spec.window;
  std::vector<std::uint32_t> idx(batch * oh_n * ow_n * in.c * ws);
  std::size_t o = 0;
  for (std::size_t n = 0; n < batch; ++n)
    for (int oh = 0; oh < oh_n; ++oh)
      for (int ow = 0; ow < ow_n; ++ow)
        for (int c = 0; c < in.c; ++c, ++o)
          for (int kh = 0; kh < spec.window; ++kh)
            for (int kw = 0; kw < spec.window; ++kw) {
              const std::size_t ih = oh * spec.stride + kh, iw = ow * spec.stride + kw;
              idx[o * ws + kh * spec.window + kw] =
                  static_cast<std::uint32_t>(((n * in.h + ih) * in.w + iw) * in.c + c);
            }
  return idx;
}

template void im2col<Ring64>(const ConvGeometry&, std::size_t, const Ring64*, Ring64*);
template void im2col<Ring128>(const ConvGeometry&, std::size_t, const Ring128*, Ring128*);
template void col2im<Ring64>(const ConvGeometry&, std::size_t, const Ring64*, Ring64*);
template void col2im<Ring128>(const ConvGeometry&, std::size_t, const Ring128*, Ring128*);

}  // namespace sqt::nn
