// Pipeline: per output beat (8 elements) the AES cores for the needed blocks
// are unrolled (4 blocks in expand mode, 12 per stream in the triple modes),
// so one beat leaves every cycle per stream at II=1; the dealer's correction
// takes one beat per party stream and adds one product per lane.
#include "hw/triple_gen.h"

#include "hw/aes128.h"

using sqt::hw::AesRoundKeys;
using sqt::hw::kLanes;
using sqt::hw::kMaxParties;
using sqt::hw::Word512;

namespace {

std::uint64_t bswap64(std::uint64_t v) {
  std::uint64_t r = 0;
  for (int i = 0; i < 8; ++i) r |= ((v >> (8 * i)) & 0xff) << (8 * (7 - i));
  return r;
}

// Keystream words 2*off and 2*off+1 of a stream starting at block `counter`.
void ctr_block(const AesRoundKeys& rk, std::uint64_t counter, std::uint64_t off, std::uint64_t& w0,
               std::uint64_t& w1) {
#pragma HLS INLINE
  const std::uint64_t lo = counter + off;
  const std::uint64_t hi = lo < counter ? 1 : 0;  // the 128-bit counter carries past 2^64
  sqt::hw::aes128_encrypt(rk, bswap64(hi), bswap64(lo), w0, w1);
}

// Words 24w .. 24w+23 of one stream: the a, b, c shares of triples 8w .. 8w+7.
void triple_words(const AesRoundKeys& rk, std::uint64_t counter, std::uint64_t first_block, std::uint32_t w,
                  Word512& a, Word512& b, Word512& c) {
#pragma HLS INLINE
  std::uint64_t words[3 * kLanes];
  for (int blk = 0; blk < 3 * kLanes / 2; ++blk) {
#pragma HLS UNROLL
    ctr_block(rk, counter, first_block + std::uint64_t{12} * w + blk, words[2 * blk], words[2 * blk + 1]);
  }
  for (int l = 0; l < kLanes; ++l) {
    a.lane[l] = words[3 * l];
    b.lane[l] = words[3 * l + 1];
    c.lane[l] = words[3 * l + 2];
  }
}

}  // namespace

extern "C" void sqt_triple_gen(const Word512* seeds, Word512* out_a, Word512* out_b, Word512* out_c,
                               std::uint32_t mode, std::uint32_t parties, std::uint64_t counter,
                               std::uint64_t first_block, std::uint32_t count) {
#pragma HLS INTERFACE m_axi port = seeds offset = slave bundle = gmem0
#pragma HLS INTERFACE m_axi port = out_a offset = slave bundle = gmem1 max_write_burst_length = 64
#pragma HLS INTERFACE m_axi port = out_b offset = slave bundle = gmem2 max_write_burst_length = 64
#pragma HLS INTERFACE m_axi port = out_c offset = slave bundle = gmem3 max_write_burst_length = 64
#pragma HLS INTERFACE s_axilite port = seeds
#pragma HLS INTERFACE s_axilite port = out_a
#pragma HLS INTERFACE s_axilite port = out_b
#pragma HLS INTERFACE s_axilite port = out_c
#pragma HLS INTERFACE s_axilite port = mode
#pragma HLS INTERFACE s_axilite port = parties
#pragma HLS INTERFACE s_axilite port = counter
#pragma HLS INTERFACE s_axilite port = first_block
#pragma HLS INTERFACE s_axilite port = count
#pragma HLS INTERFACE s_axilite port = return
  if (parties == 0 || parties > kMaxParties) return;
  AesRoundKeys rk[kMaxParties];
#pragma HLS ARRAY_PARTITION variable = rk dim = 1 complete
keys:
  for (std::uint32_t j = 0; j < parties; ++j) {
#pragma HLS LOOP_TRIPCOUNT max = 10
    std::uint8_t key[16];
    const Word512 sw = seeds[j / 4];
    for (int half = 0; half < 2; ++half) {
      const std::uint64_t v = sw.lane[2 * (j % 4) + half];
      for (int i = 0; i < 8; ++i) key[8 * half + i] = static_cast<std::uint8_t>(v >> (8 * i));
    }
    rk[j] = sqt::hw::aes128_expand_key(key);
  }
  const std::uint32_t words = sqt::hw::words_for(count);

  if (mode == sqt::hw::kExpand) {
  expand:
    for (std::uint32_t w = 0; w < words; ++w) {
#pragma HLS PIPELINE II = 1
#pragma HLS LOOP_TRIPCOUNT max = 4096
      Word512 o;
      for (int blk = 0; blk < kLanes / 2; ++blk) {
#pragma HLS UNROLL
        ctr_block(rk[0], counter, first_block + std::uint64_t{4} * w + blk, o.lane[2 * blk],
                  o.lane[2 * blk + 1]);
      }
      out_a[w] = o;
    }
    return;
  }

  if (mode == sqt::hw::kTriples) {
  own:
    for (std::uint32_t w = 0; w < words; ++w) {
#pragma HLS PIPELINE II = 1
#pragma HLS LOOP_TRIPCOUNT max = 4096
      Word512 a, b, c;
      triple_words(rk[0], counter, first_block, w, a, b, c);
      out_a[w] = a;
      out_b[w] = b;
      out_c[w] = c;
    }
    return;
  }
  if (mode != sqt::hw::kCorrection) return;

correction:
  for (std::uint32_t w = 0; w < words; ++w) {
#pragma HLS LOOP_TRIPCOUNT max = 4096
    // d = (sum_j a_j)(sum_j b_j) - sum_j c_j.
    Word512 sa = {}, sb = {}, sc = {};
  streams:
    for (std::uint32_t j = 0; j < parties; ++j) {
#pragma HLS PIPELINE II = 1
#pragma HLS LOOP_TRIPCOUNT max = 10
      Word512 aj, bj, cj;
      triple_words(rk[j], counter, first_block, w, aj, bj, cj);
      for (int l = 0; l < kLanes; ++l) {
        sa.lane[l] += aj.lane[l];
        sb.lane[l] += bj.lane[l];
        sc.lane[l] += cj.lane[l];
      }
    }
    Word512 d;
    for (int l = 0; l < kLanes; ++l) d.lane[l] = sa.lane[l] * sb.lane[l] - sc.lane[l];
    out_c[w] = d;
  }
}
