// The XRT host path that needs no kernel (device open, buffer allocation,
// map, sync both ways) under XCL_EMULATION_MODE=hw_emu. XRT finds its
// emulation driver under $XILINX_XRT/lib, so the test builds such a folder
// of links to Debian's multiarch XRT libraries. Kernels cannot run here
// (that needs a v++-built image and the Vitis simulator).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "host/backend/fpga_backend.h"
#include "host/core/error.h"

#ifdef SQT_HAVE_XRT
#include "host/backend/xrt_device.h"
#endif

namespace sqt::backend {
namespace {

namespace fs = std::filesystem;

#ifdef SQT_HAVE_XRT
// Returns the emulation XILINX_XRT folder, or "" if the hw_emu driver is absent.
fs::path make_emulation_root() {
  const fs::path multiarch = "/usr/lib/x86_64-linux-gnu";
  if (!fs::exists(multiarch / "libxrt_hwemu.so.2")) return {};
  const fs::path root = fs::temp_directory_path() / ("sqt_xrt_emu_" + std::to_string(::getpid()));
  fs::create_directories(root / "lib");
  for (const auto& entry : fs::directory_iterator(multiarch)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("libxrt", 0) == 0) fs::create_symlink(entry.path(), root / "lib" / name);
  }
  return root;
}
#endif

TEST(XrtHwEmu, BuffersMapAndSyncBothWays) {
#ifndef SQT_HAVE_XRT
  GTEST_SKIP() << "XRT is not compiled into this build (libxrt-dev not found at configure time)";
#else
  const fs::path root = make_emulation_root();
  if (root.empty()) GTEST_SKIP() << "no XRT hw_emu driver (libxrt_hwemu.so.2) on this machine";
  setenv("XILINX_XRT", root.c_str(), 1);
  setenv("XCL_EMULATION_MODE", "hw_emu", 1);
  std::unique_ptr<XrtDevice> device;
  try {
    device = std::make_unique<XrtDevice>(XrtDevice::open_card(0));
  } catch (const std::exception& e) {
    fs::remove_all(root);
    GTEST_SKIP() << "XRT hw_emu could not open a device here: " << e.what();
  }
  // Every buffer of both slots: write a pattern, push it, clobber the host
  // view, pull it back.
  for (int slot = 0; slot < kSlots; ++slot) {
    for (Buf b : {Buf::kGemmA, Buf::kGemmC, Buf::kMulOut, Buf::kSeeds, Buf::kOutC}) {
      auto host = device->host(b, slot);
      ASSERT_EQ(host.size(), buffer_words(b) * hw::kLanes);
      const std::size_t words = std::min<std::size_t>(buffer_words(b), 64);
      for (std::size_t i = 0; i < words * hw::kLanes; ++i) host[i] = i * 0x9e3779b97f4a7c15ULL + slot;
      device->to_device(b, slot, words);
      for (std::size_t i = 0; i < words * hw::kLanes; ++i) host[i] = 0;
      device->from_device(b, slot, words);
      for (std::size_t i = 0; i < words * hw::kLanes; ++i) {
        ASSERT_EQ(host[i], i * 0x9e3779b97f4a7c15ULL + slot) << "buffer " << int(b) << " slot " << slot;
      }
    }
  }
  // Without an image no kernel can start, and the error says so.
  EXPECT_THROW(device->start_mul(0, 1), BackendError);
  device.reset();
  fs::remove_all(root);
#endif
}

}  // namespace
}  // namespace sqt::backend
