// triple_gen: AES-128-CTR expansion, a party's Beaver triple shares from its
// own seed, and the trusted dealer's correction.
//
// Streams: seed s's stream is the keystream of AES-128 under key s in the
// counter layout of simd/prg.h (block X = 128-bit big-endian counter, word j
// of the stream = little-endian bytes 8j..8j+7).
//
// seeds: kSeedWords words; seed j is lanes 2(j%4) (bytes 0-7, little-endian)
// and 2(j%4)+1 (bytes 8-15) of word j/4.
// Blocks are numbered from `counter` as one 128-bit count (counter +
// first_block + i, carrying past 2^64), so a caller splitting the work passes
// the stream's start in `counter` and the piece's offset in `first_block`.
// mode kExpand: out_a[i] = word 2*first_block + i of seed 0's stream from
//   `counter`, i < count (out_b, out_c untouched).
// mode kTriples: a party's own shares, from seed 0 alone: triple i uses
//   words 3i, 3i+1, 3i+2 of the stream as a, b, c. Writes triples t0 + i,
//   i < count, where t0 = first_block * 2 / 3; a piece therefore starts at a
//   triple index that is even (3 words per triple, 2 words per block).
// mode kCorrection: for a trusted dealer outside the computation only (it
//   needs every party's seed, so it knows every triple): out_c[i] =
//   (sum_j a_j)(sum_j b_j) - sum_j c_j over seeds 0 .. parties-1, for triples
//   t0 + i as above; the last party adds it to its c. out_a, out_b untouched.
#pragma once

#include <cstdint>

#include "hw/kernel_abi.h"

extern "C" void sqt_triple_gen(const sqt::hw::Word512* seeds, sqt::hw::Word512* out_a,
                               sqt::hw::Word512* out_b, sqt::hw::Word512* out_c, std::uint32_t mode,
                               std::uint32_t parties, std::uint64_t counter, std::uint64_t first_block,
                               std::uint32_t count);
