#include "host/backend/wide_kernels.h"

#include <algorithm>
#include <thread>
#include <vector>

#include "host/backend/checks.h"
#include "host/core/ring_vec.h"

namespace sqt::backend {
namespace {

// Rows [r0, r1) of C = A' B' with A' (m x k) and B' (k x n) stored row-major
// (transposes already materialised): the i-k-j order streams rows of B'.
void gemm_rows(std::size_t r0, std::size_t r1, std::size_t n, std::size_t k, const Ring128* a,
               const Ring128* b, Ring128* c, bool accumulate) {
  for (std::size_t i = r0; i < r1; ++i) {
    Ring128* row = c + i * n;
    if (!accumulate) std::fill_n(row, n, Ring128{0});
    for (std::size_t p = 0; p < k; ++p) {
      const Ring128 aip = a[i * k + p];
      const Ring128* brow = b + p * n;
      for (std::size_t j = 0; j < n; ++j) row[j] += aip * brow[j];
    }
  }
}

// The stored rows x cols matrix transposed (cols x rows).
RingVecOf<Ring128> transposed(const Ring128* x, std::size_t rows, std::size_t cols) {
  RingVecOf<Ring128> t(rows * cols);
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t c = 0; c < cols; ++c) t[c * rows + r] = x[r * cols + c];
  return t;
}

}  // namespace

void wide_gemm(Trans ta, Trans tb, std::size_t m, std::size_t n, std::size_t k, const Ring128* a,
               const Ring128* b, Ring128* c, bool accumulate, int threads) {
  RingVecOf<Ring128> at, bt;
  if (ta == Trans::kYes) at = transposed(a, k, m), a = at.data();
  if (tb == Trans::kYes) bt = transposed(b, n, k), b = bt.data();
  // Threads only pay for themselves on products of some size.
  const std::size_t workers =
      std::min<std::size_t>(static_cast<std::size_t>(std::max(1, threads)), m * n * k >= (1u << 16) ? m : 1);
  if (workers <= 1) return gemm_rows(0, m, n, k, a, b, c, accumulate);
  std::vector<std::thread> pool;
  const std::size_t per = (m + workers - 1) / workers;
  for (std::size_t w = 0; w < workers; ++w) {
    const std::size_t r0 = w * per, r1 = std::min(m, r0 + per);
    if (r0 < r1) pool.emplace_back(gemm_rows, r0, r1, n, k, a, b, c, accumulate);
  }
  for (auto& t : pool) t.join();
}

void wide_cross_mul_add(std::span<const Ring128> x0, std::span<const Ring128> x1, std::span<const Ring128> y0,
                        std::span<const Ring128> y1, std::span<const Ring128> mask, std::span<Ring128> out) {
  check_cross_mul_add_sizes(x0, x1, y0, y1, mask, out);
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = x0[i] * (y0[i] + y1[i]) + x1[i] * y0[i] + mask[i];
}

// The Backend's defaults for Z_2^128: the host kernels above (one thread).
void Backend::gemm(Trans ta, Trans tb, std::size_t m, std::size_t n, std::size_t k, const Ring128* a,
                   const Ring128* b, Ring128* c, bool accumulate) {
  wide_gemm(ta, tb, m, n, k, a, b, c, accumulate, 1);
}

void Backend::cross_mul_add(std::span<const Ring128> x0, std::span<const Ring128> x1,
                            std::span<const Ring128> y0, std::span<const Ring128> y1,
                            std::span<const Ring128> mask, std::span<Ring128> out) {
  wide_cross_mul_add(x0, x1, y0, y1, mask, out);
}

void Backend::prg_fill(const PrgSeed& seed, std::uint64_t counter, std::span<Ring128> out) {
  RingVec words(2 * out.size());
  prg_fill(seed, counter, std::span<Ring>(words));
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = (Ring128{words[2 * i + 1]} << 64) | words[2 * i];
}

}  // namespace sqt::backend
