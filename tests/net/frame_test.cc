#include "host/net/frame.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <vector>

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

TEST(FramePool, ReusesALargeBufferForLaterFramesOfUpToItsSize) {
  FramePool pool;
  const std::size_t big = (std::size_t{5} << 20) + 7;
  FrameBuffer a = pool.acquire(big);
  ASSERT_EQ(a.size(), big);
  ASSERT_GE(a.capacity(), big);
  // Every byte is usable storage (mapped memory rounded up to huge pages).
  for (std::size_t i = 0; i < big; ++i) a.data()[i] = std::byte{static_cast<std::uint8_t>(i * 131 + 7)};
  for (std::size_t i = 0; i < big; i += 4099) {
    ASSERT_EQ(a.data()[i], std::byte{static_cast<std::uint8_t>(i * 131 + 7)}) << "byte " << i;
  }
  const std::byte* storage = a.data();
  pool.release(std::move(a));
  EXPECT_EQ(pool.pooled(), 1u);
  FrameBuffer b = pool.acquire((std::size_t{3} << 20) + 1);
  EXPECT_EQ(b.data(), storage);
  EXPECT_EQ(b.size(), (std::size_t{3} << 20) + 1);
  EXPECT_EQ(pool.pooled(), 0u);
}

TEST(FramePool, SmallFramesDoNotTakeLargeBuffers) {
  FramePool pool;
  pool.release(pool.acquire(std::size_t{2} << 20));
  FrameBuffer small = pool.acquire(100);
  EXPECT_LT(small.capacity(), FrameBuffer::kMappedFrameBytes);
  EXPECT_EQ(pool.pooled(), 1u);  // the large one is still there for a large frame
  FrameBuffer empty = pool.acquire(0);
  EXPECT_EQ(empty.size(), 0u);
}

TEST(FramePool, KeepsAtMostItsLimitDroppingTheSmallest) {
  FramePool pool(2);
  std::vector<FrameBuffer> held;
  for (std::size_t mib : {1, 4, 2}) held.push_back(pool.acquire(mib << 20));
  for (auto& b : held) pool.release(std::move(b));
  EXPECT_EQ(pool.pooled(), 2u);
  EXPECT_GE(pool.pooled_bytes(), std::size_t{6} << 20);  // the 4 MiB and 2 MiB ones
  EXPECT_LT(pool.pooled_bytes(), std::size_t{7} << 20);
}

TEST(FramePool, ALargerFrameReplacesTheLargestPooledBuffer) {
  FramePool pool;
  pool.release(pool.acquire(std::size_t{2} << 20));
  FrameBuffer big = pool.acquire(std::size_t{8} << 20);
  EXPECT_GE(big.capacity(), std::size_t{8} << 20);
  EXPECT_EQ(pool.pooled(), 0u);
}

TEST(FrameBuffer, SizeBeyondCapacityIsAnError) {
  FrameBuffer b(100);
  EXPECT_THROW(b.set_size(101), NetError);
  b.set_size(100);
  EXPECT_EQ(b.size(), 100u);
}

}  // namespace
}  // namespace sqt::net
