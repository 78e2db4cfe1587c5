// GR(2^64, 4) kernels, compiled once per Highway target.
#include "simd/galois.h"

#include <cstddef>

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "simd/galois.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"
#include "simd/internal/mul64-inl.h"

HWY_BEFORE_NAMESPACE();
namespace sqt::simd::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// The reduction of a degree-6 product by X^4 = -X - 1 (then X^5 = -X^2 - X,
// X^6 = -X^3 - X^2), written once for vectors and scalars.
template <class V, class Add, class Sub>
HWY_INLINE void Reduce(const V c[7], V out[4], Add add, Sub sub) {
  out[0] = sub(c[0], c[4]);
  out[1] = sub(sub(c[1], c[4]), c[5]);
  out[2] = sub(sub(c[2], c[5]), c[6]);
  out[3] = sub(c[3], c[6]);
  (void)add;
}

template <class V, class Mul, class Add, class Sub>
HWY_INLINE void Product(const V a[4], const V b[4], V out[4], Mul mul, Add add, Sub sub) {
  V c[7];
  c[0] = mul(a[0], b[0]);
  c[1] = add(mul(a[0], b[1]), mul(a[1], b[0]));
  c[2] = add(add(mul(a[0], b[2]), mul(a[1], b[1])), mul(a[2], b[0]));
  c[3] = add(add(mul(a[0], b[3]), mul(a[1], b[2])), add(mul(a[2], b[1]), mul(a[3], b[0])));
  c[4] = add(add(mul(a[1], b[3]), mul(a[2], b[2])), mul(a[3], b[1]));
  c[5] = add(mul(a[2], b[3]), mul(a[3], b[2]));
  c[6] = mul(a[3], b[3]);
  Reduce(c, out, add, sub);
}

void GrMulImpl(const u64* const a[4], const u64* const b[4], u64* const out[4], size_t n) {
  const hn::ScalableTag<u64> d;
  const size_t lanes = hn::Lanes(d);
  auto vmul = [](auto x, auto y) { return Mul64(x, y); };
  auto vadd = [](auto x, auto y) { return hn::Add(x, y); };
  auto vsub = [](auto x, auto y) { return hn::Sub(x, y); };
  size_t i = 0;
  for (; i + lanes <= n; i += lanes) {
    using V = hn::Vec<decltype(d)>;
    V va[4], vb[4], vo[4];
    for (int j = 0; j < 4; ++j) {
      va[j] = hn::LoadU(d, a[j] + i);
      vb[j] = hn::LoadU(d, b[j] + i);
    }
    Product(va, vb, vo, vmul, vadd, vsub);
    for (int j = 0; j < 4; ++j) hn::StoreU(vo[j], d, out[j] + i);
  }
  for (; i < n; ++i) {
    u64 sa[4], sb[4], so[4];
    for (int j = 0; j < 4; ++j) {
      sa[j] = a[j][i];
      sb[j] = b[j][i];
    }
    Product(
        sa, sb, so, [](u64 x, u64 y) { return x * y; }, [](u64 x, u64 y) { return x + y; },
        [](u64 x, u64 y) { return x - y; });
    for (int j = 0; j < 4; ++j) out[j][i] = so[j];
  }
}

void GrMulConstAddImpl(const u64* const a[4], const u64* c, u64* const acc[4], size_t n) {
  const hn::ScalableTag<u64> d;
  const size_t lanes = hn::Lanes(d);
  auto vmul = [](auto x, auto y) { return Mul64(x, y); };
  auto vadd = [](auto x, auto y) { return hn::Add(x, y); };
  auto vsub = [](auto x, auto y) { return hn::Sub(x, y); };
  using V = hn::Vec<decltype(d)>;
  V vc[4];
  for (int j = 0; j < 4; ++j) vc[j] = hn::Set(d, c[j]);
  size_t i = 0;
  for (; i + lanes <= n; i += lanes) {
    V va[4], vo[4];
    for (int j = 0; j < 4; ++j) va[j] = hn::LoadU(d, a[j] + i);
    Product(va, vc, vo, vmul, vadd, vsub);
    for (int j = 0; j < 4; ++j) hn::StoreU(hn::Add(hn::LoadU(d, acc[j] + i), vo[j]), d, acc[j] + i);
  }
  for (; i < n; ++i) {
    u64 sa[4], sc[4], so[4];
    for (int j = 0; j < 4; ++j) {
      sa[j] = a[j][i];
      sc[j] = c[j];
    }
    Product(
        sa, sc, so, [](u64 x, u64 y) { return x * y; }, [](u64 x, u64 y) { return x + y; },
        [](u64 x, u64 y) { return x - y; });
    for (int j = 0; j < 4; ++j) acc[j][i] += so[j];
  }
}

void GrCoef0MulAddImpl(const u64* const a[4], const u64* const b[4], u64* acc, size_t n) {
  const hn::ScalableTag<u64> d;
  const size_t lanes = hn::Lanes(d);
  size_t i = 0;
  for (; i + lanes <= n; i += lanes) {
    const auto pos = Mul64(hn::LoadU(d, a[0] + i), hn::LoadU(d, b[0] + i));
    const auto neg = hn::Add(hn::Add(Mul64(hn::LoadU(d, a[1] + i), hn::LoadU(d, b[3] + i)),
                                     Mul64(hn::LoadU(d, a[2] + i), hn::LoadU(d, b[2] + i))),
                             Mul64(hn::LoadU(d, a[3] + i), hn::LoadU(d, b[1] + i)));
    hn::StoreU(hn::Add(hn::LoadU(d, acc + i), hn::Sub(pos, neg)), d, acc + i);
  }
  for (; i < n; ++i) acc[i] += a[0][i] * b[0][i] - a[1][i] * b[3][i] - a[2][i] * b[2][i] - a[3][i] * b[1][i];
}

}  // namespace sqt::simd::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace sqt::simd {

HWY_EXPORT(GrMulImpl);
HWY_EXPORT(GrMulConstAddImpl);
HWY_EXPORT(GrCoef0MulAddImpl);

void gr_mul(const u64* const a[4], const u64* const b[4], u64* const out[4], std::size_t n) {
  HWY_DYNAMIC_DISPATCH(GrMulImpl)(a, b, out, n);
}
void gr_mul_const_add(const u64* const a[4], const u64 c[4], u64* const acc[4], std::size_t n) {
  HWY_DYNAMIC_DISPATCH(GrMulConstAddImpl)(a, c, acc, n);
}
void gr_coef0_mul_add(const u64* const a[4], const u64* const b[4], u64* acc, std::size_t n) {
  HWY_DYNAMIC_DISPATCH(GrCoef0MulAddImpl)(a, b, acc, n);
}

}  // namespace sqt::simd
#endif
