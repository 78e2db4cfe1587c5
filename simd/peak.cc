// The register-only multiply-add loop behind simd/peak.h.
#include "simd/peak.h"

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "simd/peak.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"
#include "simd/internal/mul64-inl.h"

HWY_BEFORE_NAMESPACE();
namespace sqt::simd::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// Twelve independent chains hide the multiply latency; each step is one
// vector multiply and one vector add per chain.
PeakLoopResult PeakImpl(std::uint64_t iterations) {
  const hn::ScalableTag<std::uint64_t> d;
  const auto x = hn::Set(d, 0x9E3779B97F4A7C15ull);
  const auto y = hn::Set(d, 0x632BE59BD9B4E019ull);
  auto a0 = hn::Iota(d, 1), a1 = hn::Iota(d, 2), a2 = hn::Iota(d, 3), a3 = hn::Iota(d, 4);
  auto a4 = hn::Iota(d, 5), a5 = hn::Iota(d, 6), a6 = hn::Iota(d, 7), a7 = hn::Iota(d, 8);
  auto a8 = hn::Iota(d, 9), a9 = hn::Iota(d, 10), a10 = hn::Iota(d, 11), a11 = hn::Iota(d, 12);
  for (std::uint64_t i = 0; i < iterations; ++i) {
    a0 = hn::Add(Mul64(a0, x), y);
    a1 = hn::Add(Mul64(a1, x), y);
    a2 = hn::Add(Mul64(a2, x), y);
    a3 = hn::Add(Mul64(a3, x), y);
    a4 = hn::Add(Mul64(a4, x), y);
    a5 = hn::Add(Mul64(a5, x), y);
    a6 = hn::Add(Mul64(a6, x), y);
    a7 = hn::Add(Mul64(a7, x), y);
    a8 = hn::Add(Mul64(a8, x), y);
    a9 = hn::Add(Mul64(a9, x), y);
    a10 = hn::Add(Mul64(a10, x), y);
    a11 = hn::Add(Mul64(a11, x), y);
  }
  const auto sum =
      hn::Add(hn::Add(hn::Add(hn::Add(a0, a1), hn::Add(a2, a3)), hn::Add(hn::Add(a4, a5), hn::Add(a6, a7))),
              hn::Add(hn::Add(a8, a9), hn::Add(a10, a11)));
  return {iterations * 12 * hn::Lanes(d), hn::GetLane(hn::SumOfLanes(d, sum))};
}

}  // namespace sqt::simd::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace sqt::simd {

HWY_EXPORT(PeakImpl);

PeakLoopResult mul_add_peak_loop(std::uint64_t iterations) {
  return HWY_DYNAMIC_DISPATCH(PeakImpl)(iterations);
}

}  // namespace sqt::simd
#endif  // HWY_ONCE
