// SimDevice: executes tiles by calling the hw/ kernel functions in-process
// (C simulation of the card). Host views and "device memory" are separate
// arrays, so a transfer the orchestration forgets shows up as a wrong
// result, and touching a buffer whose run is in flight throws
// std::logic_error (an orchestration bug, not a user error).
#pragma once

#include <array>
#include <vector>

#include "host/backend/tile_device.h"

namespace sqt::backend {

class SimDevice final : public TileDevice {
 public:
  SimDevice();

  std::string_view name() const override { return "C simulation of the hw/ kernels"; }
  std::span<std::uint64_t> host(Buf b, int slot) override;
  void to_device(Buf b, int slot, std::size_t words) override;
  void from_device(Buf b, int slot, std::size_t words) override;
  void start_gemm(int slot, const GemmTile& tile) override;
  void start_mul(int slot, std::uint32_t words) override;
  void start_triples(int slot, const TripleRun& run) override;
  void wait(KernelId kernel, int slot) override;

 private:
  struct Buffer {
    std::vector<hw::Word512> host, device;
  };
  Buffer& buffer(Buf b, int slot);
  hw::Word512* dev(Buf b, int slot) { return buffer(b, slot).device.data(); }
  void check_idle(Buf b, int slot) const;
  void mark_busy(KernelId kernel, int slot);

  std::array<std::array<Buffer, kBufCount>, kSlots> buffers_;
  std::array<std::array<bool, 3>, kSlots> busy_{};
};

}  // namespace sqt::backend
