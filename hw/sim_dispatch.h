// C simulation speed: g++ builds the kernels' top functions for several x86
// targets and picks one at load time (ifunc), so fpga-sim's 64-bit lane
// loops vectorize with AVX-512/AVX2 where the CPU has them. Integer results
// are the same on every target. HLS never sees the attribute.
#pragma once

#if !defined(__SYNTHESIS__) && defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define SQT_HW_SIM_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define SQT_HW_SIM_CLONES
#endif
