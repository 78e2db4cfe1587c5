#include "host/net/frame.h"

#include <fmt/core.h>
#include <sys/mman.h>

#include <algorithm>
#include <cstring>
#include <new>
#include <utility>

namespace sqt::net {
namespace {

constexpr std::array<std::byte, 4> kMagic{std::byte{'S'}, std::byte{'Q'}, std::byte{'T'}, std::byte{'F'}};
constexpr std::size_t kHugePageBytes = std::size_t{2} << 20;

}  // namespace

FrameHeaderBytes encode_frame_header(FrameHeader header) {
  FrameHeaderBytes out{};
  std::memcpy(out.data(), kMagic.data(), kMagic.size());
  out[4] = std::byte{kWireVersion};
  out[5] = std::byte{static_cast<std::uint8_t>(header.type)};
  for (int i = 0; i < 8; ++i) out[8 + i] = std::byte{static_cast<std::uint8_t>(header.length >> (8 * i))};
  return out;
}

FrameHeader parse_frame_header(std::span<const std::byte, kFrameHeaderBytes> bytes,
                               std::uint64_t max_frame_bytes) {
  if (std::memcmp(bytes.data(), kMagic.data(), kMagic.size()) != 0) {
    throw FrameError("bad frame header: magic is not \"SQTF\" (stream out of step or not an SQT peer)");
  }
  const auto version = std::to_integer<std::uint8_t>(bytes[4]);
  if (version != kWireVersion) {
    throw FrameError(fmt::format("bad frame header: wire version {} (this build speaks {})", version,
                                 static_cast<int>(kWireVersion)));
  }
  if (bytes[6] != std::byte{0} || bytes[7] != std::byte{0}) {
    throw FrameError("bad frame header: reserved bytes are not zero");
  }
  std::uint64_t length = 0;
  for (int i = 0; i < 8; ++i) length |= std::uint64_t{std::to_integer<std::uint8_t>(bytes[8 + i])} << (8 * i);

  FrameHeader header{FrameType::kData, length};
  const auto type = std::to_integer<std::uint8_t>(bytes[5]);
  switch (type) {
    case static_cast<std::uint8_t>(FrameType::kHello):
      header.type = FrameType::kHello;
      if (length != kHelloPayloadBytes) {
        throw FrameError(fmt::format("bad HELLO frame: length {} (expected {})", length, kHelloPayloadBytes));
      }
      break;
    case static_cast<std::uint8_t>(FrameType::kData):
      header.type = FrameType::kData;
      if (length > max_frame_bytes) {
        throw FrameError(fmt::format("oversized DATA frame: {} bytes (limit max_frame_bytes = {})", length,
                                     max_frame_bytes));
      }
      break;
    case static_cast<std::uint8_t>(FrameType::kAbort):
      header.type = FrameType::kAbort;
      if (length > kMaxAbortReasonBytes) {
        throw FrameError(
            fmt::format("oversized ABORT frame: {} bytes (limit {})", length, kMaxAbortReasonBytes));
      }
      break;
    case static_cast<std::uint8_t>(FrameType::kBye):
      header.type = FrameType::kBye;
      if (length != 0) throw FrameError(fmt::format("bad BYE frame: length {} (expected 0)", length));
      break;
    default:
      throw FrameError(fmt::format("bad frame header: unknown frame type {}", type));
  }
  return header;
}

HelloPayloadBytes encode_hello_payload(HelloPayload hello) {
  HelloPayloadBytes out{};
  for (int i = 0; i < 4; ++i) {
    out[i] = std::byte{static_cast<std::uint8_t>(hello.party >> (8 * i))};
    out[4 + i] = std::byte{static_cast<std::uint8_t>(hello.parties >> (8 * i))};
  }
  return out;
}

HelloPayload parse_hello_payload(std::span<const std::byte, kHelloPayloadBytes> bytes) {
  HelloPayload hello;
  for (int i = 0; i < 4; ++i) {
    hello.party |= std::uint32_t{std::to_integer<std::uint8_t>(bytes[i])} << (8 * i);
    hello.parties |= std::uint32_t{std::to_integer<std::uint8_t>(bytes[4 + i])} << (8 * i);
  }
  return hello;
}

const char* frame_type_name(FrameType type) {
  switch (type) {
    case FrameType::kHello:
      return "HELLO";
    case FrameType::kData:
      return "DATA";
    case FrameType::kAbort:
      return "ABORT";
    case FrameType::kBye:
      return "BYE";
  }
  return "UNKNOWN";
}

}  // namespace sqt::net

namespace sqt::net {

FrameBuffer::FrameBuffer(std::size_t capacity) {
  if (capacity == 0) return;
  if (capacity >= kMappedFrameBytes) {
    const std::size_t bytes = (capacity + kHugePageBytes - 1) / kHugePageBytes * kHugePageBytes;
    void* p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
    ::madvise(p, bytes, MADV_HUGEPAGE);  // best effort: without THP this is 4 KiB pages
    data_ = static_cast<std::byte*>(p);
    capacity_ = bytes;
    mapped_ = true;
    // Pages are not touched here: a frame that switches to the caller's
    // buffer after its first chunk then costs only that chunk's pages.
  } else {
    data_ = new std::byte[capacity];
    capacity_ = capacity;
  }
}

FrameBuffer::~FrameBuffer() { release(); }

void FrameBuffer::release() {
  if (data_ == nullptr) return;
  if (mapped_) {
    ::munmap(data_, capacity_);
  } else {
    delete[] data_;
  }
  data_ = nullptr;
  size_ = capacity_ = 0;
  mapped_ = false;
}

FrameBuffer::FrameBuffer(FrameBuffer&& o) noexcept
    : data_(std::exchange(o.data_, nullptr)),
      size_(std::exchange(o.size_, 0)),
      capacity_(std::exchange(o.capacity_, 0)),
      mapped_(std::exchange(o.mapped_, false)) {}

FrameBuffer& FrameBuffer::operator=(FrameBuffer&& o) noexcept {
  if (this != &o) {
    release();
    data_ = std::exchange(o.data_, nullptr);
    size_ = std::exchange(o.size_, 0);
    capacity_ = std::exchange(o.capacity_, 0);
    mapped_ = std::exchange(o.mapped_, false);
  }
  return *this;
}

void FrameBuffer::set_size(std::size_t n) {
  if (n > capacity_) {
    throw NetError(fmt::format("frame buffer: size {} exceeds capacity {}", n, capacity_));
  }
  size_ = n;
}

FrameBuffer FramePool::acquire(std::size_t size) {
  // Small frames never take a large buffer (a large frame may follow them).
  const bool small = size < FrameBuffer::kMappedFrameBytes;
  auto best = buffers_.end();
  for (auto it = buffers_.begin(); it != buffers_.end(); ++it) {
    if (it->capacity() < size || (small && it->capacity() >= FrameBuffer::kMappedFrameBytes)) continue;
    if (best == buffers_.end() || it->capacity() < best->capacity()) best = it;
  }
  FrameBuffer out;
  if (best != buffers_.end()) {
    out = std::move(*best);
    buffers_.erase(best);
  } else {
    if (!buffers_.empty() && !small) {
      // Every pooled buffer is too small: drop the largest, it is replaced.
      buffers_.erase(std::max_element(buffers_.begin(), buffers_.end(), [](const auto& a, const auto& b) {
        return a.capacity() < b.capacity();
      }));
    }
    out = FrameBuffer(size);
  }
  out.set_size(size);
  return out;
}

void FramePool::release(FrameBuffer buffer) {
  if (buffer.capacity() == 0) return;
  buffers_.push_back(std::move(buffer));
  if (buffers_.size() > max_buffers_) {
    buffers_.erase(std::min_element(buffers_.begin(), buffers_.end(), [](const auto& a, const auto& b) {
      return a.capacity() < b.capacity();
    }));
  }
}

std::size_t FramePool::pooled_bytes() const {
  std::size_t total = 0;
  for (const auto& b : buffers_) total += b.capacity();
  return total;
}

}  // namespace sqt::net
