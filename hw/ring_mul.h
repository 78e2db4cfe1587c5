// ring_mul: the local step of replicated (rep3) multiplication, streamed:
// out = x0*y0 + x0*y1 + x1*y0 + mask, elementwise mod 2^64, over `words`
// 512-bit words (8 elements each) per buffer.
#pragma once

#include <cstdint>

#include "hw/kernel_abi.h"

extern "C" void sqt_ring_mul(const sqt::hw::Word512* x0, const sqt::hw::Word512* x1,
                             const sqt::hw::Word512* y0, const sqt::hw::Word512* y1,
                             const sqt::hw::Word512* mask, sqt::hw::Word512* out, std::uint32_t words);
