#include "host/backend/image_manifest.h"

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>

#include "host/core/error.h"
#include "hw/kernel_abi.h"

namespace sqt::backend {

namespace {

constexpr const char* kSuggestion = "; rebuild the image (firmware/Makefile) or use --backend cpu";

template <class T>
T field(const nlohmann::json& j, const char* key, const std::filesystem::path& where) {
  if (!j.contains(key)) {
    throw BackendError("FPGA image manifest " + where.string() + ": missing field '" + key + "'" +
                       kSuggestion);
  }
  try {
    return j.at(key).get<T>();
  } catch (const nlohmann::json::exception&) {
    throw BackendError("FPGA image manifest " + where.string() + ": field '" + key + "' has the wrong type" +
                       kSuggestion);
  }
}

void expect_limit(long long got, long long want, const char* key, const std::filesystem::path& where) {
  if (got != want) {
    throw BackendError("FPGA image manifest " + where.string() + ": tiles." + key + " is " +
                       std::to_string(got) + " but this host expects " + std::to_string(want) + kSuggestion);
  }
}

}  // namespace

std::filesystem::path manifest_path_for(const std::filesystem::path& image) {
  std::filesystem::path p = image;
  p += ".json";
  return p;
}

ImageManifest read_image_manifest(const std::filesystem::path& manifest) {
  std::ifstream in(manifest);
  if (!in) {
    throw BackendError("FPGA image manifest " + manifest.string() +
                       " not found (it must sit next to the .xclbin as <image>.json)" + kSuggestion);
  }
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw BackendError("FPGA image manifest " + manifest.string() + " is not valid JSON (" + e.what() + ")" +
                       kSuggestion);
  }
  ImageManifest m;
  m.interface_version = field<int>(j, "interface_version", manifest);
  m.platform = field<std::string>(j, "platform", manifest);
  m.kernels = field<std::vector<std::string>>(j, "kernels", manifest);
  const auto tiles = field<nlohmann::json>(j, "tiles", manifest);
  m.gemm_m = field<long long>(tiles, "gemm_m", manifest);
  m.gemm_n = field<long long>(tiles, "gemm_n", manifest);
  m.gemm_k = field<long long>(tiles, "gemm_k", manifest);
  m.mul_elems = field<long long>(tiles, "mul_elems", manifest);
  m.triple_elems = field<long long>(tiles, "triple_elems", manifest);
  m.max_parties = field<long long>(tiles, "max_parties", manifest);
  return m;
}

void check_image_manifest(const ImageManifest& m, const std::filesystem::path& where) {
  if (m.interface_version != hw::kInterfaceVersion) {
    throw BackendError("FPGA image manifest " + where.string() + ": interface version " +
                       std::to_string(m.interface_version) + " but this host speaks version " +
                       std::to_string(hw::kInterfaceVersion) + kSuggestion);
  }
  if (m.platform.empty())
    throw BackendError("FPGA image manifest " + where.string() + ": empty platform" + kSuggestion);
  for (const char* kernel : {hw::kGemmKernel, hw::kMulKernel, hw::kTripleKernel}) {
    if (std::find(m.kernels.begin(), m.kernels.end(), kernel) == m.kernels.end()) {
      throw BackendError("FPGA image manifest " + where.string() + ": kernel '" + kernel + "' is missing" +
                         kSuggestion);
    }
  }
  expect_limit(m.gemm_m, hw::kGemmTileM, "gemm_m", where);
  expect_limit(m.gemm_n, hw::kGemmTileN, "gemm_n", where);
  expect_limit(m.gemm_k, hw::kGemmTileK, "gemm_k", where);
  expect_limit(m.mul_elems, hw::kMulTileElems, "mul_elems", where);
  expect_limit(m.triple_elems, hw::kTripleTileElems, "triple_elems", where);
  expect_limit(m.max_parties, hw::kMaxParties, "max_parties", where);
}

}  // namespace sqt::backend
