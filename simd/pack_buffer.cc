// The process-wide free list behind internal::PackBuffer.
#include <cstdlib>
#include <mutex>
#include <new>
#include <utility>
#include <vector>

#include "simd/internal/gemm_args.h"

namespace sqt::simd::internal {
namespace {

struct FreeList {
  std::mutex mutex;
  std::vector<std::pair<std::uint64_t*, std::size_t>> buffers;  // (data, capacity in words)
  ~FreeList() {
    for (auto& b : buffers) std::free(b.first);
  }
};

FreeList& free_list() {
  static FreeList list;
  return list;
}

constexpr std::size_t kAlign = 64;
constexpr std::size_t kMaxKept = 16;  // buffers beyond this many are freed on release

}  // namespace

PackBuffer::PackBuffer(std::size_t words) : data_(nullptr), capacity_(0) {
  if (words == 0) words = 1;
  {
    FreeList& list = free_list();
    std::lock_guard<std::mutex> lock(list.mutex);
    // Smallest kept buffer that fits.
    std::size_t best = list.buffers.size();
    for (std::size_t i = 0; i < list.buffers.size(); ++i) {
      if (list.buffers[i].second >= words &&
          (best == list.buffers.size() || list.buffers[i].second < list.buffers[best].second)) {
        best = i;
      }
    }
    if (best != list.buffers.size()) {
      std::tie(data_, capacity_) = list.buffers[best];
      list.buffers.erase(list.buffers.begin() + static_cast<std::ptrdiff_t>(best));
      return;
    }
  }
  const std::size_t bytes = (words * sizeof(std::uint64_t) + kAlign - 1) / kAlign * kAlign;
  data_ = static_cast<std::uint64_t*>(std::aligned_alloc(kAlign, bytes));
  if (data_ == nullptr) throw std::bad_alloc();
  capacity_ = bytes / sizeof(std::uint64_t);
}

PackBuffer::~PackBuffer() {
  FreeList& list = free_list();
  std::lock_guard<std::mutex> lock(list.mutex);
  if (list.buffers.size() < kMaxKept) {
    list.buffers.emplace_back(data_, capacity_);
  } else {
    std::free(data_);
  }
}

}  // namespace sqt::simd::internal
