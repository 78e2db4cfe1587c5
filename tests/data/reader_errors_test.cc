// Wrong, truncated and missing files give a FileError that names the file
// and the problem. All inputs are small synthetic files written here.
#include <gtest/gtest.h>

#include "host/core/error.h"
#include "host/data/cifar10.h"
#include "host/data/mnist.h"
#include "tests/data/test_files.h"

namespace sqt::data {
namespace {

using namespace testing;

// Expects a FileError whose message names `file` and contains `problem`.
template <class F>
void expect_file_error(F&& f, const std::filesystem::path& file, const std::string& problem) {
  try {
    f();
    FAIL() << "no FileError for " << file;
  } catch (const FileError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find(file.string()), std::string::npos) << msg;
    EXPECT_NE(msg.find(problem), std::string::npos) << msg;
  }
}

class MnistErrors : public ::testing::Test {
 protected:
  TempDir tmp;
  std::filesystem::path images = tmp.path() / "img.idx3";
  std::filesystem::path labels = tmp.path() / "lab.idx1";
  void good_labels(std::uint32_t n) { write_bytes(labels, idx_labels(2049, n, n)); }
};

TEST_F(MnistErrors, SmallValidFilesReadInBothEncodings) {
  write_bytes(images, idx_images(2051, 3, 28, 28, 3 * 784));
  write_gzip(labels, idx_labels(2049, 3, 3));
  const Dataset d = read_mnist_files(images, labels);
  ASSERT_EQ(d.count, 3u);
  EXPECT_EQ(d.labels[2], 2);
  EXPECT_EQ(d.pixels[784 + 5], static_cast<std::uint8_t>(((784 + 5) * 7) % 256));
}

TEST_F(MnistErrors, WrongMagic) {
  write_bytes(images, idx_images(2049, 3, 28, 28, 3 * 784));
  good_labels(3);
  expect_file_error([&] { read_mnist_files(images, labels); }, images, "magic number 2049, expected 2051");
}

TEST_F(MnistErrors, SwappedFiles) {
  write_bytes(images, idx_images(2051, 3, 28, 28, 3 * 784));
  good_labels(10);  // long enough to pass for an image header
  expect_file_error([&] { read_mnist_files(labels, images); }, labels, "swapped");
}

TEST_F(MnistErrors, TruncatedImages) {
  write_bytes(images, idx_images(2051, 3, 28, 28, 3 * 784 - 1));
  good_labels(3);
  expect_file_error([&] { read_mnist_files(images, labels); }, images, "truncated");
}

TEST_F(MnistErrors, TrailingData) {
  write_bytes(images, idx_images(2051, 3, 28, 28, 3 * 784 + 10));
  good_labels(3);
  expect_file_error([&] { read_mnist_files(images, labels); }, images, "trailing data");
}

TEST_F(MnistErrors, ShorterThanHeader) {
  write_bytes(images, {0, 0, 8});
  good_labels(3);
  expect_file_error([&] { read_mnist_files(images, labels); }, images, "shorter than its 16-byte IDX header");
}

TEST_F(MnistErrors, WrongDimensions) {
  write_bytes(images, idx_images(2051, 3, 32, 28, 3 * 32 * 28));
  good_labels(3);
  expect_file_error([&] { read_mnist_files(images, labels); }, images, "32x28, expected 28x28");
}

TEST_F(MnistErrors, CountsDisagree) {
  write_bytes(images, idx_images(2051, 3, 28, 28, 3 * 784));
  good_labels(4);
  expect_file_error([&] { read_mnist_files(images, labels); }, labels, "4 labels but");
}

TEST_F(MnistErrors, LabelOutOfRange) {
  write_bytes(images, idx_images(2051, 3, 28, 28, 3 * 784));
  auto lab = idx_labels(2049, 3, 3);
  lab.back() = 10;
  write_bytes(labels, lab);
  expect_file_error([&] { read_mnist_files(images, labels); }, labels, "label 2 is 10");
}

TEST_F(MnistErrors, TruncatedGzipStream) {
  const auto gz_path = tmp.path() / "whole.gz";
  write_gzip(gz_path, idx_images(2051, 50, 28, 28, 50 * 784));
  std::ifstream in(gz_path, std::ios::binary);
  std::vector<std::uint8_t> gz((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  gz.resize(gz.size() / 2);
  write_bytes(images, gz);
  good_labels(50);
  expect_file_error([&] { read_mnist_files(images, labels); }, images, "gzip stream is truncated");
}

TEST_F(MnistErrors, CorruptGzipStream) {
  std::vector<std::uint8_t> junk = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
  write_bytes(images, junk);
  good_labels(3);
  expect_file_error([&] { read_mnist_files(images, labels); }, images, "gzip stream is corrupt");
}

TEST_F(MnistErrors, MissingFile) {
  good_labels(3);
  expect_file_error([&] { read_mnist_files(images, labels); }, images, "does not exist");
  expect_file_error([&] { load_mnist(tmp.path(), Split::kTest); }, tmp.path() / "t10k-images-idx3-ubyte.gz",
                    "does not exist");
}

std::vector<std::uint8_t> cifar_batch(std::size_t records) {
  std::vector<std::uint8_t> v(records * 3073);
  for (std::size_t r = 0; r < records; ++r) {
    v[r * 3073] = static_cast<std::uint8_t>(r % 10);
    for (std::size_t k = 1; k < 3073; ++k) v[r * 3073 + k] = static_cast<std::uint8_t>((r + k) % 251);
  }
  return v;
}

TEST(CifarErrors, SyntheticBatchTransposesToNhwc) {
  TempDir tmp;
  const auto path = tmp.path() / "b.bin.gz";
  const auto bytes = cifar_batch(10000);
  write_gzip(path, bytes);
  const Dataset d = read_cifar10_files({path});
  ASSERT_EQ(d.count, 10000u);
  const std::size_t r = 777, y = 5, x = 9, c = 2;
  EXPECT_EQ(d.pixels[r * 3072 + (y * 32 + x) * 3 + c], bytes[r * 3073 + 1 + c * 1024 + y * 32 + x]);
  EXPECT_EQ(d.labels[r], 7);
}

TEST(CifarErrors, TruncatedBatch) {
  TempDir tmp;
  const auto path = tmp.path() / "short.bin";
  auto bytes = cifar_batch(10000);
  bytes.resize(bytes.size() - 100);
  write_bytes(path, bytes);
  expect_file_error([&] { read_cifar10_files({path}); }, path, "truncated");
}

TEST(CifarErrors, BadLabel) {
  TempDir tmp;
  const auto path = tmp.path() / "bad.bin";
  auto bytes = cifar_batch(10000);
  bytes[3 * 3073] = 200;
  write_bytes(path, bytes);
  expect_file_error([&] { read_cifar10_files({path}); }, path, "record 3 has label 200");
}

TEST(CifarErrors, MissingBatch) {
  TempDir tmp;
  expect_file_error([&] { load_cifar10(tmp.path(), Split::kTrain); }, tmp.path() / "data_batch_1.bin.gz",
                    "does not exist");
}

}  // namespace
}  // namespace sqt::data
