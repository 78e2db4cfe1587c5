// Runs the entry points of fuzz/record_fuzzer.cc and fuzz/hello_fuzzer.cc on
// seeded pseudo-random inputs with g++, so their invariants are checked in
// every ctest run (an entry point aborts on a violated one). The inputs are
// built in the targets' input formats, biased towards well-formed records
// and frames so the deep paths are reached; the totals check that they are.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <vector>

#include "fuzz/fuzz_entries.h"
#include "host/net/frame.h"

namespace sqt::fuzz {
namespace {

void push_u16(std::vector<std::uint8_t>& in, std::size_t v) {
  in.push_back(static_cast<std::uint8_t>(v));
  in.push_back(static_cast<std::uint8_t>(v >> 8));
}

// One input for record_reader_one_input (format: fuzz/record_fuzzer.cc).
std::vector<std::uint8_t> record_input(std::mt19937_64& gen) {
  std::vector<std::uint8_t> in;
  for (int i = 0; i < 9; ++i) in.push_back(static_cast<std::uint8_t>(gen()));  // suite, buffer, sizes
  const int elements = 1 + static_cast<int>(gen() % 12);
  for (int e = 0; e < elements; ++e) {
    const int r = static_cast<int>(gen() % 100);
    const auto small_padding = static_cast<std::uint8_t>((gen() % 15) << 4);
    if (r < 55) {  // application data: often a full record, sometimes one byte too long
      in.push_back(static_cast<std::uint8_t>(gen() % 3) | small_padding);
      const std::size_t len = gen() % 4 == 0 ? (1 << 14) - 1 + gen() % 4 : gen() % 20000;
      push_u16(in, len);
    } else if (r < 70) {  // KeyUpdate, now and then malformed
      in.push_back(3 | small_padding);
      if (gen() % 8 == 0) {
        in.push_back(static_cast<std::uint8_t>(224 + gen() % 8));
        for (int i = 0; i < 8; ++i) in.push_back(static_cast<std::uint8_t>(gen() % 3 == 0 ? 0 : gen()));
      } else {
        in.push_back(0);
      }
    } else if (r < 74) {  // alert: close_notify or another
      in.push_back(4);
      in.push_back(static_cast<std::uint8_t>(gen() % 4));
      in.push_back(1);
      in.push_back(static_cast<std::uint8_t>(gen() % 2 == 0 ? 0 : gen()));
    } else if (r < 80) {  // any inner type
      in.push_back(5 | small_padding);
      in.push_back(static_cast<std::uint8_t>(gen() % 32));
      for (int i = 0; i < 32; ++i) in.push_back(static_cast<std::uint8_t>(gen()));
    } else if (r < 88) {  // damaged: a flipped bit or a wrong sequence number
      in.push_back(static_cast<std::uint8_t>(gen() % 3) | 0xf0);
      push_u16(in, gen() % 3000);
      in.push_back(static_cast<std::uint8_t>(gen()));
      push_u16(in, gen());
    } else if (r < 94) {  // long padding
      in.push_back(static_cast<std::uint8_t>(gen() % 3) | 8);
      push_u16(in, gen() % 9000);
      push_u16(in, gen() % 9000);
    } else {  // raw bytes
      in.push_back(static_cast<std::uint8_t>(6 + gen() % 2));
      const std::size_t n = gen() % 40;
      in.push_back(static_cast<std::uint8_t>(n));
      for (std::size_t i = 0; i < n + 5; ++i) in.push_back(static_cast<std::uint8_t>(gen()));
    }
  }
  return in;
}

TEST(RecordFuzzReplay, RandomRecordStreamsKeepTheInvariants) {
  std::mt19937_64 gen(20261207);
  for (int i = 0; i < 3000; ++i) {
    const auto in = record_input(gen);
    ASSERT_EQ(record_reader_one_input(in.data(), in.size()), 0);
  }
  // Arbitrary bytes too, as libFuzzer starts with.
  for (int i = 0; i < 1000; ++i) {
    std::vector<std::uint8_t> in(gen() % 300);
    for (auto& b : in) b = static_cast<std::uint8_t>(gen());
    ASSERT_EQ(record_reader_one_input(in.data(), in.size()), 0);
  }
  const RecordFuzzTotals t = record_fuzz_totals();
  // Decryption, KeyUpdates and both ends are reached, not only the tag check.
  EXPECT_GT(t.delivered_bytes, std::uint64_t{1} << 20);
  EXPECT_GT(t.key_updates, 100u);
  EXPECT_GT(t.clean_ends, 50u);
  EXPECT_GT(t.errors, 200u);
}

// One input for hello_one_input (format: fuzz/hello_fuzzer.cc): frames as a
// peer would send them, now and then with a flipped bit.
std::vector<std::uint8_t> hello_input(std::mt19937_64& gen) {
  std::vector<std::uint8_t> in;
  for (int i = 0; i < 5; ++i) in.push_back(static_cast<std::uint8_t>(gen()));
  const bool hello_in_front = (in[0] & 8) != 0;
  const int frames = static_cast<int>(gen() % 6);
  for (int f = 0; f < frames; ++f) {
    const auto type = static_cast<net::FrameType>(f == 0 ? 1 : 1 + gen() % 4);
    std::uint64_t len = 0;
    if (type == net::FrameType::kHello) len = net::kHelloPayloadBytes;
    if (type == net::FrameType::kData) len = gen() % 3 == 0 ? gen() : gen() % 300;
    if (type == net::FrameType::kAbort) len = gen() % 5000;
    if (!(f == 0 && hello_in_front)) {
      for (std::byte b : net::encode_frame_header({type, len}))
        in.push_back(std::to_integer<std::uint8_t>(b));
    }
    const std::size_t body = static_cast<std::size_t>(std::min<std::uint64_t>(len, 400));
    for (std::size_t i = 0; i < body; ++i) in.push_back(static_cast<std::uint8_t>(gen()));
  }
  if (in.size() > 5 && gen() % 4 == 0)
    in[5 + gen() % (in.size() - 5)] ^= static_cast<std::uint8_t>(1u << (gen() % 8));
  return in;
}

TEST(HelloFuzzReplay, RandomFirstFramesKeepTheInvariants) {
  std::mt19937_64 gen(20261208);
  for (int i = 0; i < 1500; ++i) {
    const auto in = hello_input(gen);
    ASSERT_EQ(hello_one_input(in.data(), in.size()), 0);
  }
  const HelloFuzzTotals t = hello_fuzz_totals();
  EXPECT_GT(t.hellos, 500u);
  EXPECT_GT(t.other_frames, 500u);
  EXPECT_GT(t.refused_headers, 100u);
}

}  // namespace
}  // namespace sqt::fuzz
