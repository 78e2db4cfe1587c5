// The seam between the FPGA orchestration (OffloadBackend: tiling, buffer
// layout, ping-pong batching) and how one tile is executed. XrtDevice runs the
// tile on a card through XRT; SimDevice calls the hw/ kernel function
// in-process. Everything above this interface is shared by `fpga` and
// `fpga-sim`.
//
// Contract: the device owns kSlots sets of buffers, allocated once. A buffer
// has a host view (mapped memory) and a device copy; to_device/from_device
// move the first `words` 512-bit words between them. start_* launches one
// kernel run on the slot's buffers and returns at once; wait() blocks until
// that run is done. While a slot's run of a kernel is in flight, the host
// must not touch that slot's buffers of that kernel.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "hw/kernel_abi.h"

namespace sqt::backend {

enum class KernelId : std::uint8_t { kGemm, kMul, kTriples };

enum class Buf : std::uint8_t {
  kGemmA,
  kGemmB,
  kGemmC,
  kMulX0,
  kMulX1,
  kMulY0,
  kMulY1,
  kMulMask,
  kMulOut,
  kSeeds,
  kOutA,
  kOutB,
  kOutC,
};
inline constexpr int kBufCount = 13;
inline constexpr int kSlots = 2;

// Capacity of each buffer in 512-bit words (the tile limits of kernel_abi.h).
constexpr std::size_t buffer_words(Buf b) {
  using namespace sqt::hw;
  switch (b) {
    case Buf::kGemmA:
      return std::size_t{kGemmTileM} * words_for(kGemmTileK);
    case Buf::kGemmB:
      return std::size_t{kGemmTileK} * words_for(kGemmTileN);
    case Buf::kGemmC:
      return std::size_t{kGemmTileM} * words_for(kGemmTileN);
    case Buf::kSeeds:
      return kSeedWords;
    case Buf::kOutA:
    case Buf::kOutB:
    case Buf::kOutC:
      return words_for(kTripleTileElems);
    default:
      return words_for(kMulTileElems);
  }
}

constexpr KernelId kernel_of(Buf b) {
  if (b <= Buf::kGemmC) return KernelId::kGemm;
  if (b <= Buf::kMulOut) return KernelId::kMul;
  return KernelId::kTriples;
}

struct GemmTile {
  std::uint32_t m, n, k;
};

struct TripleRun {
  std::uint32_t mode;     // hw::TripleMode
  std::uint32_t parties;  // seeds staged (1 for a party's own triples)
  std::uint64_t counter, first_block;
  std::uint32_t count;
};

class TileDevice {
 public:
  virtual ~TileDevice() = default;

  virtual std::string_view name() const = 0;
  // The host view of buffer b of slot `slot`, as 64-bit lanes
  // (buffer_words(b) * kLanes of them).
  virtual std::span<std::uint64_t> host(Buf b, int slot) = 0;
  virtual void to_device(Buf b, int slot, std::size_t words) = 0;
  virtual void from_device(Buf b, int slot, std::size_t words) = 0;
  virtual void start_gemm(int slot, const GemmTile& tile) = 0;
  virtual void start_mul(int slot, std::uint32_t words) = 0;
  virtual void start_triples(int slot, const TripleRun& run) = 0;
  virtual void wait(KernelId kernel, int slot) = 0;
};

}  // namespace sqt::backend
