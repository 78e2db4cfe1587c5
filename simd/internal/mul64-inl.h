// Per-target 64-bit lane multiply mod 2^64. AVX-512 (DQ) has a native
// vpmullq; Highway 1.0.3 offers u64 operator* only there, so the other
// targets build it from three 32x32->64 MulEven products.
// Include after hwy/highway.h inside a foreach_target translation unit.
#if defined(SQT_SIMD_INTERNAL_MUL64_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef SQT_SIMD_INTERNAL_MUL64_INL_H_
#undef SQT_SIMD_INTERNAL_MUL64_INL_H_
#else
#define SQT_SIMD_INTERNAL_MUL64_INL_H_
#endif

#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace sqt::simd::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

template <class V>
HWY_INLINE V Mul64(V a, V b) {
#if HWY_TARGET <= HWY_AVX3
  return hn::Mul(a, b);
#else
  const hn::DFromV<V> d;
  const hn::Repartition<uint32_t, decltype(d)> d32;
  const V lo_lo = hn::MulEven(hn::BitCast(d32, a), hn::BitCast(d32, b));
  const V lo_hi = hn::MulEven(hn::BitCast(d32, a), hn::BitCast(d32, hn::ShiftRight<32>(b)));
  const V hi_lo = hn::MulEven(hn::BitCast(d32, hn::ShiftRight<32>(a)), hn::BitCast(d32, b));
  return hn::Add(lo_lo, hn::ShiftLeft<32>(hn::Add(lo_hi, hi_lo)));
#endif
}

}  // namespace sqt::simd::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // include guard toggle
