// The MNIST reader on the real LeCun files, checked against an independent
// gunzip and the published md5 of the uncompressed files (SOURCES.md).
#include <gtest/gtest.h>

#include <algorithm>
#include <array>

#include "host/data/mnist.h"
#include "tests/data/test_files.h"

namespace sqt::data {
namespace {

using testing::gunzip_independently;
using testing::md5_hex;
using testing::real_data_dir;

class MnistReal : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = real_data_dir() / "mnist";
    if (!std::filesystem::exists(dir_ / "t10k-labels-idx1-ubyte.gz")) GTEST_SKIP() << "no MNIST in " << dir_;
  }
  std::filesystem::path dir_;
};

TEST_F(MnistReal, TrainCountsLabelsAndPixelsMatchRawFile) {
  const Dataset d = load_mnist(dir_, Split::kTrain);
  ASSERT_EQ(d.count, 60000u);
  EXPECT_EQ(d.height, 28);
  EXPECT_EQ(d.width, 28);
  EXPECT_EQ(d.channels, 1);
  const std::array<int, 10> first = {5, 0, 4, 1, 9, 2, 1, 3, 1, 4};
  for (int i = 0; i < 10; ++i) EXPECT_EQ(d.labels[i], first[i]) << "label " << i;

  const auto raw = gunzip_independently(dir_ / "train-images-idx3-ubyte.gz");
  ASSERT_EQ(raw.size(), 47040016u);
  EXPECT_EQ(md5_hex(raw.data(), raw.size()), "6bbc9ace898e44ae57da46a324031adb");
  // The reader's pixels are the file's bytes after the 16-byte header.
  EXPECT_EQ(md5_hex(d.pixels.data(), d.pixels.size()), md5_hex(raw.data() + 16, raw.size() - 16));

  const auto raw_labels = gunzip_independently(dir_ / "train-labels-idx1-ubyte.gz");
  EXPECT_EQ(md5_hex(raw_labels.data(), raw_labels.size()), "a25bea736e30d166cdddb491f175f624");
  EXPECT_TRUE(std::equal(d.labels.begin(), d.labels.end(), raw_labels.begin() + 8));

  // Decoded values: pixel / 256, so in [0, 1), and some reach 255/256.
  const std::vector<std::uint32_t> idx = {0, 1, 59999};
  std::vector<float> x(idx.size() * 784);
  d.gather_float(idx, x.data());
  for (std::size_t s = 0; s < idx.size(); ++s)
    for (std::size_t k = 0; k < 784; ++k)
      ASSERT_EQ(x[s * 784 + k], raw[16 + idx[s] * 784 + k] / 256.0f) << "sample " << idx[s] << " pixel " << k;
  EXPECT_EQ(*std::max_element(x.begin(), x.end()), 255.0f / 256.0f);
  EXPECT_EQ(*std::min_element(x.begin(), x.end()), 0.0f);
}

TEST_F(MnistReal, TestSplit) {
  const Dataset d = load_mnist(dir_, Split::kTest);
  ASSERT_EQ(d.count, 10000u);
  const std::array<int, 10> first = {7, 2, 1, 0, 4, 1, 4, 9, 5, 9};
  for (int i = 0; i < 10; ++i) EXPECT_EQ(d.labels[i], first[i]) << "label " << i;
  const auto raw = gunzip_independently(dir_ / "t10k-images-idx3-ubyte.gz");
  EXPECT_EQ(md5_hex(raw.data(), raw.size()), "2646ac647ad5339dbf082846283269ea");
  EXPECT_EQ(md5_hex(d.pixels.data(), d.pixels.size()), md5_hex(raw.data() + 16, raw.size() - 16));
  std::array<int, 10> per_class{};
  for (auto l : d.labels) ++per_class[l];
  EXPECT_EQ(per_class[0], 980);  // the published class balance of t10k
  EXPECT_EQ(per_class[1], 1135);
}

}  // namespace
}  // namespace sqt::data
