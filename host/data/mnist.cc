#include "host/data/mnist.h"

#include <string>

#include "host/core/error.h"
#include "host/data/compressed_file.h"
#include "host/data/idx_header.h"

namespace sqt::data {
namespace {

constexpr std::uint32_t kImageMagic = 2051;
constexpr std::uint32_t kLabelMagic = 2049;
constexpr std::uint32_t kSide = 28;

[[noreturn]] void fail(const std::filesystem::path& path, const std::string& problem) {
  throw FileError("MNIST file " + path.string() + ": " + problem);
}

std::uint32_t check_header(const std::filesystem::path& path, const std::vector<std::uint8_t>& bytes,
                           std::uint32_t magic, std::size_t header_size) {
  if (bytes.size() < header_size)
    fail(path, "is " + std::to_string(bytes.size()) + " bytes, shorter than its " +
                   std::to_string(header_size) + "-byte IDX header");
  const std::uint32_t got = read_be32(bytes.data());
  if (got != magic)
    fail(path, "has magic number " + std::to_string(got) + ", expected " + std::to_string(magic) +
                   (got == kImageMagic + kLabelMagic - magic ? " (images and labels swapped?)" : ""));
  const std::uint32_t count = read_be32(bytes.data() + 4);
  if (count == 0) fail(path, "holds 0 samples");
  return count;
}

void check_size(const std::filesystem::path& path, std::size_t got, std::size_t expected) {
  if (got != expected)
    fail(path, "is " + std::to_string(got) + " bytes (decompressed) but its header implies " +
                   std::to_string(expected) + (got < expected ? " (truncated)" : " (trailing data)"));
}

}  // namespace

Dataset read_mnist_files(const std::filesystem::path& images, const std::filesystem::path& labels) {
  Dataset d;
  d.name = images.string();
  d.scale = 1.0f / 256.0f;
  d.offset = 0.0f;

  auto img = read_maybe_gzip(images);
  const std::uint32_t n = check_header(images, img, kImageMagic, 16);
  const std::uint32_t rows = read_be32(img.data() + 8), cols = read_be32(img.data() + 12);
  if (rows != kSide || cols != kSide)
    fail(images, "has images of " + std::to_string(rows) + "x" + std::to_string(cols) + ", expected 28x28");
  check_size(images, img.size(), 16 + std::size_t{n} * rows * cols);

  auto lab = read_maybe_gzip(labels);
  const std::uint32_t nl = check_header(labels, lab, kLabelMagic, 8);
  check_size(labels, lab.size(), 8 + std::size_t{nl});
  if (nl != n)
    fail(labels, "holds " + std::to_string(nl) + " labels but " + images.string() + " holds " +
                     std::to_string(n) + " images");
  for (std::size_t i = 0; i < n; ++i)
    if (lab[8 + i] >= kNumClasses)
      fail(labels, "label " + std::to_string(i) + " is " + std::to_string(lab[8 + i]) + ", expected 0..9");

  d.count = n;
  d.height = static_cast<int>(rows);
  d.width = static_cast<int>(cols);
  d.channels = 1;
  // Drop the headers in place instead of copying 47 MB.
  img.erase(img.begin(), img.begin() + 16);
  lab.erase(lab.begin(), lab.begin() + 8);
  d.pixels = std::move(img);
  d.labels = std::move(lab);
  return d;
}

Dataset load_mnist(const std::filesystem::path& dir, Split split) {
  const std::string prefix = split == Split::kTrain ? "train" : "t10k";
  const auto images = find_data_file(dir, prefix + "-images-idx3-ubyte");
  const auto labels = find_data_file(dir, prefix + "-labels-idx1-ubyte");
  Dataset d = read_mnist_files(images, labels);
  d.name = "mnist/" + std::string(split == Split::kTrain ? "train" : "test") + " (" + dir.string() + ")";
  return d;
}

}  // namespace sqt::data
