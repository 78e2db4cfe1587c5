// Matrix product mod 2^64: C (m x n) = op(A) * op(B) (+ C when accumulating).
// All matrices are row-major and densely stored. op(A) is m x k and op(B) is
// k x n; with Transpose::kYes the stored matrix is the transpose, i.e. A is
// stored k x m and B is stored n x k. Any sizes, including 0.
// Sizes of the spans must match the shapes exactly; otherwise
// std::invalid_argument names the shapes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace sqt::simd {

using u64 = std::uint64_t;

enum class Transpose : std::uint8_t { kNo, kYes };

// Cache- and register-blocked, vectorized, runtime-dispatched; `threads` >= 1
// std::threads split the output into disjoint blocks (more threads than work
// is fine, the extra ones get nothing). c must not alias a or b.
void gemm(Transpose ta, Transpose tb, std::size_t m, std::size_t n, std::size_t k, std::span<const u64> a,
          std::span<const u64> b, std::span<u64> c, bool accumulate, int threads = 1);

// The plain triple loop: the reference and benchmark baseline.
void gemm_naive(Transpose ta, Transpose tb, std::size_t m, std::size_t n, std::size_t k,
                std::span<const u64> a, std::span<const u64> b, std::span<u64> c, bool accumulate);

}  // namespace sqt::simd
