// Gathering a batch as floats, as fixed point (the data owner's secret
// input) and as one-hot labels.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "host/core/error.h"
#include "host/data/dataset.h"

namespace sqt::data {
namespace {

Dataset tiny(float scale, float offset) {
  Dataset d;
  d.name = "tiny";
  d.count = 4;
  d.height = 2;
  d.width = 2;
  d.channels = 1;
  d.scale = scale;
  d.offset = offset;
  d.pixels = {0, 1, 2, 3, 64, 128, 200, 255, 9, 8, 7, 6, 5, 4, 3, 2};
  d.labels = {3, 0, 9, 1};
  return d;
}

TEST(DatasetGather, FloatAndFixedAgree) {
  for (auto [scale, offset] : {std::pair{1.0f / 256, 0.0f}, std::pair{1.0f / 128, -1.0f}}) {
    const Dataset d = tiny(scale, offset);
    const std::vector<std::uint32_t> idx = {1, 3, 1};
    std::vector<float> x(12);
    std::vector<Ring> q(12);
    d.gather_float(idx, x.data());
    d.gather_fixed(idx, 16, q.data());
    for (std::size_t s = 0; s < idx.size(); ++s)
      for (std::size_t k = 0; k < 4; ++k) {
        const double expected = d.pixels[idx[s] * 4 + k] * static_cast<double>(scale) + offset;
        EXPECT_EQ(x[s * 4 + k], static_cast<float>(expected));
        // Exact in fixed point: the scales are powers of two >= 2^-8.
        EXPECT_EQ(decode_fixed(q[s * 4 + k], 16), expected);
      }
  }
}

TEST(DatasetGather, OneHot) {
  const Dataset d = tiny(1.0f / 256, 0);
  const std::vector<std::uint32_t> idx = {2, 0};
  std::vector<float> y(20);
  std::vector<Ring> q(20);
  d.gather_onehot_float(idx, y.data());
  d.gather_onehot_fixed(idx, 16, q.data());
  for (int c = 0; c < 10; ++c) {
    EXPECT_EQ(y[c], c == 9 ? 1.0f : 0.0f);
    EXPECT_EQ(y[10 + c], c == 3 ? 1.0f : 0.0f);
    EXPECT_EQ(q[c], c == 9 ? Ring{1} << 16 : 0);
  }
}

TEST(DatasetGather, IndexOutOfRangeNamesDataset) {
  const Dataset d = tiny(1, 0);
  std::vector<float> x(4);
  const std::vector<std::uint32_t> idx = {4};
  try {
    d.gather_float(idx, x.data());
    FAIL();
  } catch (const ShapeError& e) {
    EXPECT_NE(std::string(e.what()).find("tiny"), std::string::npos);
  }
}

}  // namespace
}  // namespace sqt::data

namespace sqt::data {
namespace {

TEST(Standardize, TrainValuesGetMeanZeroDeviationOne) {
  Dataset train = tiny(1.0f / 256, 0.0f), test = tiny(1.0f / 256, 0.0f);
  test.pixels = {255, 0, 17, 3};
  test.count = 1;
  standardize(train, test);
  // Independent float64 moments of the raw values.
  double sum = 0, sum_sq = 0;
  for (std::uint8_t p : train.pixels) {
    sum += p / 256.0;
    sum_sq += (p / 256.0) * (p / 256.0);
  }
  const double n = static_cast<double>(train.pixels.size());
  const double mean = sum / n, sd = std::sqrt(sum_sq / n - mean * mean);
  std::vector<float> x(train.pixels.size());
  const std::vector<std::uint32_t> all = {0, 1, 2, 3};
  train.gather_float(all, x.data());
  double m = 0, v = 0;
  for (float f : x) m += f / n;
  for (float f : x) v += (f - m) * (f - m) / n;
  EXPECT_NEAR(m, 0.0, 1e-6);
  EXPECT_NEAR(v, 1.0, 1e-5);
  // The test set gets the training set's map.
  std::vector<float> t(4);
  const std::vector<std::uint32_t> first = {0};
  test.gather_float(first, t.data());
  EXPECT_NEAR(t[0], (255 / 256.0 - mean) / sd, 1e-5);
  EXPECT_NEAR(t[1], (0 - mean) / sd, 1e-5);
}

TEST(Standardize, ConstantImagesAreRefusedByName) {
  Dataset train = tiny(1.0f / 256, 0.0f), test = tiny(1.0f / 256, 0.0f);
  std::fill(train.pixels.begin(), train.pixels.end(), std::uint8_t{7});
  try {
    standardize(train, test);
    FAIL() << "no error";
  } catch (const ShapeError& e) {
    EXPECT_NE(std::string(e.what()).find("tiny"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace sqt::data
