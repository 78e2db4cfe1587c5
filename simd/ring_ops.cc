// Elementwise ring kernels, compiled once per Highway target.
#include "simd/ring_ops.h"

#include <cstddef>

#include "simd/internal/check.h"

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "simd/ring_ops.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"
#include "simd/internal/mul64-inl.h"

HWY_BEFORE_NAMESPACE();
namespace sqt::simd::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// Applies vec_op to full vectors and scalar_op to the tail. Every output
// vector is stored after its inputs were loaded, so out == input is safe.
template <class VecOp, class ScalarOp>
HWY_INLINE void Binary(const u64* a, const u64* b, u64* out, size_t n, VecOp vec_op, ScalarOp scalar_op) {
  const hn::ScalableTag<u64> d;
  const size_t lanes = hn::Lanes(d);
  size_t i = 0;
  for (; i + 2 * lanes <= n; i += 2 * lanes) {
    const auto r0 = vec_op(hn::LoadU(d, a + i), hn::LoadU(d, b + i));
    const auto r1 = vec_op(hn::LoadU(d, a + i + lanes), hn::LoadU(d, b + i + lanes));
    hn::StoreU(r0, d, out + i);
    hn::StoreU(r1, d, out + i + lanes);
  }
  for (; i + lanes <= n; i += lanes) hn::StoreU(vec_op(hn::LoadU(d, a + i), hn::LoadU(d, b + i)), d, out + i);
  for (; i < n; ++i) out[i] = scalar_op(a[i], b[i]);
}

void AddImpl(const u64* a, const u64* b, u64* out, size_t n) {
  Binary(
      a, b, out, n, [](auto x, auto y) { return hn::Add(x, y); }, [](u64 x, u64 y) { return x + y; });
}

void SubImpl(const u64* a, const u64* b, u64* out, size_t n) {
  Binary(
      a, b, out, n, [](auto x, auto y) { return hn::Sub(x, y); }, [](u64 x, u64 y) { return x - y; });
}

void MulImpl(const u64* a, const u64* b, u64* out, size_t n) {
  Binary(
      a, b, out, n, [](auto x, auto y) { return Mul64(x, y); }, [](u64 x, u64 y) { return x * y; });
}

void MulAddImpl(const u64* a, const u64* b, u64* acc, size_t n) {
  const hn::ScalableTag<u64> d;
  const size_t lanes = hn::Lanes(d);
  size_t i = 0;
  for (; i + lanes <= n; i += lanes) {
    const auto prod = Mul64(hn::LoadU(d, a + i), hn::LoadU(d, b + i));
    hn::StoreU(hn::Add(hn::LoadU(d, acc + i), prod), d, acc + i);
  }
  for (; i < n; ++i) acc[i] += a[i] * b[i];
}

void NegImpl(const u64* a, u64* out, size_t n) {
  const hn::ScalableTag<u64> d;
  const size_t lanes = hn::Lanes(d);
  size_t i = 0;
  for (; i + lanes <= n; i += lanes) hn::StoreU(hn::Sub(hn::Zero(d), hn::LoadU(d, a + i)), d, out + i);
  for (; i < n; ++i) out[i] = u64{0} - a[i];
}

void MulScalarImpl(const u64* a, u64 s, u64* out, size_t n) {
  const hn::ScalableTag<u64> d;
  const size_t lanes = hn::Lanes(d);
  const auto vs = hn::Set(d, s);
  size_t i = 0;
  for (; i + lanes <= n; i += lanes) hn::StoreU(Mul64(hn::LoadU(d, a + i), vs), d, out + i);
  for (; i < n; ++i) out[i] = a[i] * s;
}

void MulScalarAddImpl(const u64* a, u64 s, u64* acc, size_t n) {
  const hn::ScalableTag<u64> d;
  const size_t lanes = hn::Lanes(d);
  const auto vs = hn::Set(d, s);
  size_t i = 0;
  for (; i + lanes <= n; i += lanes)
    hn::StoreU(hn::Add(hn::LoadU(d, acc + i), Mul64(hn::LoadU(d, a + i), vs)), d, acc + i);
  for (; i < n; ++i) acc[i] += a[i] * s;
}

void ShlImpl(const u64* a, int bits, u64* out, size_t n) {
  const hn::ScalableTag<u64> d;
  const size_t lanes = hn::Lanes(d);
  size_t i = 0;
  for (; i + lanes <= n; i += lanes) hn::StoreU(hn::ShiftLeftSame(hn::LoadU(d, a + i), bits), d, out + i);
  for (; i < n; ++i) out[i] = a[i] << bits;
}

void ShrLogicalImpl(const u64* a, int bits, u64* out, size_t n) {
  const hn::ScalableTag<u64> d;
  const size_t lanes = hn::Lanes(d);
  size_t i = 0;
  for (; i + lanes <= n; i += lanes) hn::StoreU(hn::ShiftRightSame(hn::LoadU(d, a + i), bits), d, out + i);
  for (; i < n; ++i) out[i] = a[i] >> bits;
}

void ShrArithImpl(const u64* a, int bits, u64* out, size_t n) {
  const hn::ScalableTag<u64> d;
  const hn::RebindToSigned<decltype(d)> di;
  const size_t lanes = hn::Lanes(d);
  size_t i = 0;
  for (; i + lanes <= n; i += lanes) {
    const auto v = hn::BitCast(di, hn::LoadU(d, a + i));
    hn::StoreU(hn::BitCast(d, hn::ShiftRightSame(v, bits)), d, out + i);
  }
  for (; i < n; ++i) out[i] = static_cast<u64>(static_cast<std::int64_t>(a[i]) >> bits);
}

void CrossMulAddImpl(const u64* x0, const u64* x1, const u64* y0, const u64* y1, const u64* mask, u64* out,
                     size_t n) {
  const hn::ScalableTag<u64> d;
  const size_t lanes = hn::Lanes(d);
  size_t i = 0;
  for (; i + lanes <= n; i += lanes) {
    const auto vx0 = hn::LoadU(d, x0 + i);
    const auto vy0 = hn::LoadU(d, y0 + i);
    // x0*y0 + x0*y1 + x1*y0 = x0*(y0 + y1) + x1*y0: two multiplies instead of three.
    const auto sum =
        hn::Add(Mul64(vx0, hn::Add(vy0, hn::LoadU(d, y1 + i))), Mul64(hn::LoadU(d, x1 + i), vy0));
    hn::StoreU(hn::Add(sum, hn::LoadU(d, mask + i)), d, out + i);
  }
  for (; i < n; ++i) out[i] = x0[i] * (y0[i] + y1[i]) + x1[i] * y0[i] + mask[i];
}

}  // namespace sqt::simd::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace sqt::simd {

HWY_EXPORT(AddImpl);
HWY_EXPORT(SubImpl);
HWY_EXPORT(MulImpl);
HWY_EXPORT(MulAddImpl);
HWY_EXPORT(NegImpl);
HWY_EXPORT(MulScalarImpl);
HWY_EXPORT(MulScalarAddImpl);
HWY_EXPORT(ShlImpl);
HWY_EXPORT(ShrLogicalImpl);
HWY_EXPORT(ShrArithImpl);
HWY_EXPORT(CrossMulAddImpl);

using internal::require_equal_sizes;
using internal::require_shift;

void add(std::span<const u64> a, std::span<const u64> b, std::span<u64> out) {
  require_equal_sizes("add", {{"a", a.size()}, {"b", b.size()}, {"out", out.size()}});
  HWY_DYNAMIC_DISPATCH(AddImpl)(a.data(), b.data(), out.data(), out.size());
}

void sub(std::span<const u64> a, std::span<const u64> b, std::span<u64> out) {
  require_equal_sizes("sub", {{"a", a.size()}, {"b", b.size()}, {"out", out.size()}});
  HWY_DYNAMIC_DISPATCH(SubImpl)(a.data(), b.data(), out.data(), out.size());
}

void neg(std::span<const u64> a, std::span<u64> out) {
  require_equal_sizes("neg", {{"a", a.size()}, {"out", out.size()}});
  HWY_DYNAMIC_DISPATCH(NegImpl)(a.data(), out.data(), out.size());
}

void mul(std::span<const u64> a, std::span<const u64> b, std::span<u64> out) {
  require_equal_sizes("mul", {{"a", a.size()}, {"b", b.size()}, {"out", out.size()}});
  HWY_DYNAMIC_DISPATCH(MulImpl)(a.data(), b.data(), out.data(), out.size());
}

void mul_scalar(std::span<const u64> a, u64 s, std::span<u64> out) {
  require_equal_sizes("mul_scalar", {{"a", a.size()}, {"out", out.size()}});
  HWY_DYNAMIC_DISPATCH(MulScalarImpl)(a.data(), s, out.data(), out.size());
}

void mul_scalar_add(std::span<const u64> a, u64 s, std::span<u64> acc) {
  require_equal_sizes("mul_scalar_add", {{"a", a.size()}, {"acc", acc.size()}});
  HWY_DYNAMIC_DISPATCH(MulScalarAddImpl)(a.data(), s, acc.data(), acc.size());
}

void mul_add(std::span<const u64> a, std::span<const u64> b, std::span<u64> acc) {
  require_equal_sizes("mul_add", {{"a", a.size()}, {"b", b.size()}, {"acc", acc.size()}});
  HWY_DYNAMIC_DISPATCH(MulAddImpl)(a.data(), b.data(), acc.data(), acc.size());
}

void shl(std::span<const u64> a, int bits, std::span<u64> out) {
  require_equal_sizes("shl", {{"a", a.size()}, {"out", out.size()}});
  require_shift("shl", bits);
  HWY_DYNAMIC_DISPATCH(ShlImpl)(a.data(), bits, out.data(), out.size());
}

void shr_logical(std::span<const u64> a, int bits, std::span<u64> out) {
  require_equal_sizes("shr_logical", {{"a", a.size()}, {"out", out.size()}});
  require_shift("shr_logical", bits);
  HWY_DYNAMIC_DISPATCH(ShrLogicalImpl)(a.data(), bits, out.data(), out.size());
}

void shr_arith(std::span<const u64> a, int bits, std::span<u64> out) {
  require_equal_sizes("shr_arith", {{"a", a.size()}, {"out", out.size()}});
  require_shift("shr_arith", bits);
  HWY_DYNAMIC_DISPATCH(ShrArithImpl)(a.data(), bits, out.data(), out.size());
}

void cross_mul_add(std::span<const u64> x0, std::span<const u64> x1, std::span<const u64> y0,
                   std::span<const u64> y1, std::span<const u64> mask, std::span<u64> out) {
  require_equal_sizes("cross_mul_add", {{"x0", x0.size()},
                                        {"x1", x1.size()},
                                        {"y0", y0.size()},
                                        {"y1", y1.size()},
                                        {"mask", mask.size()},
                                        {"out", out.size()}});
  HWY_DYNAMIC_DISPATCH(CrossMulAddImpl)
  (x0.data(), x1.data(), y0.data(), y1.data(), mask.data(), out.data(), out.size());
}

}  // namespace sqt::simd
#endif  // HWY_ONCE
