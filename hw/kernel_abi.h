// The contract between the host (host/backend), the kernels (hw/) and the
// FPGA image (firmware/): port word, kernel names, tile limits, interface
// version. The image manifest repeats the names and version; the host
// refuses an image whose manifest disagrees with this file.
#pragma once

#include <cstdint>

namespace sqt::hw {

// One 512-bit AXI beat: eight 64-bit ring lanes.
inline constexpr int kLanes = 8;
struct Word512 {
  std::uint64_t lane[kLanes];
};

// Bumped whenever an argument list, a buffer layout, a tile limit or a
// kernel mode changes (2: triple_gen split into own triples and the dealer's
// correction, without the `party` argument).
inline constexpr int kInterfaceVersion = 2;

inline constexpr const char* kGemmKernel = "sqt_ring_gemm";
inline constexpr const char* kMulKernel = "sqt_ring_mul";
inline constexpr const char* kTripleKernel = "sqt_triple_gen";

// ring_gemm tile: C (m x n) = A (m x k) * B (k x n), with m, k <= these and
// n <= kGemmTileN. B's tile lives on chip (k x n words of 64 bits).
inline constexpr std::uint32_t kGemmTileM = 256;
inline constexpr std::uint32_t kGemmTileN = 256;
inline constexpr std::uint32_t kGemmTileK = 256;

// ring_mul: elements per run (a multiple of kLanes).
inline constexpr std::uint32_t kMulTileElems = 1u << 16;

// triple_gen: triples (or PRG words in expand mode) per run, a multiple of
// kLanes; seeds of up to kMaxParties parties, four 128-bit seeds per word.
inline constexpr std::uint32_t kTripleTileElems = 1u << 15;
inline constexpr std::uint32_t kMaxParties = 10;
inline constexpr std::uint32_t kSeedWords = (kMaxParties + 3) / 4;

enum TripleMode : std::uint32_t {
  kExpand = 0,      // out_a[i] = word i of seed 0's AES-CTR stream from `counter`
  kTriples = 1,     // out_a/b/c = the triple shares in seed 0's stream (a party's own)
  kCorrection = 2,  // out_c = the dealer's correction over `parties` seeds (trusted dealer only)
};

constexpr std::uint32_t words_for(std::uint64_t elems) {
  return static_cast<std::uint32_t>((elems + kLanes - 1) / kLanes);
}

}  // namespace sqt::hw
