// Softmax over the rows of a rows x cols matrix: subtract the row maximum
// (all-pairs comparison), exp of the non-positive differences, row sums, one reciprocal per row (known
// range, no normalisation), one product. Each step is one batched call for the whole matrix.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "host/core/error.h"
#include "host/mpc/fixed/basic.h"
#include "host/mpc/fixed/exp.h"
#include "host/mpc/fixed/max_windows.h"
#include "host/mpc/fixed/reciprocal.h"

namespace sqt::mpc::fx {

template <Protocol P>
ShareOf<P> softmax(P& p, const ShareOf<P>& x, std::size_t rows, std::size_t cols) {
  if (x.size() != rows * cols || cols == 0) {
    throw ShapeError("fx::softmax: input of " + std::to_string(x.size()) + " elements is not " +
                     std::to_string(rows) + " x " + std::to_string(cols));
  }
  constexpr int C = ShareOf<P>::kComponents;
  std::vector<std::uint32_t> all(rows * cols);
  for (std::size_t i = 0; i < all.size(); ++i) all[i] = static_cast<std::uint32_t>(i);
  const ShareOf<P> row_max = max_only(p, x, all, cols);
  const ShareOf<P> e = exp_nonpositive(p, p.sub(x, repeat_each<C>(row_max, cols)));
  const ShareOf<P> sums = p.linear(e, rows, [&](const RingOf<P>* in, RingOf<P>* out) {
    for (std::size_t r = 0; r < rows; ++r) {
      RingOf<P> s = 0;
      for (std::size_t c = 0; c < cols; ++c) s += in[r * cols + c];
      out[r] = s;
    }
  });
  // Each row sum lies in [1, cols]: its largest term is e^0 = 1 and every
  // term is at most 1 (up to exp's error, hence the margins), so the
  // reciprocal needs no normalisation.
  const double lo = 0.9, hi = 1.05 * static_cast<double>(cols);
  return mul(p, e, repeat_each<C>(reciprocal_in_range(p, sums, lo, hi), cols));
}

}  // namespace sqt::mpc::fx
