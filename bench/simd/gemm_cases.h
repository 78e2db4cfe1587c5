// GEMM benchmark cases: square sizes and the products of network C (batch
// 128), each with the naive triple loop as its baseline in the same run.
#pragma once

#include <string>
#include <vector>

#include "bench/core/timed_cases.h"
#include "simd/gemm.h"

namespace sqt::bench::simd_suite {

struct GemmShape {
  std::string label;  // e.g. "square512", "c_dense1_fwd"
  simd::Transpose ta, tb;
  std::size_t m, n, k;
};

std::vector<GemmShape> gemm_shapes(bool quick);

// Appends the blocked GEMM at each thread count and the naive baseline.
// Naive runs on a subset of the rows of C when the full product would take
// too long (ta == kNo only, where those rows are contiguous); the row says
// so in "naive_rows" and the rate is per multiply-add, so it compares as is.
void add_gemm_cases(const GemmShape& shape, const std::vector<int>& thread_counts,
                    std::vector<TimedCase>& cases);

}  // namespace sqt::bench::simd_suite
