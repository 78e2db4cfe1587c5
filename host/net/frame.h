// Wire framing of the party network: every frame is a fixed 16-byte header
// followed by `length` payload bytes.
//
//   bytes 0..3   magic "SQTF"
//   byte  4      wire version (kWireVersion)
//   byte  5      frame type (FrameType)
//   bytes 6..7   reserved, zero
//   bytes 8..15  payload length, little-endian u64
//
// The parser is a pure function so it can be fuzzed (fuzz/frame_fuzzer.cc).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

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

}  // namespace sqt::net
