// A GEMM sub-problem in strided form, shared by the dispatcher and the
// per-target blocked kernel: op(A)(i, p) = a[i * a_rs + p * a_cs],
// op(B)(p, j) = b[p * b_rs + j * b_cs], C(i, j) = c[i * ldc + j].
#pragma once

#include <cstddef>
#include <cstdint>

namespace sqt::simd::internal {

struct GemmArgs {
  const std::uint64_t* a;
  std::size_t a_rs, a_cs;
  const std::uint64_t* b;
  std::size_t b_rs, b_cs;
  std::uint64_t* c;
  std::size_t ldc;
  std::size_t m, n, k;
};

}  // namespace sqt::simd::internal
