// The documented dataset search order.
#include "host/data/data_dir.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "host/core/error.h"
#include "tests/data/test_files.h"

namespace sqt::data {
namespace {

using testing::TempDir;

void make_mnist_marker(const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  testing::write_bytes(dir / "t10k-labels-idx1-ubyte.gz", {});
}

TEST(DataDir, DataOptionWithSubfolderOrDirect) {
  TempDir tmp;
  make_mnist_marker(tmp.path() / "mnist");
  EXPECT_EQ(find_dataset_dir("mnist", tmp.path().string()), tmp.path() / "mnist");
  EXPECT_EQ(find_dataset_dir("mnist", (tmp.path() / "mnist").string()), tmp.path() / "mnist");
}

TEST(DataDir, DataOptionIsTheOnlyPlaceLooked) {
  TempDir tmp;
  ::setenv("SQT_DATA", SQT_TEST_DATA_DIR, 1);
  try {
    find_dataset_dir("mnist", tmp.path().string());
    FAIL() << "found mnist although --data has none";
  } catch (const FileError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find(tmp.path().string()), std::string::npos) << msg;
    EXPECT_NE(msg.find("scripts/fetch-data"), std::string::npos) << msg;
  }
  ::unsetenv("SQT_DATA");
}

TEST(DataDir, EnvironmentComesBeforeRelativePlaces) {
  TempDir tmp;
  make_mnist_marker(tmp.path() / "mnist");
  ::setenv("SQT_DATA", tmp.path().c_str(), 1);
  const auto places = dataset_search_path("");
  ASSERT_GE(places.size(), 3u);
  EXPECT_EQ(places[0], tmp.path());
  EXPECT_EQ(places[1], std::filesystem::path("data"));
  EXPECT_EQ(places[2], std::filesystem::path("../shared/data"));
  EXPECT_EQ(find_dataset_dir("mnist"), tmp.path() / "mnist");
  ::unsetenv("SQT_DATA");
}

TEST(DataDir, NotFoundListsEveryPlace) {
  TempDir tmp;
  const auto old = std::filesystem::current_path();
  std::filesystem::current_path(tmp.path());
  ::setenv("SQT_DATA", (tmp.path() / "nowhere").c_str(), 1);
  try {
    // The executable's repository is searched too, so only a dataset name
    // that no place holds gives the error reliably: a fake CIFAR folder
    // name is not possible, so check the message lists the first places.
    find_dataset_dir("cifar10", (tmp.path() / "none").string());
    FAIL();
  } catch (const FileError& e) {
    EXPECT_NE(std::string(e.what()).find((tmp.path() / "none").string()), std::string::npos);
  }
  ::unsetenv("SQT_DATA");
  std::filesystem::current_path(old);
}

TEST(DataDir, UnknownDatasetIsConfigError) {
  EXPECT_THROW(find_dataset_dir("imagenet", "/tmp"), ConfigError);
}

TEST(DataDir, ExecutableRepositoryFindsSharedData) {
  // The test binary is built inside the repository, next to ../shared/data.
  if (!std::filesystem::exists(std::filesystem::path(SQT_TEST_DATA_DIR) / "mnist")) GTEST_SKIP();
  TempDir tmp;
  const auto old = std::filesystem::current_path();
  std::filesystem::current_path(tmp.path());  // no ./data, no ../shared/data here
  ::unsetenv("SQT_DATA");
  const auto dir = find_dataset_dir("mnist");
  std::filesystem::current_path(old);
  EXPECT_TRUE(std::filesystem::equivalent(dir, std::filesystem::path(SQT_TEST_DATA_DIR) / "mnist")) << dir;
}

}  // namespace
}  // namespace sqt::data
