// XrtDevice: runs tiles on an Alveo card through the XRT native C++ API.
// Buffers (xrt::bo) are allocated once per slot in the memory bank each
// kernel argument is connected to (firmware/*.cfg sp= lines), mapped once,
// and reused; one xrt::run per kernel and slot is prepared with its buffer
// arguments, so a tile costs two syncs, the scalar arguments and a start.
// Compiled only when SQT_HAVE_XRT.
#pragma once

#include <xrt/xrt_bo.h>
#include <xrt/xrt_device.h>
#include <xrt/xrt_kernel.h>

#include <array>
#include <filesystem>
#include <optional>

#include "host/backend/tile_device.h"

namespace sqt::backend {

class XrtDevice final : public TileDevice {
 public:
  // Opens card `index`; BackendError naming the card and suggesting
  // --backend cpu if XRT cannot open it (no card, no driver, XILINX_XRT unset).
  static xrt::device open_card(unsigned index);

  // Loads `image` (its manifest already checked), finds the three kernels and
  // allocates every buffer in its kernel argument's memory bank.
  XrtDevice(xrt::device device, const std::filesystem::path& image);

  // No image: buffers in memory group 0 and no kernels, so only the transfer
  // path works (start_* throw BackendError). For tests under hw_emu.
  explicit XrtDevice(xrt::device device);

  ~XrtDevice() override;

  std::string_view name() const override { return "XRT card"; }
  std::span<std::uint64_t> host(Buf b, int slot) override;
  void to_device(Buf b, int slot, std::size_t words) override;
  void from_device(Buf b, int slot, std::size_t words) override;
  void start_gemm(int slot, const GemmTile& tile) override;
  void start_mul(int slot, std::uint32_t words) override;
  void start_triples(int slot, const TripleRun& run) override;
  void wait(KernelId kernel, int slot) override;

 private:
  void allocate_buffers();
  xrt::run& prepared_run(KernelId kernel, int slot);

  xrt::device device_;
  std::array<std::optional<xrt::kernel>, 3> kernels_;
  std::array<std::array<xrt::bo, kBufCount>, kSlots> bos_;
  std::array<std::array<std::uint64_t*, kBufCount>, kSlots> maps_{};
  std::array<std::array<std::optional<xrt::run>, 3>, kSlots> runs_;
  std::array<std::array<bool, 3>, kSlots> in_flight_{};
};

}  // namespace sqt::backend
