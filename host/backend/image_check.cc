#include "host/backend/image_check.h"

#include <algorithm>
#include <string>

#include "host/core/error.h"
#include "hw/kernel_abi.h"

#ifdef SQT_HAVE_XRT
#include <experimental/xrt_xclbin.h>
#endif

namespace sqt::backend {

ImageManifest check_fpga_image(const std::filesystem::path& image) {
  if (!std::filesystem::is_regular_file(image)) {
    throw BackendError("FPGA image " + image.string() +
                       " not found; build it with firmware/Makefile, or use --backend cpu");
  }
  const std::filesystem::path where = manifest_path_for(image);
  ImageManifest manifest = read_image_manifest(where);
  check_image_manifest(manifest, where);
#ifdef SQT_HAVE_XRT
  xrt::xclbin xclbin;
  try {
    xclbin = xrt::xclbin(image.string());
  } catch (const std::exception& e) {
    throw BackendError("FPGA image " + image.string() + " is not a valid .xclbin (" + e.what() +
                       "); rebuild it with firmware/Makefile, or use --backend cpu");
  }
  // The platform itself is checked by XRT at load time (the shell's interface
  // UUID), which is more reliable than comparing names here.
  std::vector<std::string> names;
  for (const auto& kernel : xclbin.get_kernels()) names.push_back(kernel.get_name());
  for (const char* kernel : {hw::kGemmKernel, hw::kMulKernel, hw::kTripleKernel}) {
    if (std::find(names.begin(), names.end(), kernel) == names.end()) {
      throw BackendError("FPGA image " + image.string() + " has no kernel '" + kernel +
                         "'; rebuild it with firmware/Makefile, or use --backend cpu");
    }
  }
#endif
  return manifest;
}

}  // namespace sqt::backend
