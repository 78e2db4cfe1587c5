// The CIFAR-10 reader on the real batches: NHWC transpose of the planar
// records, scaling to [-1, 1), labels, md5 of the decompressed file.
#include <gtest/gtest.h>

#include <array>

#include "host/data/cifar10.h"
#include "tests/data/test_files.h"

namespace sqt::data {
namespace {

using testing::gunzip_independently;
using testing::md5_hex;

class CifarReal : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::real_data_dir() / "cifar10";
    if (!std::filesystem::exists(dir_ / "test_batch.bin.gz")) GTEST_SKIP() << "no CIFAR-10 in " << dir_;
  }
  std::filesystem::path dir_;
};

TEST_F(CifarReal, TestBatchMatchesRawRecords) {
  const Dataset d = load_cifar10(dir_, Split::kTest);
  ASSERT_EQ(d.count, 10000u);
  EXPECT_EQ(d.height, 32);
  EXPECT_EQ(d.width, 32);
  EXPECT_EQ(d.channels, 3);
  const std::array<int, 10> first = {3, 8, 8, 0, 6, 6, 1, 6, 3, 1};
  for (int i = 0; i < 10; ++i) EXPECT_EQ(d.labels[i], first[i]) << "label " << i;

  const auto raw = gunzip_independently(dir_ / "test_batch.bin.gz");
  ASSERT_EQ(raw.size(), 30730000u);
  EXPECT_EQ(md5_hex(raw.data(), raw.size()), "803d5f7f4d78ea53de84dbe85f74fb6d");

  const std::vector<std::uint32_t> idx = {0, 4321, 9999};
  std::vector<float> x(idx.size() * 3072);
  d.gather_float(idx, x.data());
  for (std::size_t s = 0; s < idx.size(); ++s) {
    const std::uint8_t* rec = raw.data() + idx[s] * 3073;
    ASSERT_EQ(d.labels[idx[s]], rec[0]);
    for (int y = 0; y < 32; ++y)
      for (int xx = 0; xx < 32; ++xx)
        for (int c = 0; c < 3; ++c) {
          const float expected = (rec[1 + c * 1024 + y * 32 + xx] - 128) / 128.0f;
          ASSERT_EQ(x[s * 3072 + (y * 32 + xx) * 3 + c], expected)
              << "sample " << idx[s] << " y " << y << " x " << xx;
        }
  }
  for (float v : x) {
    ASSERT_GE(v, -1.0f);
    ASSERT_LT(v, 1.0f);
  }
  std::array<int, 10> per_class{};
  for (auto l : d.labels) ++per_class[l];
  for (int c = 0; c < 10; ++c) EXPECT_EQ(per_class[c], 1000) << "class " << c;
}

TEST_F(CifarReal, TrainSplitHasFiveBatches) {
  const Dataset d = load_cifar10(dir_, Split::kTrain);
  ASSERT_EQ(d.count, 50000u);
  const std::array<int, 10> first = {6, 9, 9, 4, 1, 1, 2, 7, 8, 3};
  for (int i = 0; i < 10; ++i) EXPECT_EQ(d.labels[i], first[i]) << "label " << i;
  std::array<int, 10> per_class{};
  for (auto l : d.labels) ++per_class[l];
  for (int c = 0; c < 10; ++c) EXPECT_EQ(per_class[c], 5000) << "class " << c;
  // The first record of batch 5 lands at index 40000.
  const auto raw5 = gunzip_independently(dir_ / "data_batch_5.bin.gz");
  ASSERT_EQ(raw5.size(), 30730000u);
  EXPECT_EQ(d.labels[40000], raw5[0]);
  EXPECT_EQ(d.pixels[40000 * 3072 + 2], raw5[1 + 2048]);  // pixel 0, blue plane
}

}  // namespace
}  // namespace sqt::data
