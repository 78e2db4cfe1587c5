#include "host/data/cifar10.h"

#include <string>

#include "host/core/error.h"
#include "host/data/compressed_file.h"
#include "host/data/idx_header.h"

namespace sqt::data {
namespace {

constexpr int kSide = 32;
constexpr int kPlane = kSide * kSide;
constexpr std::size_t kRecord = 1 + 3 * kPlane;
constexpr std::size_t kRecordsPerBatch = 10000;

[[noreturn]] void fail(const std::filesystem::path& path, const std::string& problem) {
  throw FileError("CIFAR-10 file " + path.string() + ": " + problem);
}

}  // namespace

Dataset read_cifar10_files(const std::vector<std::filesystem::path>& batches) {
  Dataset d;
  d.name = batches.empty() ? "cifar10" : batches.front().string();
  d.height = kSide;
  d.width = kSide;
  d.channels = 3;
  d.scale = 1.0f / 128.0f;
  d.offset = -1.0f;
  for (const auto& path : batches) {
    const auto bytes = read_maybe_gzip(path);
    if (bytes.size() != kRecordsPerBatch * kRecord)
      fail(path, "is " + std::to_string(bytes.size()) + " bytes (decompressed), expected " +
                     std::to_string(kRecordsPerBatch * kRecord) + " (10000 records of 3073 bytes)" +
                     (bytes.size() < kRecordsPerBatch * kRecord ? ": truncated" : ""));
    const std::size_t first = d.count;
    d.count += kRecordsPerBatch;
    d.pixels.resize(d.count * 3 * kPlane);
    d.labels.resize(d.count);
    for (std::size_t r = 0; r < kRecordsPerBatch; ++r) {
      const std::uint8_t* rec = bytes.data() + r * kRecord;
      if (rec[0] >= kNumClasses)
        fail(path,
             "record " + std::to_string(r) + " has label " + std::to_string(rec[0]) + ", expected 0..9");
      d.labels[first + r] = rec[0];
      // Planar CHW in the file, NHWC in memory.
      std::uint8_t* dst = d.pixels.data() + (first + r) * 3 * kPlane;
      const std::uint8_t* planes = rec + 1;
      for (int p = 0; p < kPlane; ++p) {
        dst[3 * p + 0] = planes[p];
        dst[3 * p + 1] = planes[kPlane + p];
        dst[3 * p + 2] = planes[2 * kPlane + p];
      }
    }
  }
  return d;
}

Dataset load_cifar10(const std::filesystem::path& dir, Split split) {
  std::vector<std::filesystem::path> files;
  if (split == Split::kTrain) {
    for (int b = 1; b <= 5; ++b)
      files.push_back(find_data_file(dir, "data_batch_" + std::to_string(b) + ".bin"));
  } else {
    files.push_back(find_data_file(dir, "test_batch.bin"));
  }
  Dataset d = read_cifar10_files(files);
  d.name = "cifar10/" + std::string(split == Split::kTrain ? "train" : "test") + " (" + dir.string() + ")";
  return d;
}

}  // namespace sqt::data
