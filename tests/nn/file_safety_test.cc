// Checkpoints and exported models hold a party's shares or the revealed
// model: written with mode 0600, atomically (no partial file after a failed
// write, the old file kept), never through a symlink at the destination or
// at a temporary name, and unaffected by leftovers of an earlier write.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <string>
#include <vector>

#include "host/core/error.h"
#include "host/nn/architecture.h"
#include "host/nn/checkpoint.h"
#include "host/nn/model_file.h"
#include "tests/common/size_limited_write.h"

namespace sqt::nn {
namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void spit(const fs::path& p, const std::string& text) { std::ofstream(p, std::ios::binary) << text; }

// One kind of secret file: how to write it (large enough to pass 64 KiB) and
// how to check that what is at a path is a complete, readable one.
struct Kind {
  std::string name;
  std::function<void(const std::string&)> write;
  std::function<void(const std::string&)> expect_valid;
};

CheckpointData sample_checkpoint() {
  CheckpointData d;
  d.model = "A";
  d.seed = 7;
  d.epochs_done = 2;
  d.optimizer_steps = 900;
  d.components = 2;
  d.vectors = {std::vector<Ring>(20000, 0x1234), std::vector<Ring>(3, 5)};
  return d;
}

std::vector<Kind> kinds() {
  const Architecture arch = make_architecture("A");
  const ModelParams params = glorot_init(arch, 3);
  return {
      {"checkpoint", [](const std::string& p) { write_checkpoint(p, sample_checkpoint()); },
       [](const std::string& p) {
         const CheckpointData d = read_checkpoint(p);
         EXPECT_EQ(d.vectors, sample_checkpoint().vectors);
         EXPECT_EQ(d.optimizer_steps, 900);
       }},
      {"model",
       [arch, params](const std::string& p) {
         write_model_file(p, arch, params, {1.0 / 255, 0});
       },
       [params](const std::string& p) { EXPECT_EQ(read_model_file(p).params[0].weight, params[0].weight); }},
  };
}

class SecretFiles : public ::testing::TestWithParam<int> {
 protected:
  void SetUp() override {
    kind_ = kinds()[static_cast<std::size_t>(GetParam())];
    dir_ = fs::path(::testing::TempDir()) /
           ("sqt_secret_files_" + kind_.name + "_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    path_ = (dir_ / "out.bin").string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Every name in the folder, sorted.
  std::vector<std::string> listing() const {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir_)) names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
  }

  Kind kind_;
  fs::path dir_;
  std::string path_;
};

TEST_P(SecretFiles, ModeIs0600WhateverTheUmask) {
  const mode_t old = ::umask(022);
  kind_.write(path_);
  ::umask(old);
  struct stat st {};
  ASSERT_EQ(::stat(path_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u) << kind_.name;
  kind_.expect_valid(path_);
  EXPECT_EQ(listing(), std::vector<std::string>{"out.bin"});
}

TEST_P(SecretFiles, ASymlinkAtTheDestinationIsRefusedByName) {
  const fs::path victim = dir_ / "victim";
  spit(victim, "keep me");
  fs::create_symlink(victim, path_);
  try {
    kind_.write(path_);
    ADD_FAILURE() << kind_.name << ": wrote through a symlink";
  } catch (const FileError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find(path_), std::string::npos) << msg;
    EXPECT_NE(msg.find("symbolic link"), std::string::npos) << msg;
  }
  EXPECT_EQ(slurp(victim), "keep me");
  EXPECT_TRUE(fs::is_symlink(path_));
  EXPECT_EQ(listing(), (std::vector<std::string>{"out.bin", "victim"}));
}

TEST_P(SecretFiles, LeftoversOfAnEarlierWriteDoNotBreakAWrite) {
  // What a crashed writer or an older version may leave: its temporary name
  // as a folder, or as a link to another file (never followed).
  fs::create_directories(path_ + ".tmp");
  const fs::path victim = dir_ / "victim";
  spit(victim, "keep me");
  fs::create_symlink(victim, path_ + ".tmp-0000000000000000");
  kind_.write(path_);
  kind_.expect_valid(path_);
  EXPECT_FALSE(fs::is_symlink(path_));
  EXPECT_EQ(slurp(victim), "keep me");
  kind_.write(path_);  // and again over the previous file
  kind_.expect_valid(path_);
}

TEST_P(SecretFiles, AFailedWriteLeavesNoPartialFileAndKeepsTheOldOne) {
  kind_.write(path_);
  const std::string before = slurp(path_);
  // Files may not grow past 16 KiB, so the write fails midway.
  EXPECT_TRUE(test::write_fails_under_file_size_limit(16384, [&] { kind_.write(path_); }))
      << kind_.name << ": the write did not report the failure";
  EXPECT_EQ(listing(), std::vector<std::string>{"out.bin"}) << kind_.name << ": a partial file was left";
  EXPECT_EQ(slurp(path_), before);
}

INSTANTIATE_TEST_SUITE_P(CheckpointAndModel, SecretFiles, ::testing::Values(0, 1),
                         [](const ::testing::TestParamInfo<int>& info) { return kinds()[info.param].name; });

}  // namespace
}  // namespace sqt::nn
