// One 512-bit beat per cycle from each of six ports (II=1); x0*(y0+y1) + x1*y0
// needs two 64-bit products per lane instead of three.
#include "hw/ring_mul.h"

#include "hw/sim_dispatch.h"

using sqt::hw::kLanes;
using sqt::hw::Word512;

extern "C" SQT_HW_SIM_CLONES void sqt_ring_mul(const Word512* x0, const Word512* x1, const Word512* y0,
                                               const Word512* y1, const Word512* mask, Word512* out,
                                               std::uint32_t words) {
#pragma HLS INTERFACE m_axi port = x0 offset = slave bundle = gmem0 max_read_burst_length = 64
#pragma HLS INTERFACE m_axi port = x1 offset = slave bundle = gmem1 max_read_burst_length = 64
#pragma HLS INTERFACE m_axi port = y0 offset = slave bundle = gmem2 max_read_burst_length = 64
#pragma HLS INTERFACE m_axi port = y1 offset = slave bundle = gmem3 max_read_burst_length = 64
#pragma HLS INTERFACE m_axi port = mask offset = slave bundle = gmem4 max_read_burst_length = 64
#pragma HLS INTERFACE m_axi port = out offset = slave bundle = gmem5 max_write_burst_length = 64
#pragma HLS INTERFACE s_axilite port = x0
#pragma HLS INTERFACE s_axilite port = x1
#pragma HLS INTERFACE s_axilite port = y0
#pragma HLS INTERFACE s_axilite port = y1
#pragma HLS INTERFACE s_axilite port = mask
#pragma HLS INTERFACE s_axilite port = out
#pragma HLS INTERFACE s_axilite port = words
#pragma HLS INTERFACE s_axilite port = return
stream:
  for (std::uint32_t w = 0; w < words; ++w) {
#pragma HLS PIPELINE II = 1
#pragma HLS LOOP_TRIPCOUNT max = 8192
    const Word512 a0 = x0[w], a1 = x1[w], b0 = y0[w], b1 = y1[w], r = mask[w];
    Word512 o;
    for (int l = 0; l < kLanes; ++l) {
#pragma HLS UNROLL
      o.lane[l] = a0.lane[l] * (b0.lane[l] + b1.lane[l]) + a1.lane[l] * b0.lane[l] + r.lane[l];
    }
    out[w] = o;
  }
}
