// Benchmark cases of the convolution's local maps at network C's second conv
// (12x12x20 -> 8x8x50, 5x5): Winograd's four tile transforms and col2im,
// against im2col (the baseline), in images per second on one component.
#pragma once

#include <vector>

#include "bench/core/timed_cases.h"

namespace sqt::bench::simd_suite {

void add_conv_transform_cases(bool quick, std::vector<TimedCase>& cases);

}  // namespace sqt::bench::simd_suite
