// One register function per suite folder (bench/<area>/), called in
// all_suites.cc. Add a line here and there for a new folder.
#pragma once

#include "bench/core/suite.h"

namespace sqt::bench {

void register_simd_suites(SuiteRegistry& registry);      // bench/simd: kernels (GEMM, PRG, elementwise)
void register_protocol_suites(SuiteRegistry& registry);  // bench/protocol: rep3 operations, 3 parties
void register_net_suites(SuiteRegistry& registry);  // bench/net: TLS mesh throughput and latency, 3 parties
void register_train_suites(SuiteRegistry& registry);
void register_inference_suites(SuiteRegistry& registry);  // bench/inference: secure predictions per network
void register_backend_suites(
    SuiteRegistry& registry);  // bench/train: training batches per network, 3 parties

// Every suite of the build.
SuiteRegistry all_suites();

}  // namespace sqt::bench
