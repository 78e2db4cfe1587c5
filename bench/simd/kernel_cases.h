// Benchmark cases of the non-GEMM simd kernels: AES-CTR PRG (Highway vs
// OpenSSL EVP baseline), elementwise mul_add and cross_mul_add (vs plain loops),
// the batched bit transpose, and the register-only multiply-add peak.
#pragma once

#include <vector>

#include "bench/core/timed_cases.h"

namespace sqt::bench::simd_suite {

void add_prg_cases(bool quick, std::vector<TimedCase>& cases);
void add_elementwise_cases(bool quick, std::vector<TimedCase>& cases);
void add_transpose_cases(bool quick, std::vector<TimedCase>& cases);
void add_peak_case(std::vector<TimedCase>& cases);

}  // namespace sqt::bench::simd_suite
