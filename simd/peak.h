// A register-only vector multiply-add loop: the machine's ceiling for the
// 64-bit lane multiply (vpmullq on AVX-512) that every ring kernel is
// measured against. Benchmarks only.
#pragma once

#include <cstdint>

namespace sqt::simd {

struct PeakLoopResult {
  std::uint64_t multiply_adds;  // 64-bit multiply-adds performed
  std::uint64_t checksum;       // keeps the work observable
};

// Runs `iterations` rounds of independent chains acc = acc * x + y held in
// vector registers, on the dispatched target.
PeakLoopResult mul_add_peak_loop(std::uint64_t iterations);

}  // namespace sqt::simd
