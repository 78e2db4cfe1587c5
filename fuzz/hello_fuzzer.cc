// libFuzzer target for the first frames of a connection as the listener
// reads them: the input's bytes are what a peer sends, carried by the own
// record layer over a socket pair (sender and receiver from the test hook in
// host/net/stream.h, KeyUpdates at an input-chosen interval) and read the
// way setup reads a HELLO: a 16-byte header (parse_frame_header), HELLO
// required first, its 8-byte payload (parse_hello_payload), then further
// frames and their payloads, in input-chosen read sizes.
//
// Invariants: every byte arrives unchanged and in order; the parsers agree
// with the reference rules of the wire format written out below (docs/DEPLOY.md
// section 7), accepting exactly the valid headers with their type and
// length; a HELLO payload decodes to the two little-endian u32 values and
// re-encodes to its bytes; the stream ends with StreamClosed exactly where
// the peer's bytes end.
//
// Input: byte 0 = max_frame_bytes (bits 0-2), a valid HELLO header put in
// front (bit 3), AES-256-GCM (bit 4), records per key (bits 5-7);
// bytes 1-2 = write sizes, bytes 3-4 = read sizes; the rest is the stream.
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "fuzz/fuzz_entries.h"
#include "host/net/frame.h"
#include "host/net/stream.h"

namespace sqt::fuzz {
namespace {

[[noreturn]] void fail(const std::string& what) {
  std::fprintf(stderr, "hello_fuzzer: invariant violated: %s\n", what.c_str());
  std::abort();
}

constexpr std::array<unsigned char, 32> kSecret = {
    0x51, 0x0a, 0xe3, 0x7c, 0x28, 0x96, 0x4d, 0xb1, 0x6f, 0x13, 0xc0, 0x8e, 0x35, 0xda, 0x72, 0x09,
    0xa4, 0x5e, 0x17, 0xfb, 0x62, 0x3d, 0x88, 0xc5, 0x0b, 0x99, 0x46, 0xe0, 0x2a, 0x73, 0xbd, 0x14};
constexpr std::array<unsigned char, 48> kSecret384 = {
    0x07, 0xe1, 0x5c, 0x92, 0x3b, 0xa8, 0x64, 0x1f, 0xd6, 0x29, 0x80, 0x4e, 0xf7, 0x15, 0xbc, 0x33,
    0x6a, 0xc2, 0x0d, 0x98, 0x47, 0xe5, 0x21, 0x7e, 0xb9, 0x02, 0x5f, 0xaa, 0x34, 0xcd, 0x68, 0x91,
    0x1e, 0x83, 0xf4, 0x26, 0x5b, 0xd0, 0x79, 0x0c, 0xe8, 0x43, 0x9d, 0x17, 0xa2, 0x6c, 0x3f, 0xb5};

constexpr std::size_t kMaxStreamBytes = 64 << 10;  // fits the socket buffer: no reader thread

HelloFuzzTotals totals;

// The wire format's header rules, independent of frame.cc.
struct RefHeader {
  bool valid = false;
  std::uint8_t type = 0;
  std::uint64_t length = 0;
};
RefHeader reference_header(const unsigned char* b, std::uint64_t max_frame) {
  RefHeader h;
  for (int i = 0; i < 8; ++i) h.length |= std::uint64_t{b[8 + i]} << (8 * i);
  h.type = b[5];
  if (std::memcmp(b, "SQTF", 4) != 0 || b[4] != 1 || b[6] != 0 || b[7] != 0) return h;
  switch (h.type) {
    case 1:
      h.valid = h.length == 8;
      break;
    case 2:
      h.valid = h.length <= max_frame;
      break;
    case 3:
      h.valid = h.length <= 4096;
      break;
    case 4:
      h.valid = h.length == 0;
      break;
    default:
      break;
  }
  return h;
}

std::size_t size_of(std::uint8_t b) {
  if (b < 128) return std::size_t{b} + 1;
  if (b < 192) return std::size_t{b - 127u} * 512;
  return (std::size_t{1} << 14) + b - 192 - 32;
}

}  // namespace

int hello_one_input(const std::uint8_t* data, std::size_t size) {
  if (size < 5) return 0;
  const std::uint8_t config = data[0];
  static constexpr std::uint64_t kMaxFrames[8] = {
      0, 1, 8, 100, 4096, 65536, std::uint64_t{1} << 32, ~std::uint64_t{0}};
  const std::uint64_t max_frame = kMaxFrames[config & 7];
  const bool aes256 = (config & 16) != 0;
  const std::uint64_t records_per_key = (config >> 5) == 0 ? net::kDefaultRecordsPerKey : config >> 5;
  const std::array<std::size_t, 2> writes{size_of(data[1]), size_of(data[2])};
  const std::array<std::size_t, 2> reads{size_of(data[3]), size_of(data[4])};

  std::vector<unsigned char> sent;
  if ((config & 8) != 0) {
    const net::FrameHeaderBytes h =
        net::encode_frame_header({net::FrameType::kHello, net::kHelloPayloadBytes});
    for (std::byte b : h) sent.push_back(std::to_integer<unsigned char>(b));
  }
  sent.insert(sent.end(), data + 5, data + std::min(size, 5 + kMaxStreamBytes));

  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) fail("socketpair failed");
  std::unique_ptr<net::Stream> reader, writer;
  const auto secret =
      aes256 ? std::span<const unsigned char>(kSecret384) : std::span<const unsigned char>(kSecret);
  try {
    reader = net::make_record_stream_for_testing(sv[0], aes256, secret, records_per_key);
    writer = net::make_record_stream_for_testing(sv[1], aes256, secret, records_per_key);
    reader->set_nonblocking();
    writer->set_nonblocking();
    std::size_t k = 0;
    for (std::size_t done = 0; done < sent.size();) {
      const std::size_t n = writer->write_some(reinterpret_cast<const std::byte*>(sent.data()) + done,
                                               std::min(writes[k++ % 2], sent.size() - done));
      if (n == 0) fail("the sender took nothing with room in its buffer");
      done += n;
    }
    if (!writer->flush()) fail("the stream did not fit the socket buffer");
    writer->shutdown();  // EOF after the bytes
  } catch (const std::exception& e) {
    fail(std::string("sending failed: ") + e.what());
  }

  // Reads up to n bytes (in the input's read sizes) and checks them against
  // what was sent: the count read, fewer only at the clean end.
  std::size_t pos = 0, read_k = 0;
  auto read_exact = [&](unsigned char* out, std::size_t n) -> std::size_t {
    std::size_t got = 0;
    while (got < n) {
      const std::size_t want = std::min(reads[read_k++ % 2], n - got);
      std::size_t r = 0;
      try {
        r = reader->read_some(reinterpret_cast<std::byte*>(out + got), want);
      } catch (const net::StreamClosed&) {
        if (pos + got != sent.size()) fail("StreamClosed before the end of the peer's bytes");
        break;
      } catch (const std::exception& e) {
        fail(std::string("read failed on authentic records: ") + e.what());
      }
      if (r == 0 || r > want) fail("read_some returned " + std::to_string(r) + " of " + std::to_string(want));
      got += r;
    }
    if (got > sent.size() - pos || (got > 0 && std::memcmp(out, sent.data() + pos, got) != 0)) {
      fail("the record layer changed or reordered bytes");
    }
    pos += got;
    return got;
  };

  std::vector<unsigned char> payload(4096);
  for (int frame = 0;; ++frame) {
    net::FrameHeaderBytes bytes{};
    auto* raw = reinterpret_cast<unsigned char*>(bytes.data());
    if (read_exact(raw, bytes.size()) < bytes.size()) break;  // the peer's bytes ended
    const RefHeader ref = reference_header(raw, max_frame);
    net::FrameHeader h;
    try {
      h = net::parse_frame_header(bytes, max_frame);
    } catch (const net::FrameError&) {
      if (ref.valid) fail("a valid header was refused");
      ++totals.refused_headers;
      break;  // setup ends the connection here
    }
    if (!ref.valid) fail("an invalid header was accepted");
    if (static_cast<std::uint8_t>(h.type) != ref.type || h.length != ref.length) fail("header misread");
    if (net::encode_frame_header(h) != bytes) fail("header does not re-encode to its bytes");
    if (frame == 0 && h.type != net::FrameType::kHello) break;  // read_hello refuses it
    if (h.type == net::FrameType::kHello) {
      std::array<unsigned char, net::kHelloPayloadBytes> p{};
      if (read_exact(p.data(), p.size()) < p.size()) break;
      net::HelloPayloadBytes pb{};
      std::memcpy(pb.data(), p.data(), p.size());
      const net::HelloPayload hello = net::parse_hello_payload(pb);
      std::uint32_t party = 0, parties = 0;
      for (int i = 0; i < 4; ++i) {
        party |= std::uint32_t{p[static_cast<std::size_t>(i)]} << (8 * i);
        parties |= std::uint32_t{p[static_cast<std::size_t>(4 + i)]} << (8 * i);
      }
      if (hello.party != party || hello.parties != parties) fail("HELLO payload misread");
      if (net::encode_hello_payload(hello) != pb) fail("HELLO payload does not re-encode to its bytes");
      ++totals.hellos;
      continue;
    }
    // Other payloads: only their bytes matter here (bounded by the peer's).
    ++totals.other_frames;
    bool ended = false;
    for (std::uint64_t left = h.length; left > 0 && !ended;) {
      const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(left, payload.size()));
      const std::size_t got = read_exact(payload.data(), n);
      ended = got < n;
      left -= got;
    }
    if (ended) break;
  }
  return 0;
}

HelloFuzzTotals hello_fuzz_totals() { return totals; }

}  // namespace sqt::fuzz

#ifdef SQT_LIBFUZZER_TARGET
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return sqt::fuzz::hello_one_input(data, size);
}
#endif
