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
  bool accumulate;  // false: C is overwritten (its old contents are never read)
};

// Reusable, 64-byte aligned packing buffers. Freshly allocated memory costs a
// page fault per 4 KiB on first touch (expensive in VMs), so buffers are
// kept in a process-wide free list and handed out again.
class PackBuffer {
 public:
  explicit PackBuffer(std::size_t words);
  ~PackBuffer();
  PackBuffer(const PackBuffer&) = delete;
  PackBuffer& operator=(const PackBuffer&) = delete;
  std::uint64_t* data() const { return data_; }

 private:
  std::uint64_t* data_;
  std::size_t capacity_;
};

}  // namespace sqt::simd::internal
