// Checks an FPGA image before it goes near the card: its manifest
// (image_manifest.h) and, when XRT is compiled in, the .xclbin itself
// (readable and holding the three kernels); XRT checks the platform at load.
#pragma once

#include <filesystem>

#include "host/backend/image_manifest.h"

namespace sqt::backend {

// BackendError naming the file and what is wrong; returns the manifest.
ImageManifest check_fpga_image(const std::filesystem::path& image);

}  // namespace sqt::backend
