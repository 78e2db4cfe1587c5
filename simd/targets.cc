// Lists the Highway targets compiled into sqt_simd and lets tests force each.
#include "simd/targets.h"

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "simd/targets.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace sqt::simd::HWY_NAMESPACE {
// Reports which target dispatch picked.
std::int64_t ChosenTargetImpl() { return HWY_TARGET; }
}  // namespace sqt::simd::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
#include "hwy/targets.h"

namespace sqt::simd {

HWY_EXPORT(ChosenTargetImpl);

std::vector<DispatchTarget> supported_targets() {
  std::vector<DispatchTarget> out;
  // Lower bit = better target in Highway's encoding.
  for (std::int64_t bits : hwy::SupportedAndGeneratedTargets()) {
    out.push_back({bits, hwy::TargetName(bits)});
  }
  return out;
}

std::string dispatched_target_name() { return hwy::TargetName(HWY_DYNAMIC_DISPATCH(ChosenTargetImpl)()); }

void for_each_target(const std::function<void(const DispatchTarget&)>& fn) {
  struct Restore {
    ~Restore() { hwy::SetSupportedTargetsForTest(0); }
  } restore;
  for (const DispatchTarget& target : supported_targets()) {
    hwy::SetSupportedTargetsForTest(target.bits);
    fn(target);
  }
}

}  // namespace sqt::simd
#endif  // HWY_ONCE
