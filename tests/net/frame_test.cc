#include "host/net/frame.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace sqt::net {
namespace {

using ::testing::HasSubstr;

constexpr std::uint64_t kLimit = 1 << 20;

FrameHeader parse(const FrameHeaderBytes& b, std::uint64_t limit = kLimit) {
  return parse_frame_header(b, limit);
}

std::string parse_error(const FrameHeaderBytes& b, std::uint64_t limit = kLimit) {
  try {
    parse(b, limit);
  } catch (const FrameError& e) {
    return e.what();
  }
  return "no error";
}

TEST(Frame, EncodesTheDocumentedLayout) {
  const FrameHeaderBytes b = encode_frame_header({FrameType::kData, 0x0102030405060708ULL});
  const std::uint8_t expected[16] = {'S', 'Q', 'T', 'F', 1, 2, 0, 0, 8, 7, 6, 5, 4, 3, 2, 1};
  for (int i = 0; i < 16; ++i) EXPECT_EQ(std::to_integer<int>(b[i]), expected[i]) << "byte " << i;
}

TEST(Frame, RoundTripsEveryTypeAtItsLimits) {
  const FrameHeader cases[] = {{FrameType::kData, 0},
                               {FrameType::kData, kLimit},
                               {FrameType::kHello, kHelloPayloadBytes},
                               {FrameType::kAbort, 0},
                               {FrameType::kAbort, kMaxAbortReasonBytes},
                               {FrameType::kBye, 0}};
  for (const FrameHeader& h : cases) {
    const FrameHeader back = parse(encode_frame_header(h));
    EXPECT_EQ(back.type, h.type);
    EXPECT_EQ(back.length, h.length);
  }
}

TEST(Frame, RefusesOversizedDataNamingTheLimit) {
  EXPECT_THAT(parse_error(encode_frame_header({FrameType::kData, kLimit + 1})),
              HasSubstr("oversized DATA frame: 1048577 bytes (limit max_frame_bytes = 1048576)"));
  EXPECT_THAT(parse_error(encode_frame_header({FrameType::kAbort, kMaxAbortReasonBytes + 1})),
              HasSubstr("oversized ABORT frame"));
}

TEST(Frame, RefusesControlFramesOfTheWrongLength) {
  EXPECT_THAT(parse_error(encode_frame_header({FrameType::kHello, 7})),
              HasSubstr("bad HELLO frame: length 7"));
  EXPECT_THAT(parse_error(encode_frame_header({FrameType::kBye, 1})), HasSubstr("bad BYE frame: length 1"));
}

TEST(Frame, RefusesBadMagicVersionTypeAndReservedBytes) {
  FrameHeaderBytes b = encode_frame_header({FrameType::kData, 4});
  b[0] = std::byte{'X'};
  EXPECT_THAT(parse_error(b), HasSubstr("magic"));
  b = encode_frame_header({FrameType::kData, 4});
  b[4] = std::byte{9};
  EXPECT_THAT(parse_error(b), HasSubstr("wire version 9"));
  b = encode_frame_header({FrameType::kData, 4});
  b[5] = std::byte{77};
  EXPECT_THAT(parse_error(b), HasSubstr("unknown frame type 77"));
  b = encode_frame_header({FrameType::kData, 4});
  b[7] = std::byte{1};
  EXPECT_THAT(parse_error(b), HasSubstr("reserved"));
}

}  // namespace
}  // namespace sqt::net
