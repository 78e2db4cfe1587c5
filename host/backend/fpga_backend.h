// Creating the FPGA backends with explicit options (make_backend uses the
// defaults). For `sqt --fpga-image PATH`, pass the path in FpgaConfig.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "host/backend/backend.h"

namespace sqt::backend {

struct FpgaConfig {
  std::string image;          // .xclbin; empty: $SQT_FPGA_IMAGE, then the default places
  unsigned device_index = 0;  // XRT device (card) index
};

// Whether this build has the XRT backend compiled in (SQT_HAVE_XRT).
bool fpga_compiled_in();

// The places searched for the image when none is given, in order.
std::vector<std::filesystem::path> default_fpga_image_places();

// The image to load: config.image if set (must exist), else the first
// existing default place; BackendError listing the places otherwise.
std::filesystem::path find_fpga_image(const FpgaConfig& config);

// BackendError (naming what is missing: XRT in the build, the card, the
// image or its manifest, a kernel) if the card cannot be used.
std::unique_ptr<Backend> make_fpga_backend(const FpgaConfig& config);

std::unique_ptr<Backend> make_fpga_sim_backend();

}  // namespace sqt::backend
