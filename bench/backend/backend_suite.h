// The "backend" benchmark suite: each Backend interface function on the
// backend under test (--backend; fpga-sim when that is cpu) next to the cpu
// backend measured in the same run as the baseline. Register it with one line
// in bench/core/all_suites.cc.
#pragma once

#include "bench/core/suite.h"

namespace sqt::bench {

void register_backend_suites(SuiteRegistry& registry);

}  // namespace sqt::bench
