// The `fpga` backend on a machine without a card (or a build without XRT):
// a BackendError that names what is missing and suggests --backend cpu,
// never a crash; and the image search names the places it looked.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "host/backend/backend.h"
#include "host/backend/fpga_backend.h"
#include "host/core/error.h"

namespace sqt::backend {
namespace {

std::string error_of_make_fpga(const FpgaConfig& config) {
  try {
    make_fpga_backend(config);
  } catch (const BackendError& e) {
    return e.what();
  }
  return "";
}

class FpgaErrors : public ::testing::Test {
 protected:
  // A real card would make these tests meaningless; emulation would open a
  // fake device instead of failing.
  void SetUp() override {
    unsetenv("XCL_EMULATION_MODE");
    if (std::filesystem::exists("/dev/xclmgmt") || std::filesystem::exists("/dev/dri/renderD128")) {
      GTEST_SKIP() << "a device node that could be an FPGA card exists here";
    }
  }
};

TEST_F(FpgaErrors, MakeBackendWithoutCardThrowsNamingItAndSuggestingCpu) {
  try {
    make_backend("fpga", 1);
    FAIL() << "make_backend(\"fpga\") succeeded without a card";
  } catch (const BackendError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("--backend cpu"), std::string::npos) << msg;
    if (fpga_compiled_in()) {
      EXPECT_NE(msg.find("no FPGA card"), std::string::npos) << msg;
      EXPECT_NE(msg.find("device 0"), std::string::npos) << msg;
    } else {
      EXPECT_NE(msg.find("without XRT"), std::string::npos) << msg;
    }
  }
}

TEST_F(FpgaErrors, AnotherDeviceIndexIsNamed) {
  if (!fpga_compiled_in()) GTEST_SKIP() << "XRT is not compiled into this build";
  FpgaConfig config;
  config.device_index = 3;
  const std::string msg = error_of_make_fpga(config);
  EXPECT_NE(msg.find("device 3"), std::string::npos) << msg;
}

TEST(FpgaImageSearch, ExplicitMissingImageIsNamed) {
  FpgaConfig config;
  config.image = "/nonexistent/dir/sqt.xclbin";
  try {
    find_fpga_image(config);
    FAIL() << "found an image that does not exist";
  } catch (const BackendError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("/nonexistent/dir/sqt.xclbin"), std::string::npos) << msg;
    EXPECT_NE(msg.find("--fpga-image"), std::string::npos) << msg;
  }
}

TEST(FpgaImageSearch, EnvironmentVariableIsUsedAndNamed) {
  const auto dir = std::filesystem::temp_directory_path() / "sqt_fpga_image_search";
  std::filesystem::create_directories(dir);
  const auto image = dir / "custom.xclbin";
  {
    std::FILE* f = std::fopen(image.c_str(), "w");
    std::fclose(f);
  }
  setenv("SQT_FPGA_IMAGE", image.c_str(), 1);
  EXPECT_EQ(find_fpga_image(FpgaConfig{}), image);
  setenv("SQT_FPGA_IMAGE", (dir / "missing.xclbin").c_str(), 1);
  try {
    find_fpga_image(FpgaConfig{});
    FAIL() << "found a missing image";
  } catch (const BackendError& e) {
    EXPECT_NE(std::string(e.what()).find("$SQT_FPGA_IMAGE"), std::string::npos) << e.what();
  }
  unsetenv("SQT_FPGA_IMAGE");
  std::filesystem::remove_all(dir);
}

TEST(FpgaImageSearch, NothingFoundListsEveryPlace) {
  unsetenv("SQT_FPGA_IMAGE");
  for (const auto& place : default_fpga_image_places()) {
    if (std::filesystem::exists(place)) GTEST_SKIP() << place << " exists on this machine";
  }
  try {
    find_fpga_image(FpgaConfig{});
    FAIL() << "found an image";
  } catch (const BackendError& e) {
    const std::string msg = e.what();
    for (const auto& place : default_fpga_image_places()) {
      EXPECT_NE(msg.find(place.string()), std::string::npos) << msg;
    }
  }
}

}  // namespace
}  // namespace sqt::backend
