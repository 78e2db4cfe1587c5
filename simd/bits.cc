// Packed boolean kernels and 64x64 bit transposes, compiled once per target.
#include "simd/bits.h"

#include <stdexcept>
#include <string>

#include "simd/internal/check.h"

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "simd/bits.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace sqt::simd::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

template <class VecOp, class ScalarOp>
HWY_INLINE void Words(const u64* a, const u64* b, u64* out, size_t n, VecOp vec_op, ScalarOp scalar_op) {
  const hn::ScalableTag<u64> d;
  const size_t lanes = hn::Lanes(d);
  size_t i = 0;
  for (; i + lanes <= n; i += lanes) hn::StoreU(vec_op(hn::LoadU(d, a + i), hn::LoadU(d, b + i)), d, out + i);
  for (; i < n; ++i) out[i] = scalar_op(a[i], b[i]);
}

void XorImpl(const u64* a, const u64* b, u64* out, size_t n) {
  Words(
      a, b, out, n, [](auto x, auto y) { return hn::Xor(x, y); }, [](u64 x, u64 y) { return x ^ y; });
}

void AndImpl(const u64* a, const u64* b, u64* out, size_t n) {
  Words(
      a, b, out, n, [](auto x, auto y) { return hn::And(x, y); }, [](u64 x, u64 y) { return x & y; });
}

void NotImpl(const u64* a, u64* out, size_t n) {
  // ~a = a XOR all-ones; passing a twice keeps one loop shape.
  Words(
      a, a, out, n, [](auto x, auto) { return hn::Not(x); }, [](u64 x, u64) { return ~x; });
}

// Recursive block swap: at stage j the top-right j x j sub-blocks (rows k with
// bit j clear, columns >= j) trade places with the bottom-left ones. Stages
// with j >= lanes touch whole vectors of consecutive rows; the last few
// stages mix bits inside a vector and run on scalars.
void TransposeBlocksImpl(u64* words, size_t blocks) {
  const hn::ScalableTag<u64> d;
  const size_t lanes = hn::Lanes(d);
  for (size_t blk = 0; blk < blocks; ++blk) {
    u64* a = words + 64 * blk;
    u64 mask = 0x00000000FFFFFFFFull;
    for (size_t j = 32; j != 0; j >>= 1, mask ^= mask << j) {
      if (j >= lanes) {
        const auto vmask = hn::Set(d, mask);
        const int shift = static_cast<int>(j);
        for (size_t k = 0; k < 64; k += 2 * j) {
          for (size_t q = 0; q < j; q += lanes) {
            const auto lo = hn::LoadU(d, a + k + q);
            const auto hi = hn::LoadU(d, a + k + q + j);
            const auto t = hn::And(hn::Xor(hn::ShiftRightSame(lo, shift), hi), vmask);
            hn::StoreU(hn::Xor(lo, hn::ShiftLeftSame(t, shift)), d, a + k + q);
            hn::StoreU(hn::Xor(hi, t), d, a + k + q + j);
          }
        }
      } else {
        for (size_t k = 0; k < 64; k += 2 * j) {
          for (size_t q = k; q < k + j; ++q) {
            const u64 t = ((a[q] >> j) ^ a[q + j]) & mask;
            a[q] ^= t << j;
            a[q + j] ^= t;
          }
        }
      }
    }
  }
}

}  // namespace sqt::simd::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace sqt::simd {

HWY_EXPORT(XorImpl);
HWY_EXPORT(AndImpl);
HWY_EXPORT(NotImpl);
HWY_EXPORT(TransposeBlocksImpl);

using internal::require_equal_sizes;

void xor_words(std::span<const u64> a, std::span<const u64> b, std::span<u64> out) {
  require_equal_sizes("xor_words", {{"a", a.size()}, {"b", b.size()}, {"out", out.size()}});
  HWY_DYNAMIC_DISPATCH(XorImpl)(a.data(), b.data(), out.data(), out.size());
}

void and_words(std::span<const u64> a, std::span<const u64> b, std::span<u64> out) {
  require_equal_sizes("and_words", {{"a", a.size()}, {"b", b.size()}, {"out", out.size()}});
  HWY_DYNAMIC_DISPATCH(AndImpl)(a.data(), b.data(), out.data(), out.size());
}

void not_words(std::span<const u64> a, std::span<u64> out) {
  require_equal_sizes("not_words", {{"a", a.size()}, {"out", out.size()}});
  HWY_DYNAMIC_DISPATCH(NotImpl)(a.data(), out.data(), out.size());
}

void transpose64(std::span<u64, 64> block) { HWY_DYNAMIC_DISPATCH(TransposeBlocksImpl)(block.data(), 1); }

void transpose64_batch(std::span<u64> blocks) {
  if (blocks.size() % 64 != 0) {
    throw std::invalid_argument("sqt::simd::transpose64_batch: size " + std::to_string(blocks.size()) +
                                " is not a multiple of 64 words");
  }
  HWY_DYNAMIC_DISPATCH(TransposeBlocksImpl)(blocks.data(), blocks.size() / 64);
}

}  // namespace sqt::simd
#endif  // HWY_ONCE
