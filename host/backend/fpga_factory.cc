// make_backend for "fpga" and "fpga-sim": locate and check the image, open
// the card, and put the right TileDevice under the shared orchestration.
#include <cstdlib>

#include "host/backend/fpga_backend.h"
#include "host/backend/image_check.h"
#include "host/backend/offload_backend.h"
#include "host/backend/sim_device.h"
#include "host/core/error.h"

#ifdef SQT_HAVE_XRT
#include "host/backend/xrt_device.h"
#endif

namespace sqt::backend {

bool fpga_compiled_in() {
#ifdef SQT_HAVE_XRT
  return true;
#else
  return false;
#endif
}

std::vector<std::filesystem::path> default_fpga_image_places() {
  return {"sqt.xclbin", "/opt/sqt/firmware/sqt.xclbin"};
}

std::filesystem::path find_fpga_image(const FpgaConfig& config) {
  auto must_exist = [](const std::filesystem::path& p, const char* from) {
    if (!std::filesystem::is_regular_file(p)) {
      throw BackendError("backend 'fpga': FPGA image " + p.string() + " (from " + from +
                         ") not found; build it with firmware/Makefile, or use --backend cpu");
    }
    return p;
  };
  if (!config.image.empty()) return must_exist(config.image, "--fpga-image");
  if (const char* env = std::getenv("SQT_FPGA_IMAGE"); env != nullptr && *env != '\0') {
    return must_exist(env, "$SQT_FPGA_IMAGE");
  }
  std::string looked;
  for (const auto& place : default_fpga_image_places()) {
    if (std::filesystem::is_regular_file(place)) return place;
    looked += (looked.empty() ? "" : ", ") + place.string();
  }
  throw BackendError(
      "backend 'fpga': no FPGA image given and none found (looked at --fpga-image, "
      "$SQT_FPGA_IMAGE, " +
      looked + "); build one with firmware/Makefile, or use --backend cpu");
}

std::unique_ptr<Backend> make_fpga_backend([[maybe_unused]] const FpgaConfig& config) {
#ifdef SQT_HAVE_XRT
  // The card first: on a machine without one, that is the thing to report.
  xrt::device card = XrtDevice::open_card(config.device_index);
  const std::filesystem::path image = find_fpga_image(config);
  check_fpga_image(image);
  return std::make_unique<OffloadBackend>("fpga", std::make_unique<XrtDevice>(std::move(card), image));
#else
  throw BackendError(
      "backend 'fpga' is not available: this sqt was built without XRT (libxrt-dev was not found when "
      "configuring, or SQT_WITH_XRT=OFF); rebuild with XRT installed, or use --backend cpu "
      "(or --backend fpga-sim to run the FPGA kernels in simulation)");
#endif
}

std::unique_ptr<Backend> make_fpga_sim_backend() {
  return std::make_unique<OffloadBackend>("fpga-sim", std::make_unique<SimDevice>());
}

}  // namespace sqt::backend
