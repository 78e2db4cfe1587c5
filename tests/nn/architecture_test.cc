// The network table of DESIGN.md section 4, the initialisation and the batch order.
#include "host/nn/architecture.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <vector>

#include "host/core/error.h"
#include "host/nn/model_file.h"

namespace sqt::nn {
namespace {

TEST(Architecture, ParameterCountsMatchTheTable) {
  EXPECT_EQ(parameter_count(make_architecture("A")), 118282u);
  EXPECT_EQ(parameter_count(make_architecture("B")), 33542u);
  EXPECT_EQ(parameter_count(make_architecture("C")), 431080u);
  EXPECT_EQ(parameter_count(make_architecture("D")), 99240u);
  const auto alex = parameter_count(make_architecture("alexnet"));
  EXPECT_GT(alex, 3'800'000u);
  EXPECT_LT(alex, 4'000'000u);
  // cifar, by hand: convs 3*3*3*64+64 = 1,792; 3*3*64*96+96 = 55,392;
  // 3*3*96*96+96 = 83,040; 3*3*96*64+64 = 55,360; 3*3*64*64+64 = 36,928;
  // dense 1024*128+128 = 131,200; 128*256+256 = 33,024; 256*10+10 = 2,570.
  EXPECT_EQ(parameter_count(make_architecture("cifar")), 399306u);
}

// 32 -> conv pad 2 -> 34 -> pool 2 -> 17 -> conv pad 2 -> 19 -> pool 2 -> 9
// (floor) -> three convs pad 1 -> 9 -> pool 3 stride 2 -> 4: 4*4*64 = 1024.
TEST(Architecture, CifarShapesGiveA1024Flatten) {
  const auto arch = make_architecture("CIFAR");
  EXPECT_EQ(arch.name, "cifar");
  EXPECT_EQ(arch.input, (Shape{32, 32, 3}));
  const std::vector<Shape> want = {{34, 34, 64}, {17, 17, 64}, {17, 17, 64}, {19, 19, 96}, {9, 9, 96},
                                   {9, 9, 96},   {9, 9, 96},   {9, 9, 96},   {9, 9, 64},   {9, 9, 64},
                                   {9, 9, 64},   {4, 4, 64},   {4, 4, 64},   {1, 1, 1024}, {1, 1, 128},
                                   {1, 1, 128},  {1, 1, 256},  {1, 1, 256},  {1, 1, 10}};
  EXPECT_EQ(layer_output_shapes(arch), want);
  std::vector<int> convs;
  for (const auto& l : arch.layers)
    if (l.kind == LayerKind::kConv) {
      EXPECT_EQ(l.kernel, 3);
      EXPECT_EQ(l.stride, 1);
      convs.push_back(l.out);
    }
  EXPECT_EQ(convs, (std::vector<int>{64, 96, 96, 64, 64}));
  // Every conv and hidden dense layer is followed by a ReLU (after its pool).
  for (std::size_t i = 0; i + 1 < arch.layers.size(); ++i) {
    const auto k = arch.layers[i].kind;
    if (k != LayerKind::kConv && k != LayerKind::kDense) continue;
    std::size_t j = i + 1;
    while (arch.layers[j].kind == LayerKind::kMaxPool) ++j;
    EXPECT_EQ(arch.layers[j].kind, LayerKind::kRelu) << "layer " << i;
  }
}

TEST(Architecture, ShapesFollowTheTable) {
  const auto c = layer_output_shapes(make_architecture("C"));
  EXPECT_EQ(c[0], (Shape{24, 24, 20}));
  EXPECT_EQ(c[1], (Shape{12, 12, 20}));
  EXPECT_EQ(c[3], (Shape{8, 8, 50}));
  EXPECT_EQ(c[6], (Shape{1, 1, 800}));
  const auto d = layer_output_shapes(make_architecture("D"));
  EXPECT_EQ(d[0], (Shape{14, 14, 5}));
  for (const auto& name : architecture_names())
    EXPECT_EQ(layer_output_shapes(make_architecture(name)).back(), (Shape{1, 1, 10})) << name;
}

TEST(Architecture, UnknownNameIsAConfigError) { EXPECT_THROW(make_architecture("E"), ConfigError); }

TEST(Architecture, GlorotIsSeededBoundedAndZeroBias) {
  const auto arch = make_architecture("B");
  const auto a = glorot_init(arch, 5), b = glorot_init(arch, 5), c = glorot_init(arch, 6);
  EXPECT_EQ(a[0].weight, b[0].weight);
  EXPECT_NE(a[0].weight, c[0].weight);
  const double limit = std::sqrt(6.0 / (25 + 25 * 16));
  double mx = 0, mean = 0;
  for (double w : a[0].weight) mx = std::max(mx, std::abs(w)), mean += w;
  EXPECT_LE(mx, limit);
  EXPECT_GT(mx, 0.9 * limit);
  EXPECT_LT(std::abs(mean / a[0].weight.size()), 0.05 * limit * 4);
  for (const auto& l : a)
    for (double v : l.bias) EXPECT_EQ(v, 0.0);
}

TEST(Architecture, EpochOrderIsASeededPermutation) {
  const auto o = epoch_order(1000, 3, 0);
  EXPECT_EQ(std::set<std::uint32_t>(o.begin(), o.end()).size(), 1000u);
  EXPECT_EQ(*std::max_element(o.begin(), o.end()), 999u);
  EXPECT_EQ(o, epoch_order(1000, 3, 0));
  EXPECT_NE(o, epoch_order(1000, 3, 1));
  EXPECT_NE(o, epoch_order(1000, 4, 0));
}

TEST(ModelFile, RoundTripsAndRejectsMismatch) {
  const auto arch = make_architecture("D");
  const auto params = glorot_init(arch, 9);
  const std::string path = ::testing::TempDir() + "/model_d.sqtm";
  write_model_file(path, arch, params, {0.0123, -0.42});
  const auto m = read_model_file(path);
  EXPECT_EQ(m.arch.name, "D");
  ASSERT_EQ(m.params.size(), params.size());
  for (std::size_t i = 0; i < params.size(); ++i) EXPECT_EQ(m.params[i].weight, params[i].weight);
  ASSERT_TRUE(m.input.has_value());
  EXPECT_EQ(m.input->scale, 0.0123);
  EXPECT_EQ(m.input->offset, -0.42);
  EXPECT_THROW(read_model_file(path + ".missing"), FileError);
}

// Version 1 files (before the input map) still load, without a map; a zero
// scale is refused by name.
TEST(ModelFile, ReadsVersionOneAndRefusesABadInputMap) {
  const auto arch = make_architecture("A");
  const auto params = glorot_init(arch, 2);
  const std::string path = ::testing::TempDir() + "/model_a.sqtm";
  write_model_file(path, arch, params, {1.0 / 256, 0.0});
  std::string bytes;
  {
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  // magic (8), version (4), name length (4), name "A" (1), map (16).
  std::string v1 = bytes;
  v1[8] = 1;
  v1.erase(17, 16);
  const std::string v1_path = path + ".v1";
  std::ofstream(v1_path, std::ios::binary) << v1;
  const auto m = read_model_file(v1_path);
  EXPECT_FALSE(m.input.has_value());
  EXPECT_EQ(m.params[1].weight, params[1].weight);
  std::string zero = bytes;
  std::fill(zero.begin() + 17, zero.begin() + 25, '\0');
  std::ofstream(v1_path, std::ios::binary) << zero;
  try {
    read_model_file(v1_path);
    FAIL() << "no error";
  } catch (const FileError& e) {
    EXPECT_NE(std::string(e.what()).find("bad input map"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace sqt::nn
