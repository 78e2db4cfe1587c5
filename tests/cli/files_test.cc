// Files with secrets as the operator's commands write them: `sqt train`
// with all parties on this machine gives each party its own private
// checkpoint folder, and `sqt keys` never writes a key through a symlink.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "tests/cli/run_sqt.h"

namespace sqt::cli_test {
namespace {

namespace fs = std::filesystem;

std::string be32(std::uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
          static_cast<char>(v)};
}

// A small MNIST-format dataset (uncompressed IDX): n images of 28x28.
void write_mnist(const std::string& dir, const std::string& prefix, std::uint32_t n) {
  std::string images = be32(2051) + be32(n) + be32(28) + be32(28), labels = be32(2049) + be32(n);
  for (std::uint32_t i = 0; i < n; ++i) {
    for (int p = 0; p < 28 * 28; ++p) images += static_cast<char>((i * 37 + p * 11) % 256);
    labels += static_cast<char>(i % 10);
  }
  write_file(dir + "/" + prefix + "-images-idx3-ubyte", images);
  write_file(dir + "/" + prefix + "-labels-idx1-ubyte", labels);
}

unsigned mode_of(const std::string& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0 ? st.st_mode & 07777 : 0;
}

using FilesTest = TempDirTest;

TEST_F(FilesTest, LocalPartiesGetTheirOwnPrivateCheckpointFolders) {
  const std::string data = path("mnist"), ckpt = path("ckpt");
  fs::create_directories(data);
  write_mnist(data, "train", 64);
  write_mnist(data, "t10k", 16);
  const auto r = sqt({"train", "--model", "A", "--epochs", "1", "--batch", "32", "--max-batches", "1",
                      "--eval-batch", "16", "--quiet", "--data", data, "--checkpoint", ckpt});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  // ckpt/party-<i>/party-<i>.ckpt, folder 0700, file 0600, nothing else.
  std::vector<std::string> top;
  for (const auto& e : fs::directory_iterator(ckpt)) top.push_back(e.path().filename().string());
  std::sort(top.begin(), top.end());
  EXPECT_EQ(top, (std::vector<std::string>{"party-0", "party-1", "party-2"})) << r.output;
  for (int i = 0; i < 3; ++i) {
    const std::string folder = ckpt + "/party-" + std::to_string(i);
    EXPECT_EQ(mode_of(folder), 0700u) << folder;
    std::vector<std::string> inside;
    for (const auto& e : fs::directory_iterator(folder)) inside.push_back(e.path().filename().string());
    EXPECT_EQ(inside, std::vector<std::string>{"party-" + std::to_string(i) + ".ckpt"}) << folder;
    EXPECT_EQ(mode_of(folder + "/party-" + std::to_string(i) + ".ckpt"), 0600u);
  }
}

TEST_F(FilesTest, KeysRefuseASymlinkWhereAKeyGoes) {
  const std::string out = path("keys"), victim = path("victim");
  fs::create_directories(out);
  write_file(victim, "keep me");
  fs::create_symlink(victim, out + "/party-0.key");
  const auto r = sqt({"keys", "--parties", "3", "--out", out});
  EXPECT_NE(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find(out + "/party-0.key"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("symbolic link"), std::string::npos) << r.output;
  EXPECT_EQ(read_file(victim), "keep me");
}

}  // namespace
}  // namespace sqt::cli_test
