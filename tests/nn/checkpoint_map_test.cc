// Checkpoint version 4: the input map's vector group survives a write and a
// read, a version 3 file (written byte by byte here) loads without a map, a
// network file's long path fits, and an index past the vectors is refused.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

#include "host/core/error.h"
#include "host/nn/checkpoint.h"

namespace sqt::nn {
namespace {

std::string temp(const std::string& name) { return ::testing::TempDir() + "/sqt_ckpt_map_" + name; }

CheckpointData sample() {
  CheckpointData d;
  d.model = "/a/long/path/to/" + std::string(200, 'x') + ".toml";
  d.seed = 9;
  d.epochs_done = 2;
  d.optimizer_steps = 40;
  d.components = 2;
  d.vectors = {{1, 2, 3}, {4, 5, 6}, {7, 8}, {9, 10}};  // parameters, then the map
  d.input_map = 1;
  return d;
}

TEST(CheckpointMap, RoundTripsTheInputMapGroup) {
  const std::string p = temp("v4.ckpt");
  std::filesystem::remove(p);
  write_checkpoint(p, sample());
  const CheckpointData back = read_checkpoint(p);
  EXPECT_EQ(back.model, sample().model);
  EXPECT_EQ(back.input_map, 1);
  EXPECT_EQ(back.vectors, sample().vectors);
}

TEST(CheckpointMap, VersionThreeLoadsWithoutAMap) {
  std::string b = "SQTCKPT3";
  auto put = [&](auto v) { b.append(reinterpret_cast<const char*>(&v), sizeof v); };
  put(std::uint32_t{1});
  b += "A";
  put(std::uint64_t{9});
  put(std::int64_t{1});
  put(std::int64_t{5});
  put(std::int32_t{1});
  put(std::int32_t{64});
  put(std::uint64_t{1});
  put(std::uint64_t{2});
  put(std::uint64_t{11});
  put(std::uint64_t{12});
  const std::string p = temp("v3.ckpt");
  std::ofstream(p, std::ios::binary) << b;
  const CheckpointData d = read_checkpoint(p);
  EXPECT_EQ(d.model, "A");
  EXPECT_EQ(d.input_map, -1);
  ASSERT_EQ(d.vectors.size(), 1u);
  EXPECT_EQ(d.vectors[0], (std::vector<Ring>{11, 12}));
}

TEST(CheckpointMap, AnIndexPastTheVectorsIsRefused) {
  CheckpointData d = sample();
  d.input_map = 2;  // groups 0 and 1 exist
  const std::string p = temp("bad.ckpt");
  std::filesystem::remove(p);
  write_checkpoint(p, d);
  try {
    read_checkpoint(p);
    ADD_FAILURE() << "index 2 of 2 groups accepted";
  } catch (const FileError& e) {
    EXPECT_NE(std::string(e.what()).find("bad input map index"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace sqt::nn
