#include "host/net/stream.h"

#include <fcntl.h>
#include <fmt/core.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <vector>

#include "simd/aes_gcm.h"

namespace sqt::net {
namespace {

constexpr int kSocketBufferBytes = 4 << 20;
constexpr int kTlsReadBufferBytes = 256 << 10;   // read-ahead: many records per read()
constexpr int kTlsWriteBufferBytes = 256 << 10;  // many records per write()

std::string openssl_error_text() {
  std::string text;
  while (const unsigned long code = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(code, buf, sizeof buf);
    if (!text.empty()) text += "; ";
    text += buf;
  }
  return text.empty() ? std::string("unknown TLS error") : text;
}

void configure_socket(int fd, std::chrono::milliseconds tick) {
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &kSocketBufferBytes, sizeof kSocketBufferBytes);
  ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &kSocketBufferBytes, sizeof kSocketBufferBytes);
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(tick.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((tick.count() % 1000) * 1000);
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

class PlainStream final : public Stream {
 public:
  explicit PlainStream(int fd) : Stream(fd) {}

  std::size_t read_some(std::byte* data, std::size_t size) override {
    for (;;) {
      const ssize_t n = ::recv(fd_, data, size, 0);
      if (n > 0) return static_cast<std::size_t>(n);
      if (n == 0) throw StreamClosed("connection closed");
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return 0;
      throw NetError(fmt::format("read failed: {}", std::strerror(errno)));
    }
  }

  std::size_t write_some(const std::byte* data, std::size_t size) override {
    for (;;) {
      const ssize_t n = ::send(fd_, data, size, MSG_NOSIGNAL);
      if (n >= 0) return static_cast<std::size_t>(n);
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return 0;
      throw NetError(fmt::format("write failed: {}", std::strerror(errno)));
    }
  }
};

// The peer's application traffic secret as OpenSSL's key-log callback
// reports it (hex); kept on the SSL object until the stream takes it.
struct TrafficSecrets {
  std::string client;  // CLIENT_TRAFFIC_SECRET_0
  std::string server;  // SERVER_TRAFFIC_SECRET_0
  ~TrafficSecrets() {
    OPENSSL_cleanse(client.data(), client.size());
    OPENSSL_cleanse(server.data(), server.size());
  }
};

int traffic_secrets_index() {
  static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

void keylog_callback(const SSL* ssl, const char* line) {
  auto* secrets = static_cast<TrafficSecrets*>(SSL_get_ex_data(ssl, traffic_secrets_index()));
  if (secrets == nullptr) return;
  const std::string_view text(line);
  auto take = [&](std::string_view label, std::string& into) {
    if (text.substr(0, label.size()) != label) return;
    const auto space = text.rfind(' ');
    if (space != std::string_view::npos) into.assign(text.substr(space + 1));
  };
  take("CLIENT_TRAFFIC_SECRET_0 ", secrets->client);
  take("SERVER_TRAFFIC_SECRET_0 ", secrets->server);
}

// HKDF-Expand-Label(secret, label, "", length) of RFC 8446 section 7.1.
std::vector<unsigned char> expand_label(const EVP_MD* md, const std::vector<unsigned char>& secret,
                                        const std::string& label, std::size_t length) {
  const std::string full = "tls13 " + label;
  std::vector<unsigned char> info{static_cast<unsigned char>(length >> 8), static_cast<unsigned char>(length),
                                  static_cast<unsigned char>(full.size())};
  info.insert(info.end(), full.begin(), full.end());
  info.push_back(0);  // empty context
  std::vector<unsigned char> out(length);
  EVP_PKEY_CTX* pctx = EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, nullptr);
  std::size_t out_len = length;
  const bool ok = pctx != nullptr && EVP_PKEY_derive_init(pctx) == 1 &&
                  EVP_PKEY_CTX_set_hkdf_mode(pctx, EVP_PKEY_HKDEF_MODE_EXPAND_ONLY) == 1 &&
                  EVP_PKEY_CTX_set_hkdf_md(pctx, md) == 1 &&
                  EVP_PKEY_CTX_set1_hkdf_key(pctx, secret.data(), static_cast<int>(secret.size())) == 1 &&
                  EVP_PKEY_CTX_add1_hkdf_info(pctx, info.data(), static_cast<int>(info.size())) == 1 &&
                  EVP_PKEY_derive(pctx, out.data(), &out_len) == 1 && out_len == length;
  EVP_PKEY_CTX_free(pctx);
  if (!ok) throw NetError("cannot derive the TLS record keys");
  return out;
}

// Record keys of one direction of `ssl` from its application traffic
// secret: false when the suite is not AES-GCM (then OpenSSL keeps the job).
struct RecordKeys {
  const EVP_CIPHER* cipher = nullptr;
  const EVP_MD* md = nullptr;         // the suite's hash
  std::vector<unsigned char> secret;  // application_traffic_secret_N
  std::vector<unsigned char> key;
  std::array<unsigned char, 12> iv{};
  RecordKeys() = default;
  RecordKeys(const RecordKeys&) = default;
  RecordKeys& operator=(const RecordKeys&) = default;
  ~RecordKeys() {
    OPENSSL_cleanse(secret.data(), secret.size());
    OPENSSL_cleanse(key.data(), key.size());
    OPENSSL_cleanse(iv.data(), iv.size());
  }

  // key and iv from secret (RFC 8446 section 7.3).
  void derive_key_and_iv() {
    OPENSSL_cleanse(key.data(), key.size());
    key = expand_label(md, secret, "key", static_cast<std::size_t>(EVP_CIPHER_get_key_length(cipher)));
    std::vector<unsigned char> new_iv = expand_label(md, secret, "iv", 12);
    std::copy(new_iv.begin(), new_iv.end(), iv.begin());
    OPENSSL_cleanse(new_iv.data(), new_iv.size());
  }

  // After a KeyUpdate (RFC 8446 section 7.2): application_traffic_secret_N+1
  // = HKDF-Expand-Label(application_traffic_secret_N, "traffic upd", "",
  // Hash.length), then the key and IV of the new secret.
  void next_generation() {
    std::vector<unsigned char> next = expand_label(md, secret, "traffic upd", secret.size());
    OPENSSL_cleanse(secret.data(), secret.size());
    secret = std::move(next);
    derive_key_and_iv();
  }
};

// simd::Aes128Gcm for the keys when the suite is AES-128-GCM and the CPU has
// what it needs (1.6-2.0x OpenSSL 3.0's AES-GCM here, `sqt bench simd --only
// aead`), else null: then the record is OpenSSL's EVP job.
std::unique_ptr<simd::Aes128Gcm> fast_cipher(const RecordKeys& keys) {
  if (keys.cipher != EVP_aes_128_gcm() || !simd::aes128_gcm_available() || keys.key.size() != 16)
    return nullptr;
  std::array<std::uint8_t, 16> key{};
  std::copy(keys.key.begin(), keys.key.end(), key.begin());
  auto cipher = std::make_unique<simd::Aes128Gcm>(key);
  OPENSSL_cleanse(key.data(), key.size());
  return cipher;
}

bool derive_record_keys(SSL* ssl, const std::string& secret_hex, RecordKeys& keys) {
  if (secret_hex.empty() || secret_hex.size() % 2 != 0) return false;
  const SSL_CIPHER* suite = SSL_get_current_cipher(ssl);
  const EVP_MD* md = nullptr;
  switch (suite != nullptr ? SSL_CIPHER_get_id(suite) : 0) {
    case 0x03001301:  // TLS_AES_128_GCM_SHA256
      keys.cipher = EVP_aes_128_gcm();
      md = EVP_sha256();
      break;
    case 0x03001302:  // TLS_AES_256_GCM_SHA384
      keys.cipher = EVP_aes_256_gcm();
      md = EVP_sha384();
      break;
    default:
      return false;
  }
  keys.md = md;
  keys.secret.resize(secret_hex.size() / 2);
  for (std::size_t i = 0; i < keys.secret.size(); ++i) {
    keys.secret[i] = static_cast<unsigned char>(std::stoi(secret_hex.substr(2 * i, 2), nullptr, 16));
  }
  if (keys.secret.size() != static_cast<std::size_t>(EVP_MD_get_size(md))) return false;
  keys.derive_key_and_iv();
  return true;
}

// The receive side of an established TLS 1.3 connection, decrypting
// application-data records itself so that a record lands straight in the
// caller's buffer (OpenSSL's SSL_read decrypts into its own record buffer and
// then copies; on this path that copy was a quarter of the reader's time).
// The handshake, authentication and key schedule stay OpenSSL's: the key and
// IV come from the peer's application traffic secret that OpenSSL reports
// through its key-log callback, derived as RFC 8446 section 7.3 says; a
// KeyUpdate from the peer moves it to the next traffic secret (section
// 4.6.3), any other post-handshake message ends the session. Only
// for sessions where OpenSSL has read nothing past the handshake (read-ahead
// off until then) and with an AES-GCM suite; otherwise SSL_read is used.
class RecordReader {
 public:
  // RFC 8446 section 5.2: a record's ciphertext is at most 2^14 + 256
  // bytes; section 5.4: its inner plaintext (content, type and padding) at
  // most 2^14 + 1. With AES-GCM the ciphertext is the inner plaintext plus
  // the tag, so the second bound is the tighter one and is checked before
  // any byte is decrypted.
  static constexpr std::size_t kMaxCiphertext = (1 << 14) + 256;
  static constexpr std::size_t kMaxInnerPlain = (1 << 14) + 1;
  static constexpr std::size_t kHeader = 5;
  static constexpr std::size_t kTag = 16;

  RecordReader(const RecordKeys& keys, int fd, std::size_t buffer_bytes, std::string who)
      : fd_(fd),
        who_(std::move(who)),
        keys_(keys),
        fast_(fast_cipher(keys_)),
        buf_(buffer_bytes + kHeader + kMaxCiphertext),
        plain_(kMaxInnerPlain) {
    ctx_ = EVP_CIPHER_CTX_new();
    if (ctx_ == nullptr || EVP_DecryptInit_ex(ctx_, keys_.cipher, nullptr, nullptr, nullptr) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx_, EVP_CTRL_AEAD_SET_IVLEN, 12, nullptr) != 1 ||
        EVP_DecryptInit_ex(ctx_, nullptr, nullptr, keys_.key.data(), nullptr) != 1) {
      EVP_CIPHER_CTX_free(ctx_);
      throw NetError("cannot set up the TLS record decryption");
    }
  }
  ~RecordReader() { EVP_CIPHER_CTX_free(ctx_); }
  RecordReader(const RecordReader&) = delete;
  RecordReader& operator=(const RecordReader&) = delete;

  std::uint64_t key_updates() const { return key_updates_; }

  std::size_t read_some(std::byte* data, std::size_t size) {
    for (;;) {
      if (plain_begin_ < plain_end_) {
        const std::size_t n = std::min(size, plain_end_ - plain_begin_);
        std::memcpy(data, plain_.data() + plain_begin_, n);
        plain_begin_ += n;
        return n;
      }
      if (!have_record()) {
        if (!fill()) return 0;  // the tick passed
        continue;
      }
      const std::size_t n = open_record(data, size);
      if (n > 0) return n;
    }
  }

 private:
  std::size_t available() const { return end_ - begin_; }
  std::size_t record_length() const {
    return (std::size_t{buf_[begin_ + 3]} << 8) | std::size_t{buf_[begin_ + 4]};
  }

  // Every parsed header passes here first: a record longer than the RFC
  // allows is refused before it is buffered or decrypted, whether its body
  // is still missing or arrived in the same recv() as its header.
  bool have_record() const {
    if (available() < kHeader) return false;
    check_record_length(record_length());
    return available() >= kHeader + record_length();
  }

  void check_record_length(std::size_t length) const {
    if (length > kMaxCiphertext) {
      throw NetError(fmt::format(
          "record_overflow from {}: a TLS record of {} bytes exceeds the limit of {} (RFC 8446 section 5.2)",
          who_, length, kMaxCiphertext));
    }
    if (length > kMaxInnerPlain + kTag) {
      throw NetError(
          fmt::format("record_overflow from {}: a TLS record of {} bytes holds more than {} bytes of inner "
                      "plaintext (RFC 8446 section 5.4)",
                      who_, length, kMaxInnerPlain));
    }
  }

  // Reads more bytes from the socket: false when the tick passed.
  bool fill() {
    if (end_ == buf_.size() || (begin_ > 0 && buf_.size() - begin_ < kHeader + kMaxCiphertext)) {
      std::memmove(buf_.data(), buf_.data() + begin_, available());
      end_ -= begin_;
      begin_ = 0;
    }
    for (;;) {
      const ssize_t n = ::recv(fd_, buf_.data() + end_, buf_.size() - end_, 0);
      if (n > 0) {
        end_ += static_cast<std::size_t>(n);
        return true;
      }
      if (n == 0) {
        if (available() == 0) throw StreamClosed("connection closed");
        throw NetError("read failed: connection closed inside a TLS record");
      }
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return false;
      throw NetError(fmt::format("read failed: {}", std::strerror(errno)));
    }
  }

  // Decrypts the record at begin_: returns the application bytes placed in
  // data (0 for an empty record or when they went to plain_).
  std::size_t open_record(std::byte* data, std::size_t size) {
    const unsigned char* header = buf_.data() + begin_;
    const std::size_t length = record_length();
    if (header[0] != 23 || header[1] != 3 || header[2] != 3) {
      throw NetError(fmt::format("unexpected TLS record (type {}, version {}.{}) after the handshake",
                                 header[0], header[1], header[2]));
    }
    check_record_length(length);
    if (length < kTag + 1) {
      throw NetError(fmt::format("TLS record of {} bytes from {} is too short", length, who_));
    }
    const unsigned char* ct = header + kHeader;
    const std::size_t inner = length - kTag;  // content plus the inner type byte (plus padding)
    std::array<unsigned char, 12> nonce = keys_.iv;
    for (int i = 0; i < 8; ++i) nonce[11 - i] ^= static_cast<unsigned char>(seq_ >> (8 * i));
    const bool direct = inner - 1 <= size;
    // Defensive: whatever the checks above, never decrypt past plain_.
    if (!direct && inner > plain_.size()) {
      throw NetError(fmt::format("record_overflow from {}: {} bytes of inner plaintext", who_, inner));
    }
    unsigned char* out = direct ? reinterpret_cast<unsigned char*>(data) : plain_.data();
    unsigned char last = 0;
    bool ok = false;
    if (fast_ && direct) {
      ok = fast_->open_with_last(nonce.data(), header, kHeader, ct, inner - 1, out, &last, ct + inner);
    } else if (fast_) {
      ok = fast_->open(nonce.data(), header, kHeader, ct, out, inner, ct + inner);
      last = out[inner - 1];
    } else {
      int len = 0;
      ok = EVP_DecryptInit_ex(ctx_, nullptr, nullptr, nullptr, nonce.data()) == 1 &&
           EVP_DecryptUpdate(ctx_, nullptr, &len, header, static_cast<int>(kHeader)) == 1;
      if (direct) {
        ok = ok && (inner == 1 || EVP_DecryptUpdate(ctx_, out, &len, ct, static_cast<int>(inner - 1)) == 1) &&
             EVP_DecryptUpdate(ctx_, &last, &len, ct + inner - 1, 1) == 1;
      } else {
        ok = ok && EVP_DecryptUpdate(ctx_, out, &len, ct, static_cast<int>(inner)) == 1;
        last = out[inner - 1];
      }
      ok = ok && EVP_CIPHER_CTX_ctrl(ctx_, EVP_CTRL_AEAD_SET_TAG, static_cast<int>(kTag),
                                     const_cast<unsigned char*>(ct + inner)) == 1;
      unsigned char final_block[16];
      ok = ok && EVP_DecryptFinal_ex(ctx_, final_block, &len) == 1;
    }
    if (!ok) throw NetError("a TLS record failed authentication (corrupted or forged data)");
    ++seq_;
    begin_ += kHeader + length;
    // The inner content type is the last non-zero byte (zeros are padding).
    std::size_t content = inner - 1;
    unsigned char type = last;
    while (type == 0) {
      if (content == 0) throw NetError("a TLS record has no content type");
      --content;
      type = out[content];
    }
    if (type == 21) {
      const unsigned char description = content >= 2 ? out[1] : 0xff;
      if (description == 0) throw StreamClosed("connection closed");
      throw NetError(fmt::format("the peer sent TLS alert {}", description));
    }
    if (type == 22) {
      // A post-handshake message: only a KeyUpdate, and it ends its record
      // (RFC 8446 section 5.1), so the next record uses the next key.
      check_post_handshake_message(out, content);
      keys_.next_generation();
      if (EVP_DecryptInit_ex(ctx_, nullptr, nullptr, keys_.key.data(), nullptr) != 1) {
        throw NetError("cannot set up the TLS record decryption after a KeyUpdate");
      }
      fast_ = fast_cipher(keys_);
      seq_ = 0;
      ++key_updates_;
      if (direct) OPENSSL_cleanse(out, content);  // not application data
      return 0;
    }
    if (type != 23) {
      throw NetError(
          fmt::format("unexpected TLS message of type {} after the handshake (not supported)", type));
    }
    if (direct) return content;
    plain_begin_ = 0;
    plain_end_ = content;
    return 0;
  }

  int fd_;
  std::string who_;  // the peer, for error messages
  EVP_CIPHER_CTX* ctx_ = nullptr;
  RecordKeys keys_;
  std::unique_ptr<simd::Aes128Gcm> fast_;  // null: EVP
  std::uint64_t seq_ = 0;
  std::uint64_t key_updates_ = 0;
  std::vector<unsigned char> buf_;
  std::size_t begin_ = 0, end_ = 0;
  std::vector<unsigned char> plain_;
  std::size_t plain_begin_ = 0, plain_end_ = 0;
};

// A RecordReader for the peer's direction of `ssl`, or null when this
// session must keep using SSL_read (another cipher suite, or bytes already
// buffered inside OpenSSL).
std::unique_ptr<RecordReader> make_record_reader(SSL* ssl, int fd, const std::string& secret_hex,
                                                 const std::string& who) {
  RecordKeys keys;
  if (SSL_has_pending(ssl) || !derive_record_keys(ssl, secret_hex, keys)) return nullptr;
  return std::make_unique<RecordReader>(keys, fd, kTlsReadBufferBytes, who);
}

// The send side of an established TLS 1.3 connection, the counterpart of
// RecordReader: encrypts application-data records straight from the
// caller's buffer into one large send buffer (OpenSSL's SSL_write copies the
// plaintext into its record buffer, and the buffering BIO copies each record
// again) and writes it with one send() per 256 KiB. Records carry at most
// 2^14 bytes, no padding, inner type application_data, nonce = IV xor
// sequence number (RFC 8446 section 5). Every records_per_key records it
// sends a KeyUpdate and continues under the next traffic secret.
class RecordWriter {
 public:
  static constexpr std::size_t kMaxPlain = 1 << 14;
  static constexpr std::size_t kHeader = 5;
  static constexpr std::size_t kTag = 16;
  static constexpr std::size_t kMaxRecord = kHeader + kMaxPlain + 1 + kTag;

  // One KeyUpdate record: header, handshake message (4 + 1 bytes), inner
  // type, tag.
  static constexpr std::size_t kKeyUpdateRecord = kHeader + 5 + 1 + kTag;
  // Room one write step needs: a KeyUpdate record and a full data record.
  static constexpr std::size_t kRoom = kKeyUpdateRecord + kMaxRecord;

  RecordWriter(const RecordKeys& keys, int fd, std::size_t buffer_bytes, std::uint64_t records_per_key)
      : fd_(fd),
        keys_(keys),
        fast_(fast_cipher(keys_)),
        records_per_key_(std::clamp<std::uint64_t>(records_per_key, 1, std::uint64_t{1} << 24)),
        buf_(buffer_bytes) {
    ctx_ = EVP_CIPHER_CTX_new();
    if (ctx_ == nullptr || EVP_EncryptInit_ex(ctx_, keys_.cipher, nullptr, nullptr, nullptr) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx_, EVP_CTRL_AEAD_SET_IVLEN, 12, nullptr) != 1 ||
        EVP_EncryptInit_ex(ctx_, nullptr, nullptr, keys_.key.data(), nullptr) != 1) {
      EVP_CIPHER_CTX_free(ctx_);
      throw NetError("cannot set up the TLS record encryption");
    }
  }
  ~RecordWriter() { EVP_CIPHER_CTX_free(ctx_); }
  RecordWriter(const RecordWriter&) = delete;
  RecordWriter& operator=(const RecordWriter&) = delete;

  // Bytes of `data` taken (encrypted into the send buffer), or 0 when the
  // buffer is full and the tick passed without the socket taking any.
  std::size_t write_some(const std::byte* data, std::size_t size) {
    if (buf_.size() - end_ < kRoom) {
      send_pending();
      if (buf_.size() - end_ < kRoom) return 0;
    }
    std::size_t taken = 0;
    while (taken < size && buf_.size() - end_ >= kRoom) {
      if (seq_ == records_per_key_) update_key();
      const std::size_t n = std::min(kMaxPlain, size - taken);
      seal(23, reinterpret_cast<const unsigned char*>(data) + taken, n);
      taken += n;
    }
    return taken;
  }

  std::uint64_t key_updates() const { return key_updates_; }

  // True when every encrypted byte is on the socket.
  bool flush() {
    send_pending();
    return begin_ == end_;
  }

 private:
  // RFC 8446 section 4.6.3: a KeyUpdate (update_not_requested) in a record
  // under the current key, then application_traffic_secret_N+1 and its key
  // and IV, sequence number 0. Long before the AES-GCM limit of section 5.5
  // (2^24.5 records per key), so a session never runs out of records.
  void update_key() {
    static constexpr unsigned char kKeyUpdate[5] = {24, 0, 0, 1, 0};  // key_update, length 1, not requested
    seal(22, kKeyUpdate, sizeof kKeyUpdate);
    keys_.next_generation();
    if (EVP_EncryptInit_ex(ctx_, nullptr, nullptr, keys_.key.data(), nullptr) != 1) {
      throw NetError("cannot set up the TLS record encryption after a KeyUpdate");
    }
    fast_ = fast_cipher(keys_);
    seq_ = 0;
    ++key_updates_;
  }

  // One record of the given inner content type into the send buffer.
  void seal(unsigned char inner_type, const unsigned char* plain, std::size_t n) {
    unsigned char* rec = buf_.data() + end_;
    const std::size_t length = n + 1 + kTag;
    rec[0] = 23;  // outer type application_data; the real type is inside
    rec[1] = 3;
    rec[2] = 3;
    rec[3] = static_cast<unsigned char>(length >> 8);
    rec[4] = static_cast<unsigned char>(length);
    std::array<unsigned char, 12> nonce = keys_.iv;
    for (int i = 0; i < 8; ++i) nonce[11 - i] ^= static_cast<unsigned char>(seq_ >> (8 * i));
    unsigned char* out = rec + kHeader;
    if (fast_) {
      fast_->seal_with_last(nonce.data(), rec, kHeader, plain, n, inner_type, out, out + n + 1);
      ++seq_;
      end_ += kHeader + length;
      return;
    }
    int len = 0;
    const bool ok =
        EVP_EncryptInit_ex(ctx_, nullptr, nullptr, nullptr, nonce.data()) == 1 &&
        EVP_EncryptUpdate(ctx_, nullptr, &len, rec, static_cast<int>(kHeader)) == 1 &&
        (n == 0 || EVP_EncryptUpdate(ctx_, out, &len, plain, static_cast<int>(n)) == 1) &&
        EVP_EncryptUpdate(ctx_, out + n, &len, &inner_type, 1) == 1 &&
        EVP_EncryptFinal_ex(ctx_, out + n + 1, &len) == 1 &&
        EVP_CIPHER_CTX_ctrl(ctx_, EVP_CTRL_AEAD_GET_TAG, static_cast<int>(kTag), out + n + 1) == 1;
    if (!ok) throw NetError("TLS record encryption failed");
    ++seq_;
    end_ += kHeader + length;
  }

  // Sends what the socket takes within one tick.
  void send_pending() {
    while (begin_ < end_) {
      const ssize_t n = ::send(fd_, buf_.data() + begin_, end_ - begin_, MSG_NOSIGNAL);
      if (n > 0) {
        begin_ += static_cast<std::size_t>(n);
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
      throw NetError(fmt::format("write failed: {}", n == 0 ? "connection reset" : std::strerror(errno)));
    }
    begin_ = end_ = 0;
  }

  int fd_;
  EVP_CIPHER_CTX* ctx_ = nullptr;
  RecordKeys keys_;
  std::unique_ptr<simd::Aes128Gcm> fast_;  // null: EVP
  std::uint64_t records_per_key_;
  std::uint64_t seq_ = 0;
  std::uint64_t key_updates_ = 0;
  std::vector<unsigned char> buf_;
  std::size_t begin_ = 0, end_ = 0;
};

class TlsStream final : public Stream {
 public:
  TlsStream(int fd, SSL* ssl) : Stream(fd), ssl_(ssl) {}
  ~TlsStream() override { SSL_free(ssl_); }

  // From now on this stream decrypts records itself (see RecordReader).
  void use_record_reader(std::unique_ptr<RecordReader> reader) { reader_ = std::move(reader); }
  void use_record_writer(std::unique_ptr<RecordWriter> writer) { writer_ = std::move(writer); }
  bool has_record_reader() const { return reader_ != nullptr; }
  bool has_record_writer() const { return writer_ != nullptr; }
  std::uint64_t key_updates_sent() const { return writer_ ? writer_->key_updates() : 0; }
  std::uint64_t key_updates_received() const { return reader_ ? reader_->key_updates() : 0; }

  std::size_t read_some(std::byte* data, std::size_t size) override {
    if (reader_) return reader_->read_some(data, size);
    ERR_clear_error();
    std::size_t n = 0;
    if (SSL_read_ex(ssl_, data, size, &n) == 1) return n;
    const int err = SSL_get_error(ssl_, 0);
    if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) return 0;
    if (err == SSL_ERROR_ZERO_RETURN) throw StreamClosed("connection closed");
    if (err == SSL_ERROR_SYSCALL && errno == EINTR) return 0;
    if (err == SSL_ERROR_SYSCALL) {
      throw NetError(fmt::format("read failed: {}", errno != 0 ? std::strerror(errno) : "connection reset"));
    }
    throw NetError(fmt::format("TLS read failed: {}", openssl_error_text()));
  }

  std::size_t write_some(const std::byte* data, std::size_t size) override {
    if (writer_) return writer_->write_some(data, size);
    ERR_clear_error();
    std::size_t n = 0;
    if (SSL_write_ex(ssl_, data, size, &n) == 1) return n;
    const int err = SSL_get_error(ssl_, 0);
    if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) return 0;
    if (err == SSL_ERROR_SYSCALL && errno == EINTR) return 0;
    if (err == SSL_ERROR_SYSCALL) {
      throw NetError(fmt::format("write failed: {}", errno != 0 ? std::strerror(errno) : "connection reset"));
    }
    throw NetError(fmt::format("TLS write failed: {}", openssl_error_text()));
  }

  bool flush() override {
    if (writer_) return writer_->flush();
    errno = 0;
    if (BIO_flush(SSL_get_wbio(ssl_)) == 1) return true;
    if (BIO_should_retry(SSL_get_wbio(ssl_))) return false;
    throw NetError(fmt::format("write failed: {}", errno != 0 ? std::strerror(errno) : "connection reset"));
  }

 private:
  SSL* ssl_;
  std::unique_ptr<RecordReader> reader_;
  std::unique_ptr<RecordWriter> writer_;
};

std::string common_name_of(X509* cert) {
  char buf[256] = "";
  const int n = X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, buf, sizeof buf);
  return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
}

// Subject of the certificate that failed verification in this thread's
// handshake, so the error can name it even though it was not accepted.
thread_local std::string t_refused_common_name;

int remember_refused_certificate(int ok, X509_STORE_CTX* store) {
  if (ok == 0) {
    if (X509* cert = X509_STORE_CTX_get0_cert(store)) t_refused_common_name = common_name_of(cert);
  }
  return ok;
}

}  // namespace

Stream::Stream(int fd) : fd_(fd) {}
Stream::~Stream() { ::close(fd_); }
void Stream::shutdown() { ::shutdown(fd_, SHUT_RDWR); }

void Stream::set_nonblocking() {
  const int flags = ::fcntl(fd_, F_GETFL);
  if (flags < 0 || ::fcntl(fd_, F_SETFL, flags | O_NONBLOCK) != 0) {
    throw NetError(fmt::format("cannot make a socket non-blocking: {}", std::strerror(errno)));
  }
}

std::unique_ptr<Stream> make_plain_stream(int fd, std::chrono::milliseconds tick) {
  configure_socket(fd, tick);
  return std::make_unique<PlainStream>(fd);
}

SslCtxPtr make_tls_context(const std::string& ca_file, const std::string& cert_file,
                           const std::string& key_file) {
  ERR_clear_error();
  SslCtxPtr ctx(SSL_CTX_new(TLS_method()));
  if (!ctx) throw NetError(fmt::format("cannot create a TLS context: {}", openssl_error_text()));
  SSL_CTX_set_min_proto_version(ctx.get(), TLS1_3_VERSION);
  SSL_CTX_set_max_proto_version(ctx.get(), TLS1_3_VERSION);
  // AES-128-GCM first: the fastest AEAD with AES-NI, and enough security.
  SSL_CTX_set_ciphersuites(ctx.get(),
                           "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256");
  SSL_CTX_set_options(ctx.get(), SSL_OP_IGNORE_UNEXPECTED_EOF | SSL_OP_NO_TICKET);
  SSL_CTX_set_num_tickets(ctx.get(), 0);
  // Send only our own certificate: every party has the CA, and a chain with
  // a foreign root would hide the clearer "unable to get local issuer".
  SSL_CTX_set_mode(ctx.get(), SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_AUTO_RETRY | SSL_MODE_NO_AUTO_CHAIN);
  SSL_CTX_set_read_ahead(ctx.get(), 1);
  SSL_CTX_set_default_read_buffer_len(ctx.get(), kTlsReadBufferBytes);
  if (SSL_CTX_load_verify_locations(ctx.get(), ca_file.c_str(), nullptr) != 1) {
    throw FileError(fmt::format("cannot load the CA certificate {}: {}", ca_file, openssl_error_text()));
  }
  if (SSL_CTX_use_certificate_chain_file(ctx.get(), cert_file.c_str()) != 1) {
    throw FileError(fmt::format("cannot load the certificate {}: {}", cert_file, openssl_error_text()));
  }
  if (SSL_CTX_use_PrivateKey_file(ctx.get(), key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
    throw FileError(fmt::format("cannot load the private key {}: {}", key_file, openssl_error_text()));
  }
  if (SSL_CTX_check_private_key(ctx.get()) != 1) {
    throw FileError(fmt::format("the private key {} does not match the certificate {}", key_file, cert_file));
  }
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
                     remember_refused_certificate);
  SSL_CTX_set_verify_depth(ctx.get(), 2);
  SSL_CTX_set_keylog_callback(ctx.get(), keylog_callback);
  return ctx;
}

std::unique_ptr<Stream> make_tls_stream(SSL_CTX* ctx, int fd, bool server, std::chrono::milliseconds tick,
                                        std::chrono::steady_clock::time_point deadline,
                                        const std::string& who, std::string& peer_common_name,
                                        bool own_record_layer, std::uint64_t records_per_key) {
  configure_socket(fd, tick);
  SSL* ssl = SSL_new(ctx);
  if (ssl == nullptr) {
    ::close(fd);
    throw NetError(fmt::format("cannot create a TLS session for {}: {}", who, openssl_error_text()));
  }
  auto stream = std::make_unique<TlsStream>(fd, ssl);  // owns fd and ssl from here
  // Reads straight from the socket (read-ahead fills a large buffer); writes
  // through a buffer so a large frame leaves in 256 KiB writes, not one
  // syscall per 16 KiB record. Frames end with flush().
  BIO* socket_bio = BIO_new_socket(fd, BIO_NOCLOSE);
  BIO* buffer_bio = BIO_new(BIO_f_buffer());
  if (socket_bio == nullptr || buffer_bio == nullptr ||
      BIO_set_write_buffer_size(buffer_bio, kTlsWriteBufferBytes) != 1) {
    BIO_free(socket_bio);
    BIO_free(buffer_bio);
    throw NetError(fmt::format("cannot set up TLS buffers for {}: {}", who, openssl_error_text()));
  }
  BIO_up_ref(socket_bio);  // referenced by both the read side and the write chain
  SSL_set_bio(ssl, socket_bio, BIO_push(buffer_bio, socket_bio));
  // The listener only reads after the HELLO exchange and the dialer only
  // writes: they decrypt / encrypt the records themselves (RecordReader,
  // RecordWriter), so OpenSSL must not read past the handshake, and the
  // key-log callback hands over the dialer's application traffic secret.
  TrafficSecrets secrets;
  struct ForgetSecrets {
    SSL* ssl;
    ~ForgetSecrets() { SSL_set_ex_data(ssl, traffic_secrets_index(), nullptr); }
  } forget{ssl};
  if (own_record_layer) SSL_set_ex_data(ssl, traffic_secrets_index(), &secrets);
  if (server && own_record_layer) {
    SSL_set_read_ahead(ssl, 0);
    SSL_set_accept_state(ssl);
  } else if (server) {
    SSL_set_accept_state(ssl);
  } else {
    SSL_set_connect_state(ssl);
  }
  t_refused_common_name.clear();
  for (;;) {
    ERR_clear_error();
    errno = 0;
    const int rc = SSL_do_handshake(ssl);
    if (rc == 1) break;
    const int err = SSL_get_error(ssl, rc);
    const long verify = SSL_get_verify_result(ssl);
    if (verify != X509_V_OK) {
      throw NetError(fmt::format("certificate of {}{} refused: {}", who,
                                 t_refused_common_name.empty()
                                     ? std::string()
                                     : fmt::format(" (it names '{}')", t_refused_common_name),
                                 X509_verify_cert_error_string(verify)));
    }
    if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
      if (std::chrono::steady_clock::now() > deadline) {
        throw NetError(fmt::format("TLS handshake with {} timed out", who));
      }
      continue;
    }
    if (err == SSL_ERROR_SYSCALL || err == SSL_ERROR_ZERO_RETURN) {
      throw NetError(fmt::format("TLS handshake with {} failed: connection closed by the peer{}", who,
                                 errno != 0 ? fmt::format(" ({})", std::strerror(errno)) : std::string()));
    }
    const std::string reason = openssl_error_text();
    throw NetError(
        fmt::format("TLS handshake with {} failed: {}{}", who, reason,
                    reason.find("alert") != std::string::npos ? " (the peer refused the connection)" : ""));
  }
  X509* peer = SSL_get0_peer_certificate(ssl);
  if (peer == nullptr) throw NetError(fmt::format("{} presented no certificate", who));
  peer_common_name = common_name_of(peer);
  if (!own_record_layer) return stream;
  if (server) {
    if (auto reader = make_record_reader(ssl, fd, secrets.client, who)) {
      stream->use_record_reader(std::move(reader));
    } else {
      SSL_set_read_ahead(ssl, 1);  // SSL_read it is, with many records per read()
    }
  } else {
    // The Finished message may still sit in the write buffer: it must leave
    // before the first record of ours.
    while (BIO_flush(SSL_get_wbio(ssl)) != 1) {
      if (!BIO_should_retry(SSL_get_wbio(ssl)) || std::chrono::steady_clock::now() > deadline) {
        throw NetError(fmt::format("TLS handshake with {} failed: could not send the last message", who));
      }
    }
    RecordKeys keys;
    if (derive_record_keys(ssl, secrets.client, keys)) {
      stream->use_record_writer(
          std::make_unique<RecordWriter>(keys, fd, kTlsWriteBufferBytes, records_per_key));
      // OpenSSL still reads on this SSL (the listener's HELLO reply) and may
      // then write: an alert on a damaged record, a reply to a KeyUpdate, a
      // close_notify. It would seal that under the client traffic key with
      // its own sequence number 0, which the own writer has used already:
      // one AES-GCM key and nonce for two plaintexts. So OpenSSL's writes go
      // to a sink from here and shutdown sends nothing. A sink rather than an
      // own reader on the dialer too: it covers every path by which OpenSSL
      // could write, keeps the one-frame read on OpenSSL (no 256 KiB reader
      // buffer per link) and leaves the data path untouched. The peer sees a
      // failed dialer only as a closed connection, without an alert.
      BIO* sink = BIO_new(BIO_s_null());
      if (sink == nullptr) throw NetError(fmt::format("cannot set up TLS buffers for {}", who));
      SSL_set0_wbio(ssl, sink);  // frees the buffer BIO; the socket BIO stays the read side's
      SSL_set_quiet_shutdown(ssl, 1);
    }
  }
  return stream;
}

std::unique_ptr<Stream> make_record_stream_for_testing(int fd, bool aes256,
                                                       std::span<const unsigned char> secret,
                                                       std::uint64_t records_per_key,
                                                       std::size_t read_buffer_bytes) {
  auto stream = std::make_unique<TlsStream>(fd, nullptr);  // owns fd; no SSL behind it
  RecordKeys keys;
  keys.cipher = aes256 ? EVP_aes_256_gcm() : EVP_aes_128_gcm();
  keys.md = aes256 ? EVP_sha384() : EVP_sha256();
  if (secret.size() != static_cast<std::size_t>(EVP_MD_get_size(keys.md))) {
    throw NetError(fmt::format("test record stream: a traffic secret of {} bytes (the suite needs {})",
                               secret.size(), EVP_MD_get_size(keys.md)));
  }
  keys.secret.assign(secret.begin(), secret.end());
  keys.derive_key_and_iv();
  stream->use_record_reader(std::make_unique<RecordReader>(keys, fd, read_buffer_bytes, "test peer"));
  stream->use_record_writer(std::make_unique<RecordWriter>(keys, fd, kTlsWriteBufferBytes, records_per_key));
  return stream;
}

bool decrypts_records_itself(const Stream& s) {
  const auto* tls = dynamic_cast<const TlsStream*>(&s);
  return tls != nullptr && tls->has_record_reader();
}

bool encrypts_records_itself(const Stream& s) {
  const auto* tls = dynamic_cast<const TlsStream*>(&s);
  return tls != nullptr && tls->has_record_writer();
}

std::uint64_t key_updates_sent(const Stream& s) {
  const auto* tls = dynamic_cast<const TlsStream*>(&s);
  return tls != nullptr ? tls->key_updates_sent() : 0;
}

std::uint64_t key_updates_received(const Stream& s) {
  const auto* tls = dynamic_cast<const TlsStream*>(&s);
  return tls != nullptr ? tls->key_updates_received() : 0;
}

void check_post_handshake_message(const unsigned char* content, std::size_t size) {
  if (size < 4) {
    throw NetError(fmt::format(
        "a TLS handshake record after the handshake holds {} bytes, too few for a message", size));
  }
  const unsigned msg_type = content[0];
  const std::size_t length = (std::size_t{content[1]} << 16) | (std::size_t{content[2]} << 8) | content[3];
  if (msg_type != 24) {
    throw NetError(fmt::format(
        "unexpected TLS handshake message (type {}) after the handshake; only KeyUpdate (24) is accepted",
        msg_type));
  }
  if (length != 1) {
    throw NetError(fmt::format("malformed TLS KeyUpdate: body of {} bytes (must be 1)", length));
  }
  if (size < 5) throw NetError(fmt::format("malformed TLS KeyUpdate: truncated ({} of 5 bytes)", size));
  if (size > 5) {
    throw NetError(
        "malformed TLS KeyUpdate: more data follows it in its record (a key change must end the record)");
  }
  if (content[4] == 1) {
    throw NetError(
        "the peer requested a TLS key update (update_requested); this record layer only accepts "
        "update_not_requested");
  }
  if (content[4] != 0) {
    throw NetError(fmt::format("malformed TLS KeyUpdate: request_update {} (must be 0 or 1)", content[4]));
  }
}

}  // namespace sqt::net
