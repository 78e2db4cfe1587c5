// Dataflow: B's tile is burst-read into on-chip memory once; then each row of
// A streams in, and for each of its k elements one pipelined step (II=1)
// multiplies it into a whole row of accumulators (n/8 words x 8 lanes,
// unrolled), so the DSP array stays busy and A/B/C traffic is one pass each.
#include "hw/ring_gemm.h"

#include "hw/local_array.h"
#include "hw/sim_dispatch.h"

using sqt::hw::kGemmTileK;
using sqt::hw::kGemmTileN;
using sqt::hw::kLanes;
using sqt::hw::Word512;

namespace {
constexpr std::uint32_t kRowWords = kGemmTileN / kLanes;
}  // namespace

extern "C" SQT_HW_SIM_CLONES void sqt_ring_gemm(const Word512* a, const Word512* b, Word512* c,
                                                std::uint32_t m, std::uint32_t n, std::uint32_t k) {
#pragma HLS INTERFACE m_axi port = a offset = slave bundle = gmem0 max_read_burst_length = 64
#pragma HLS INTERFACE m_axi port = b offset = slave bundle = gmem1 max_read_burst_length = 64
#pragma HLS INTERFACE m_axi port = c offset = slave bundle = gmem2 max_write_burst_length = 64
#pragma HLS INTERFACE s_axilite port = a
#pragma HLS INTERFACE s_axilite port = b
#pragma HLS INTERFACE s_axilite port = c
#pragma HLS INTERFACE s_axilite port = m
#pragma HLS INTERFACE s_axilite port = n
#pragma HLS INTERFACE s_axilite port = k
#pragma HLS INTERFACE s_axilite port = return
  SQT_HW_LOCAL Word512 b_local[kGemmTileK][kRowWords];
#pragma HLS BIND_STORAGE variable = b_local type = ram_2p impl = uram
#pragma HLS ARRAY_PARTITION variable = b_local dim = 2 complete
  SQT_HW_LOCAL std::uint64_t a_row[kGemmTileK];
  SQT_HW_LOCAL Word512 acc[kRowWords];
#pragma HLS ARRAY_PARTITION variable = acc dim = 1 complete

  const std::uint32_t nw = sqt::hw::words_for(n);
  const std::uint32_t kw = sqt::hw::words_for(k);

load_b:
  for (std::uint32_t p = 0; p < k; ++p) {
#pragma HLS LOOP_TRIPCOUNT max = 256
    for (std::uint32_t j = 0; j < nw; ++j) {
#pragma HLS PIPELINE II = 1
#pragma HLS LOOP_TRIPCOUNT max = 32
      b_local[p][j] = b[p * nw + j];
    }
  }

rows:
  for (std::uint32_t i = 0; i < m; ++i) {
#pragma HLS LOOP_TRIPCOUNT max = 256
  load_a:
    for (std::uint32_t w = 0; w < kw; ++w) {
#pragma HLS PIPELINE II = 1
#pragma HLS LOOP_TRIPCOUNT max = 32
      const Word512 beat = a[i * kw + w];
      for (int l = 0; l < kLanes; ++l) a_row[w * kLanes + l] = beat.lane[l];
    }
  zero:
    for (std::uint32_t j = 0; j < nw; ++j) {
#pragma HLS UNROLL
      for (int l = 0; l < kLanes; ++l) acc[j].lane[l] = 0;
    }
  macs:
    for (std::uint32_t p = 0; p < k; ++p) {
#pragma HLS PIPELINE II = 1
#pragma HLS LOOP_TRIPCOUNT max = 256
      const std::uint64_t av = a_row[p];
      for (std::uint32_t j = 0; j < nw; ++j) {
#pragma HLS UNROLL
        for (int l = 0; l < kLanes; ++l) acc[j].lane[l] += av * b_local[p][j].lane[l];
      }
    }
  store_c:
    for (std::uint32_t j = 0; j < nw; ++j) {
#pragma HLS PIPELINE II = 1
#pragma HLS LOOP_TRIPCOUNT max = 32
      c[i * nw + j] = acc[j];
    }
  }
}
