// The image manifest check: the repository's firmware/manifest.json is
// accepted; a missing file, bad JSON, a missing field, wrong kernel names, a
// wrong interface version or tile limit are refused with the file named.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "host/backend/fpga_backend.h"
#include "host/backend/image_check.h"
#include "host/backend/image_manifest.h"
#include "host/core/error.h"
#include "hw/kernel_abi.h"

namespace sqt::backend {
namespace {

namespace fs = std::filesystem;

nlohmann::json repo_manifest() {
  std::ifstream in(fs::path(SQT_SOURCE_DIR) / "firmware" / "manifest.json");
  return nlohmann::json::parse(in);
}

class Manifest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("sqt_manifest_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    image_ = dir_ / "sqt.xclbin";
    std::ofstream(image_) << "not an xclbin";
  }
  void TearDown() override { fs::remove_all(dir_); }

  void write_manifest(const std::string& text) { std::ofstream(manifest_path_for(image_)) << text; }

  // The message of the BackendError from checking the image's manifest.
  std::string check_error() {
    try {
      const fs::path where = manifest_path_for(image_);
      check_image_manifest(read_image_manifest(where), where);
    } catch (const BackendError& e) {
      return e.what();
    }
    return "";
  }

  fs::path dir_, image_;
};

TEST_F(Manifest, ManifestSitsNextToTheImage) {
  EXPECT_EQ(manifest_path_for("/a/b/sqt.xclbin"), fs::path("/a/b/sqt.xclbin.json"));
}

TEST_F(Manifest, RepositoryManifestMatchesThisHost) {
  write_manifest(repo_manifest().dump());
  EXPECT_EQ(check_error(), "");
  const ImageManifest m = read_image_manifest(manifest_path_for(image_));
  EXPECT_EQ(m.interface_version, hw::kInterfaceVersion);
  EXPECT_FALSE(m.platform.empty());
}

TEST_F(Manifest, MissingFileIsNamed) {
  const std::string msg = check_error();
  EXPECT_NE(msg.find("sqt.xclbin.json"), std::string::npos) << msg;
  EXPECT_NE(msg.find("not found"), std::string::npos) << msg;
}

TEST_F(Manifest, InvalidJsonIsNamed) {
  write_manifest("{ \"interface_version\": ");
  EXPECT_NE(check_error().find("not valid JSON"), std::string::npos);
}

TEST_F(Manifest, MissingFieldIsNamed) {
  auto j = repo_manifest();
  j.erase("platform");
  write_manifest(j.dump());
  EXPECT_NE(check_error().find("missing field 'platform'"), std::string::npos);
}

TEST_F(Manifest, WrongKernelNamesAreNamed) {
  auto j = repo_manifest();
  j["kernels"] = {hw::kGemmKernel, "ring_mul_v0", hw::kTripleKernel};
  write_manifest(j.dump());
  const std::string msg = check_error();
  EXPECT_NE(msg.find(std::string("kernel '") + hw::kMulKernel + "' is missing"), std::string::npos) << msg;
}

TEST_F(Manifest, WrongInterfaceVersionIsNamed) {
  auto j = repo_manifest();
  j["interface_version"] = hw::kInterfaceVersion + 1;
  write_manifest(j.dump());
  const std::string msg = check_error();
  EXPECT_NE(msg.find("interface version " + std::to_string(hw::kInterfaceVersion + 1)), std::string::npos)
      << msg;
}

TEST_F(Manifest, WrongTileLimitIsNamed) {
  auto j = repo_manifest();
  j["tiles"]["gemm_k"] = 128;
  write_manifest(j.dump());
  EXPECT_NE(check_error().find("tiles.gemm_k is 128"), std::string::npos);
}

TEST_F(Manifest, ImageCheckRefusesAFileThatIsNoXclbin) {
  write_manifest(repo_manifest().dump());
  if (!fpga_compiled_in()) {
    EXPECT_NO_THROW(check_fpga_image(image_));  // without XRT only the manifest can be checked
    return;
  }
  try {
    check_fpga_image(image_);
    FAIL() << "accepted a text file as an image";
  } catch (const BackendError& e) {
    EXPECT_NE(std::string(e.what()).find("not a valid .xclbin"), std::string::npos) << e.what();
  }
}

TEST_F(Manifest, ImageCheckNamesAMissingImage) {
  EXPECT_THROW(check_fpga_image(dir_ / "other.xclbin"), BackendError);
}

}  // namespace
}  // namespace sqt::backend
