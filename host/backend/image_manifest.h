// The FPGA image manifest: a JSON file next to the .xclbin (sqt.xclbin ->
// sqt.xclbin.json) written by firmware/Makefile from firmware/manifest.json.
// It names the platform, the kernels and the interface version and tile
// limits the image was built for; the host refuses an image whose manifest
// does not match hw/kernel_abi.h.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace sqt::backend {

struct ImageManifest {
  int interface_version = 0;
  std::string platform;
  std::vector<std::string> kernels;
  // Tile limits baked into the image (hw/kernel_abi.h at build time).
  long long gemm_m = 0, gemm_n = 0, gemm_k = 0, mul_elems = 0, triple_elems = 0, max_parties = 0;
};

// sqt.xclbin -> sqt.xclbin.json
std::filesystem::path manifest_path_for(const std::filesystem::path& image);

// Reads a manifest; BackendError naming the file if it is missing, not JSON,
// or lacks a field.
ImageManifest read_image_manifest(const std::filesystem::path& manifest);

// BackendError naming the file and the mismatch (interface version, a
// missing kernel, a tile limit) unless the manifest fits this host build.
void check_image_manifest(const ImageManifest& manifest, const std::filesystem::path& where);

}  // namespace sqt::backend
