// libFuzzer target for the frame header parser (host/net/frame.h).
// Input: 16 header bytes, then optionally 8 bytes of max_frame_bytes.
// Invariants: the parser either throws FrameError or returns a header that
// re-encodes to exactly the input bytes and respects the length limits.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "host/net/frame.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace sqt::net;
  if (size < kFrameHeaderBytes) return 0;
  std::uint64_t max_frame = std::uint64_t{1} << 32;
  if (size >= kFrameHeaderBytes + 8) std::memcpy(&max_frame, data + kFrameHeaderBytes, 8);
  FrameHeaderBytes bytes{};
  std::memcpy(bytes.data(), data, kFrameHeaderBytes);
  FrameHeader header;
  try {
    header = parse_frame_header(bytes, max_frame);
  } catch (const FrameError&) {
    return 0;
  }
  if (encode_frame_header(header) != bytes) std::abort();
  switch (header.type) {
    case FrameType::kData:
      if (header.length > max_frame) std::abort();
      break;
    case FrameType::kHello:
      if (header.length != kHelloPayloadBytes) std::abort();
      break;
    case FrameType::kAbort:
      if (header.length > kMaxAbortReasonBytes) std::abort();
      break;
    case FrameType::kBye:
      if (header.length != 0) std::abort();
      break;
    default:
      std::abort();
  }
  return 0;
}
