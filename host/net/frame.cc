#include "host/net/frame.h"

#include <fmt/core.h>

#include <cstring>

namespace sqt::net {
namespace {

constexpr std::array<std::byte, 4> kMagic{std::byte{'S'}, std::byte{'Q'}, std::byte{'T'}, std::byte{'F'}};

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
