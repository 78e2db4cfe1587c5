// Wire framing of the party network: every frame is a fixed 16-byte header
// followed by `length` payload bytes.
//
//   bytes 0..3   magic "SQTF"
//   byte  4      wire version (kWireVersion)
//   byte  5      frame type (FrameType)
//   bytes 6..7   reserved, zero
//   bytes 8..15  payload length, little-endian u64
//
// The parsers are pure functions so they can be fuzzed (fuzz/frame_fuzzer.cc,
// fuzz/hello_fuzzer.cc).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "host/core/error.h"

namespace sqt::net {

inline constexpr std::size_t kFrameHeaderBytes = 16;
inline constexpr std::uint8_t kWireVersion = 1;
inline constexpr std::size_t kMaxAbortReasonBytes = 4096;
inline constexpr std::size_t kHelloPayloadBytes = 8;  // u32 party id, u32 number of parties

enum class FrameType : std::uint8_t {
  kHello = 1,  // first frame on every stream: who is speaking, how many parties
  kData = 2,   // one send() of the protocol
  kAbort = 3,  // the sender ends the session; payload is the reason (UTF-8)
  kBye = 4,    // the sender finished normally and will send nothing more
};

struct FrameHeader {
  FrameType type = FrameType::kData;
  std::uint64_t length = 0;
};

// A header that is not a valid frame; what() describes the problem (the
// caller adds which peer sent it).
class FrameError : public NetError {
 public:
  using NetError::NetError;
};

using FrameHeaderBytes = std::array<std::byte, kFrameHeaderBytes>;

FrameHeaderBytes encode_frame_header(FrameHeader header);

// Validates magic, version, type, reserved bytes and the length (data frames
// up to max_frame_bytes, fixed or bounded sizes for the control frames).
FrameHeader parse_frame_header(std::span<const std::byte, kFrameHeaderBytes> bytes,
                               std::uint64_t max_frame_bytes);

const char* frame_type_name(FrameType type);

// The payload of a HELLO frame: the sender's party id and the number of
// parties of its session, each a little-endian u32. Any 8 bytes decode; the
// caller checks the values against its own session.
struct HelloPayload {
  std::uint32_t party = 0;
  std::uint32_t parties = 0;
};
using HelloPayloadBytes = std::array<std::byte, kHelloPayloadBytes>;
HelloPayloadBytes encode_hello_payload(HelloPayload hello);
HelloPayload parse_hello_payload(std::span<const std::byte, kHelloPayloadBytes> bytes);

// Uninitialised storage for a frame that arrived before its recv(). Buffers
// of kMappedFrameBytes or more are anonymous mappings advised to use
// transparent huge pages: a page fault is very expensive in a virtual
// machine, and this takes one per 2 MiB instead of one per 4 KiB (the first
// use of fresh memory still costs its zeroing, hence FramePool). Smaller ones
// come from the heap. Move-only.
class FrameBuffer {
 public:
  static constexpr std::size_t kMappedFrameBytes = std::size_t{1} << 20;

  FrameBuffer() = default;
  explicit FrameBuffer(std::size_t capacity);
  ~FrameBuffer();
  FrameBuffer(FrameBuffer&& o) noexcept;
  FrameBuffer& operator=(FrameBuffer&& o) noexcept;
  FrameBuffer(const FrameBuffer&) = delete;
  FrameBuffer& operator=(const FrameBuffer&) = delete;

  std::byte* data() { return data_; }
  const std::byte* data() const { return data_; }
  std::size_t size() const { return size_; }  // bytes of the frame held
  std::size_t capacity() const { return capacity_; }
  void set_size(std::size_t n);  // n <= capacity()

 private:
  void release();
  std::byte* data_ = nullptr;
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;
  bool mapped_ = false;
};

// Keeps the buffers of consumed frames for later frames of one connection,
// so a long session touches fresh memory only while its largest frames
// first arrive. Not thread-safe (the connection's lock guards it).
class FramePool {
 public:
  explicit FramePool(std::size_t max_buffers = 4) : max_buffers_(max_buffers) {}

  // A buffer holding `size` bytes (size() == size): the smallest pooled one
  // that fits (frames under kMappedFrameBytes only take small ones),
  // otherwise a new one; a new large one replaces the largest pooled one.
  FrameBuffer acquire(std::size_t size);
  // Returns a buffer; beyond max_buffers the smallest is freed.
  void release(FrameBuffer buffer);

  std::size_t pooled() const { return buffers_.size(); }
  std::size_t pooled_bytes() const;

 private:
  std::size_t max_buffers_;
  std::vector<FrameBuffer> buffers_;
};

}  // namespace sqt::net
