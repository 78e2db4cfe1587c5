// The Highway dispatch targets of the simd kernels on this CPU.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace sqt::simd {

struct DispatchTarget {
  std::int64_t bits;  // Highway HWY_* target bit
  std::string name;   // e.g. "AVX3_DL", "AVX2", "SSE4"
};

// Targets compiled into sqt_simd that this CPU supports, best first.
std::vector<DispatchTarget> supported_targets();

// Name of the target runtime dispatch picks (the best supported one).
std::string dispatched_target_name();

// Runs fn once per supported target with dispatch restricted to that target
// (hwy::SetSupportedTargetsForTest), then restores normal dispatch, also when
// fn throws. For tests and benchmarks only; not thread-safe.
void for_each_target(const std::function<void(const DispatchTarget&)>& fn);

}  // namespace sqt::simd
