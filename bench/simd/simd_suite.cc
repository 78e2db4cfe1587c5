// The "simd" benchmark suite: kernel throughput against in-run baselines and
// the machine's register-only multiply-add peak.
#include <string>
#include <vector>

#include "bench/core/suites.h"
#include "bench/simd/aead_cases.h"
#include "bench/simd/conv_transform_cases.h"
#include "bench/simd/gemm_cases.h"
#include "bench/simd/kernel_cases.h"

namespace sqt::bench {
namespace {

void run_simd_suite(SuiteContext& context) {
  const bool quick = context.options.quick;
  std::vector<int> thread_counts = {1, 2};
  if (context.options.threads > 0) thread_counts = {context.options.threads};

  std::vector<TimedCase> cases;
  simd_suite::add_peak_case(cases);
  for (const auto& shape : simd_suite::gemm_shapes(quick))
    simd_suite::add_gemm_cases(shape, thread_counts, cases);
  simd_suite::add_prg_cases(quick, cases);
  simd_suite::add_aead_cases(quick, cases);
  simd_suite::add_elementwise_cases(quick, cases);
  simd_suite::add_transpose_cases(quick, cases);
  simd_suite::add_conv_transform_cases(quick, cases);
  run_timed_cases(context, "simd", cases);
}

}  // namespace

void register_simd_suites(SuiteRegistry& registry) { registry.add({"simd", 0, run_simd_suite}); }

}  // namespace sqt::bench
