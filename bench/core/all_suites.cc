#include "bench/core/suites.h"

namespace sqt::bench {

SuiteRegistry all_suites() {
  SuiteRegistry registry;
  register_simd_suites(registry);
  register_protocol_suites(registry);
  register_net_suites(registry);
  register_train_suites(registry);
  register_inference_suites(registry);
  register_backend_suites(registry);
  return registry;
}

}  // namespace sqt::bench
