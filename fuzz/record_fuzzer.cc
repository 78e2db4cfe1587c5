// libFuzzer target for the own TLS 1.3 record receiver (RecordReader in
// host/net/stream.cc), fed through a socket pair: the input describes
// records that this file encrypts correctly under fixed test keys (its own
// key schedule and OpenSSL's EVP AES-GCM, independent of stream.cc), so
// decryption, the inner content type, padding and KeyUpdates are reached,
// not only the tag check; some records are damaged, reordered or replaced
// by raw bytes. The bytes go into the socket in input-chosen chunks and the
// receiver reads them in input-chosen sizes.
//
// Invariant: the receiver delivers exactly the content of the valid data
// records before the first invalid element, then ends with StreamClosed
// (clean EOF or close_notify) or NetError (anything else), as the model
// below says; it never delivers more, never hangs and never throws anything
// else.
//
// Input: byte 0 = suite (bit 0: AES-256-GCM, else AES-128-GCM) and the
// receiver's buffer (bits 1-3); bytes 1-8 = four write chunk sizes and four
// read sizes (cycled); then elements, each led by an op byte (see
// append_element).
#include <fcntl.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "fuzz/fuzz_entries.h"
#include "host/net/stream.h"

namespace sqt::fuzz {
namespace {

[[noreturn]] void fail(const std::string& what) {
  std::fprintf(stderr, "record_fuzzer: invariant violated: %s\n", what.c_str());
  std::abort();
}

// The fixed test traffic secret (the first 32 bytes for SHA-256).
constexpr std::array<unsigned char, 48> kSecret = {
    0x3a, 0x91, 0x0c, 0x5e, 0x77, 0x12, 0xd4, 0x8b, 0x2f, 0x60, 0xaa, 0x13, 0x9e, 0x45, 0xc1, 0x08,
    0x6d, 0xf2, 0x31, 0x84, 0x5b, 0xe9, 0x07, 0x70, 0xcc, 0x1d, 0x96, 0x4a, 0xb3, 0x28, 0xef, 0x55,
    0x19, 0x83, 0x6e, 0xd0, 0x42, 0xbf, 0x27, 0x9a, 0x0e, 0x74, 0xc8, 0x35, 0xa6, 0x5d, 0xf1, 0x63};

constexpr std::size_t kMaxInnerPlain = (1 << 14) + 1;  // RFC 8446 section 5.4
constexpr std::size_t kTag = 16;
constexpr std::size_t kMaxElements = 48;
constexpr std::size_t kMaxWireBytes = std::size_t{512} << 10;

RecordFuzzTotals totals;

// HKDF-Expand-Label (RFC 8446 section 7.1) with OpenSSL's EVP_KDF.
std::vector<unsigned char> expand_label(bool aes256, const std::vector<unsigned char>& secret,
                                        const char* label, std::size_t length) {
  std::vector<unsigned char> info{static_cast<unsigned char>(length >> 8),
                                  static_cast<unsigned char>(length)};
  const std::string full = std::string("tls13 ") + label;
  info.push_back(static_cast<unsigned char>(full.size()));
  info.insert(info.end(), full.begin(), full.end());
  info.push_back(0);
  std::vector<unsigned char> out(length);
  EVP_KDF* kdf = EVP_KDF_fetch(nullptr, "HKDF", nullptr);
  EVP_KDF_CTX* ctx = kdf != nullptr ? EVP_KDF_CTX_new(kdf) : nullptr;
  int mode = EVP_KDF_HKDF_MODE_EXPAND_ONLY;
  char digest[16];
  std::snprintf(digest, sizeof digest, "%s", aes256 ? "SHA384" : "SHA256");
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
                         OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode),
                         OSSL_PARAM_construct_octet_string(
                             OSSL_KDF_PARAM_KEY, const_cast<unsigned char*>(secret.data()), secret.size()),
                         OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info.data(), info.size()),
                         OSSL_PARAM_construct_end()};
  const bool ok = ctx != nullptr && EVP_KDF_derive(ctx, out.data(), out.size(), params) == 1;
  EVP_KDF_CTX_free(ctx);
  EVP_KDF_free(kdf);
  if (!ok) fail("test key derivation failed");
  return out;
}

struct Generation {
  std::vector<unsigned char> secret, key, iv;
};

// Generation g of the traffic keys (after g KeyUpdates), cached across runs.
const Generation& generation(bool aes256, std::size_t g) {
  static std::vector<Generation> cache[2];
  auto& gens = cache[aes256 ? 1 : 0];
  while (gens.size() <= g) {
    Generation next;
    if (gens.empty()) {
      next.secret.assign(kSecret.begin(), kSecret.begin() + (aes256 ? 48 : 32));
    } else {
      next.secret = expand_label(aes256, gens.back().secret, "traffic upd", gens.back().secret.size());
    }
    next.key = expand_label(aes256, next.secret, "key", aes256 ? 32 : 16);
    next.iv = expand_label(aes256, next.secret, "iv", 12);
    gens.push_back(std::move(next));
  }
  return gens[g];
}

// Seals TLS 1.3 records as a sender under the test keys.
class Sealer {
 public:
  explicit Sealer(bool aes256) : aes256_(aes256), ctx_(EVP_CIPHER_CTX_new()) {
    if (ctx_ == nullptr) fail("no cipher context");
  }
  ~Sealer() { EVP_CIPHER_CTX_free(ctx_); }
  Sealer(const Sealer&) = delete;
  Sealer& operator=(const Sealer&) = delete;

  // header (5 bytes, as given) + encryption of inner + tag, with sequence
  // number seq_ + seq_skew; advances seq_.
  void seal(std::vector<unsigned char>& wire, const unsigned char* header,
            const std::vector<unsigned char>& inner, std::uint64_t seq_skew) {
    const Generation& gen = generation(aes256_, generation_);
    std::array<unsigned char, 12> nonce{};
    std::memcpy(nonce.data(), gen.iv.data(), 12);
    const std::uint64_t seq = seq_ + seq_skew;
    for (int i = 0; i < 8; ++i) nonce[11 - i] ^= static_cast<unsigned char>(seq >> (8 * i));
    const std::size_t at = wire.size();
    wire.insert(wire.end(), header, header + 5);
    wire.resize(at + 5 + inner.size() + kTag);
    unsigned char* out = wire.data() + at + 5;
    int len = 0;
    const bool ok =
        EVP_EncryptInit_ex(ctx_, aes256_ ? EVP_aes_256_gcm() : EVP_aes_128_gcm(), nullptr, nullptr,
                           nullptr) == 1 &&
        EVP_CIPHER_CTX_ctrl(ctx_, EVP_CTRL_AEAD_SET_IVLEN, 12, nullptr) == 1 &&
        EVP_EncryptInit_ex(ctx_, nullptr, nullptr, gen.key.data(), nonce.data()) == 1 &&
        EVP_EncryptUpdate(ctx_, nullptr, &len, wire.data() + at, 5) == 1 &&
        EVP_EncryptUpdate(ctx_, out, &len, inner.data(), static_cast<int>(inner.size())) == 1 &&
        EVP_EncryptFinal_ex(ctx_, out + inner.size(), &len) == 1 &&
        EVP_CIPHER_CTX_ctrl(ctx_, EVP_CTRL_AEAD_GET_TAG, static_cast<int>(kTag), out + inner.size()) == 1;
    if (!ok) fail("test encryption failed");
    ++seq_;
  }
  void next_generation() {
    ++generation_;
    seq_ = 0;
  }

 private:
  bool aes256_;
  EVP_CIPHER_CTX* ctx_;
  std::size_t generation_ = 0;
  std::uint64_t seq_ = 0;
};

class Input {
 public:
  Input(const std::uint8_t* data, std::size_t size) : p_(data), n_(size) {}
  bool empty() const { return n_ == 0; }
  std::uint8_t byte() {
    if (n_ == 0) return 0;
    --n_;
    return *p_++;
  }
  std::size_t u16() { return std::size_t{byte()} | std::size_t{byte()} << 8; }
  std::vector<unsigned char> take(std::size_t n) {
    n = std::min(n, n_);
    std::vector<unsigned char> out(p_, p_ + n);
    p_ += n;
    n_ -= n;
    return out;
  }

 private:
  const std::uint8_t* p_;
  std::size_t n_;
};

// A write or read size: byte values spread over 1 byte to 512 KiB with the
// record boundaries (16 KiB and a little more) well covered.
std::size_t size_of(std::uint8_t b) {
  if (b < 64) return std::size_t{b} + 1;
  if (b < 128) return std::size_t{b - 63u} * 256;
  if (b < 192) return (std::size_t{1} << 14) + b - 128 - 32;
  return std::size_t{b - 191u} * 8192;
}

enum class End { kClosed, kError };

// What the receiver must do with the wire: deliver `data`, then end so.
struct Model {
  std::vector<unsigned char> data;
  bool alive = true;  // no invalid element yet
  End end = End::kClosed;
  void invalid() {
    if (alive) end = End::kError;
    alive = false;
  }
};

// How a receiver must treat an authentic inner plaintext (RFC 8446 section
// 5.4: the type is the last non-zero byte, zeros after it are padding).
void model_inner(Model& m, Sealer& sealer, const std::vector<unsigned char>& inner) {
  if (inner.size() > kMaxInnerPlain) return m.invalid();
  std::size_t n = inner.size();
  while (n > 0 && inner[n - 1] == 0) --n;
  if (n == 0) return m.invalid();  // no content type
  const unsigned char type = inner[n - 1];
  const std::size_t content = n - 1;
  if (type == 23) {
    if (m.alive) m.data.insert(m.data.end(), inner.begin(), inner.begin() + static_cast<long>(content));
    return;
  }
  if (type == 22) {
    static constexpr unsigned char kKeyUpdate[5] = {24, 0, 0, 1, 0};
    if (content == 5 && std::memcmp(inner.data(), kKeyUpdate, 5) == 0) {
      sealer.next_generation();
      return;
    }
    return m.invalid();
  }
  if (type == 21 && content >= 2 && inner[1] == 0) {  // close_notify
    if (m.alive) m.end = End::kClosed;
    m.alive = false;
    return;
  }
  m.invalid();
}

// One element of the wire from the input. Op byte: bits 0-2 the kind, bit 3
// long padding, bits 4-7 with value 15 a damage byte follows (bit 0 flips
// one bit of the record, bit 1 uses a wrong sequence number).
void append_element(Input& in, Sealer& sealer, Model& m, std::vector<unsigned char>& wire,
                    std::uint32_t& pattern) {
  const std::uint8_t op = in.byte();
  const unsigned kind = op & 7;
  if (kind >= 6) {  // raw bytes: garbage, or a header of input-chosen fields
    std::vector<unsigned char> raw = in.take(kind == 6 ? in.byte() : 5 + in.byte());
    if (!raw.empty()) m.invalid();
    wire.insert(wire.end(), raw.begin(), raw.end());
    return;
  }
  std::vector<unsigned char> inner;
  if (kind <= 2) {  // application data, content from a running pattern
    inner.resize(in.u16() % (kMaxInnerPlain + 1));
    for (auto& b : inner) {
      pattern = pattern * 1664525u + 1013904223u;
      b = static_cast<unsigned char>(pattern >> 24);
    }
    inner.push_back(23);
  } else if (kind == 3) {  // KeyUpdate, mostly well-formed
    const std::uint8_t variant = in.byte();
    inner = {24, 0, 0, 1, 0};
    if (variant >= 224) inner = in.take(variant - 224u);
    inner.push_back(22);
  } else if (kind == 4) {  // alert: level, description
    inner = in.take(in.byte() % 4);
    inner.push_back(21);
  } else {  // any inner type byte (0: only padding)
    inner = in.take(in.byte() % 32);
    inner.push_back(in.byte());
  }
  inner.resize(inner.size() + ((op & 8) != 0 ? in.u16() % (kMaxInnerPlain + 2) : op >> 4));
  const std::uint8_t damage = (op >> 4) == 15 ? in.byte() : 0;
  const std::size_t length = inner.size() + kTag;
  const unsigned char header[5] = {23, 3, 3, static_cast<unsigned char>(length >> 8),
                                   static_cast<unsigned char>(length)};
  const std::size_t at = wire.size();
  sealer.seal(wire, header, inner, (damage & 2) != 0 ? 1 : 0);
  if ((damage & 1) != 0) {
    const std::size_t pos = at + in.u16() % (wire.size() - at);
    wire[pos] ^= static_cast<unsigned char>(1u << (damage >> 5));
  }
  if ((damage & 3) != 0) return m.invalid();
  model_inner(m, sealer, inner);
}

}  // namespace

int record_reader_one_input(const std::uint8_t* data, std::size_t size) {
  if (size < 9) return 0;
  Input in(data, size);
  const std::uint8_t config = in.byte();
  const bool aes256 = (config & 1) != 0;
  static constexpr std::size_t kBuffers[8] = {0, 1, 100, 16406, 20000, 65536, 100000, 256 << 10};
  const std::size_t buffer = kBuffers[(config >> 1) & 7];
  std::array<std::size_t, 4> writes{}, reads{};
  for (auto& w : writes) w = size_of(in.byte());
  for (auto& r : reads) r = size_of(in.byte());

  Sealer sealer(aes256);
  Model model;
  std::vector<unsigned char> wire;
  std::uint32_t pattern = config;
  for (std::size_t k = 0; k < kMaxElements && !in.empty() && wire.size() < kMaxWireBytes; ++k) {
    append_element(in, sealer, model, wire, pattern);
  }

  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) fail("socketpair failed");
  const int out = sv[1];
  ::fcntl(out, F_SETFL, ::fcntl(out, F_GETFL) | O_NONBLOCK);
  std::unique_ptr<net::Stream> reader;
  try {
    reader = net::make_record_stream_for_testing(
        sv[0], aes256, std::span<const unsigned char>(kSecret.data(), aes256 ? 48 : 32),
        net::kDefaultRecordsPerKey, buffer);
    reader->set_nonblocking();
  } catch (const std::exception& e) {
    ::close(out);
    fail(std::string("cannot make the test stream: ") + e.what());
  }

  std::vector<unsigned char> got;
  std::vector<std::byte> buf(size_of(255));
  std::size_t read_k = 0;
  // Reads until the socket has nothing more (read_some returns 0).
  auto drain = [&] {
    for (int i = 0;; ++i) {
      if (i > 1 << 20) fail("the receiver never stops returning data");
      const std::size_t want = reads[read_k++ % reads.size()];
      const std::size_t n = reader->read_some(buf.data(), want);
      if (n > want) fail("read_some returned more than asked");
      if (n == 0) return;
      const auto* p = reinterpret_cast<const unsigned char*>(buf.data());
      got.insert(got.end(), p, p + n);
    }
  };
  End end = End::kError;
  bool ended = false;
  try {
    std::size_t write_k = 0;
    for (std::size_t sent = 0; sent < wire.size();) {
      const std::size_t chunk = std::min(writes[write_k++ % writes.size()], wire.size() - sent);
      const ssize_t w = ::send(out, wire.data() + sent, chunk, MSG_NOSIGNAL);
      if (w > 0) sent += static_cast<std::size_t>(w);
      if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) fail("send failed");
      drain();
    }
    ::shutdown(out, SHUT_WR);
    drain();
    fail("the receiver returned 0 at end of stream instead of ending");
  } catch (const net::StreamClosed&) {
    end = End::kClosed;
    ended = true;
  } catch (const NetError&) {
    end = End::kError;
    ended = true;
  } catch (const std::exception& e) {
    fail(std::string("unexpected exception: ") + e.what());
  }
  ::close(out);
  if (!ended) fail("no end");
  totals.delivered_bytes += got.size();
  totals.key_updates += net::key_updates_received(*reader);
  ++(end == End::kClosed ? totals.clean_ends : totals.errors);
  if (got.size() > model.data.size() || !std::equal(got.begin(), got.end(), model.data.begin())) {
    fail("delivered bytes that were not sent as application data in order");
  }
  if (got.size() != model.data.size()) {
    fail("delivered " + std::to_string(got.size()) + " bytes, expected " + std::to_string(model.data.size()));
  }
  if (end != model.end) {
    fail(std::string("ended with ") + (end == End::kClosed ? "StreamClosed" : "NetError") + ", expected " +
         (model.end == End::kClosed ? "StreamClosed" : "NetError"));
  }
  return 0;
}

RecordFuzzTotals record_fuzz_totals() { return totals; }

}  // namespace sqt::fuzz

#ifdef SQT_LIBFUZZER_TARGET
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return sqt::fuzz::record_reader_one_input(data, size);
}
#endif
