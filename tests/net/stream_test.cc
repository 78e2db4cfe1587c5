// TLS streams over socket pairs with a relay in between, so a test can
// damage bytes on the wire: the dialer encrypts and the listener decrypts
// records itself (RecordWriter / RecordReader in host/net/stream.cc); both
// must interoperate with OpenSSL, deliver exactly what was sent, refuse a
// modified record and report a clean close. With a tiny key-update interval
// the own sender sends TLS 1.3 KeyUpdates every few records: OpenSSL must
// read across them, the own receiver must follow OpenSSL's KeyUpdates, and a
// damaged or malformed KeyUpdate must be refused.
#include "host/net/stream.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/ssl.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <future>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include "host/core/error.h"
#include "tests/net/stream_io.h"
#include "tests/net/test_deployment.h"

namespace sqt::net {
namespace {

using testing::Clock;
using ::testing::HasSubstr;

// Copies bytes between two sockets in both directions; after arm(k) it
// flips one byte k bytes further along the dialer-to-listener direction.
class Relay {
 public:
  Relay(int to_dialer, int to_listener) : a_(to_dialer), b_(to_listener) {
    forward_ = std::thread([this] { pump(a_, b_, true); });
    backward_ = std::thread([this] { pump(b_, a_, false); });
  }
  ~Relay() {
    ::shutdown(a_, SHUT_RDWR);
    ::shutdown(b_, SHUT_RDWR);
    forward_.join();
    backward_.join();
    ::close(a_);
    ::close(b_);
  }
  void arm(long offset) { flip_at_ = forwarded_.load() + offset; }
  // Writes raw bytes towards the listener in one write(), as an on-path
  // attacker would; call only at a record boundary (nothing in flight).
  void inject(const std::vector<unsigned char>& bytes) {
    if (::write(b_, bytes.data(), bytes.size()) != static_cast<ssize_t>(bytes.size())) {
      throw NetError("relay: the injected bytes did not go out in one write");
    }
  }

 private:
  void pump(int from, int to, bool tamper) {
    std::vector<unsigned char> buf(1 << 16);
    for (;;) {
      const ssize_t n = ::read(from, buf.data(), buf.size());
      if (n <= 0) break;
      if (tamper) {
        const long start = forwarded_.load();
        const long at = flip_at_.load();
        if (at >= start && at < start + n) buf[static_cast<std::size_t>(at - start)] ^= 0x20;
        forwarded_ += n;
      }
      for (ssize_t done = 0; done < n;) {
        const ssize_t w = ::write(to, buf.data() + done, static_cast<std::size_t>(n - done));
        if (w <= 0) {
          ::shutdown(to, SHUT_RDWR);
          return;
        }
        done += w;
      }
    }
    ::shutdown(to, SHUT_WR);
  }

  int a_, b_;
  std::atomic<long> forwarded_{0}, flip_at_{-1};
  std::thread forward_, backward_;
};

struct Connected {
  std::unique_ptr<Relay> relay;
  std::unique_ptr<Stream> dialer, listener;
};

// own_dialer / own_listener: whether that end uses the own record layer or
// OpenSSL's SSL_write / SSL_read.
// suites: TLS 1.3 cipher suites both ends offer (null: the product's list);
// TLS_AES_256_GCM_SHA384 moves the own record layer onto OpenSSL's EVP
// cipher instead of the simd AES-128-GCM.
Connected connect_pair(testing::TestDeployment& d, bool own_dialer = true, bool own_listener = true,
                       std::uint64_t records_per_key = kDefaultRecordsPerKey, const char* suites = nullptr) {
  int dial[2], listen[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM, 0, dial) != 0 ||
      ::socketpair(AF_UNIX, SOCK_STREAM, 0, listen) != 0) {
    throw NetError("socketpair failed");
  }
  Connected c;
  c.relay = std::make_unique<Relay>(dial[1], listen[1]);
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  const auto tick = std::chrono::milliseconds(100);
  SslCtxPtr dial_ctx = make_tls_context(d.config(0).ca_cert, d.config(0).cert, d.config(0).key);
  SslCtxPtr listen_ctx = make_tls_context(d.config(1).ca_cert, d.config(1).cert, d.config(1).key);
  if (suites != nullptr && (SSL_CTX_set_ciphersuites(dial_ctx.get(), suites) != 1 ||
                            SSL_CTX_set_ciphersuites(listen_ctx.get(), suites) != 1)) {
    throw NetError("cannot set the test's cipher suites");
  }
  auto server = std::async(std::launch::async, [&] {
    std::string cn;
    return make_tls_stream(listen_ctx.get(), listen[0], true, tick, deadline, "dialer", cn, own_listener,
                           records_per_key);
  });
  std::string cn;
  c.dialer = make_tls_stream(dial_ctx.get(), dial[0], false, tick, deadline, "listener", cn, own_dialer,
                             records_per_key);
  c.listener = server.get();
  return c;
}

std::vector<std::byte> pattern(std::size_t n, unsigned seed) {
  std::vector<std::byte> out(n);
  std::uint32_t x = seed * 2654435761u + 1;
  for (auto& b : out) {
    x = x * 1664525u + 1013904223u;
    b = std::byte{static_cast<std::uint8_t>(x >> 24)};
  }
  return out;
}

using testing::check_progress;
using testing::kStallLimit;
void write_frame(Stream& s, const std::vector<std::byte>& data) { testing::write_all(s, data); }

// Reads `size` bytes in pieces of the given sizes (cycled), like the mesh's
// header and payload reads.
std::vector<std::byte> read_in_pieces(Stream& s, std::size_t size, const std::vector<std::size_t>& pieces) {
  std::vector<std::byte> out(size);
  std::size_t done = 0;
  auto last = Clock::now();
  for (std::size_t k = 0; done < size; ++k) {
    const std::size_t want = std::min(pieces[k % pieces.size()], size - done);
    std::size_t got = 0;
    while (got == 0) {
      got = s.read_some(out.data() + done, want);
      check_progress(got > 0, last);
    }
    done += got;
  }
  return out;
}

// Runs `read` while `writer` sends; if reading fails, shuts both streams
// down so the writer ends too (a failing test reports, never hangs).
template <typename Read>
void finish_or_stop(std::future<void>& writer, Connected& c, Read read) {
  try {
    read();
  } catch (...) {
    c.dialer->shutdown();
    c.listener->shutdown();
    try {
      writer.get();
    } catch (...) {
    }
    throw;
  }
  writer.get();
}

// Every combination of the own record layer and OpenSSL on the two ends:
// own records must be ordinary TLS 1.3 records that OpenSSL reads, and the
// other way round.
// With records_per_key = 3 the own sender sends a KeyUpdate every three
// records: OpenSSL's SSL_read must follow them (an independent check of the
// "traffic upd" derivation), and so must the own receiver.
TEST(TlsStream, OwnRecordsInteroperateWithOpenSslBitExact) {
  for (const auto& [own_dialer, own_listener, records_per_key] :
       std::vector<std::tuple<bool, bool, std::uint64_t>>{{true, true, kDefaultRecordsPerKey},
                                                          {true, false, kDefaultRecordsPerKey},
                                                          {false, true, kDefaultRecordsPerKey},
                                                          {false, false, kDefaultRecordsPerKey},
                                                          {true, true, 3},
                                                          {true, false, 3},
                                                          {true, false, 1}}) {
    SCOPED_TRACE(::testing::Message()
                 << "dialer " << (own_dialer ? "own" : "OpenSSL") << ", listener "
                 << (own_listener ? "own" : "OpenSSL") << ", records per key " << records_per_key);
    testing::TestDeployment d(2);
    Connected c = connect_pair(d, own_dialer, own_listener, records_per_key);
    EXPECT_EQ(encrypts_records_itself(*c.dialer), own_dialer);
    EXPECT_EQ(decrypts_records_itself(*c.listener), own_listener);
    EXPECT_FALSE(decrypts_records_itself(*c.dialer));
    EXPECT_FALSE(encrypts_records_itself(*c.listener));
    const std::vector<std::size_t> sizes{1, 16, 16383, 16384, 16385, 100000, 0, (std::size_t{3} << 20) + 7};
    auto writer = std::async(std::launch::async, [&] {
      for (std::size_t k = 0; k < sizes.size(); ++k) {
        write_frame(*c.dialer, pattern(sizes[k], static_cast<unsigned>(k)));
      }
    });
    finish_or_stop(writer, c, [&] {
      for (std::size_t k = 0; k < sizes.size(); ++k) {
        // Pieces smaller and larger than a record, so records are split
        // across reads and reads span records.
        const auto got = read_in_pieces(*c.listener, sizes[k], {1, 15, 4096, 70000, 16384, 1 << 20});
        EXPECT_EQ(got, pattern(sizes[k], static_cast<unsigned>(k)))
            << "frame " << k << " of " << sizes[k] << " bytes";
      }
    });
    if (own_dialer && records_per_key <= 3) {
      // 3 MiB alone are 192 records: dozens of KeyUpdates at least.
      EXPECT_GT(key_updates_sent(*c.dialer), 60u);
    } else {
      EXPECT_EQ(key_updates_sent(*c.dialer), 0u);
    }
    EXPECT_EQ(key_updates_received(*c.listener), own_listener ? key_updates_sent(*c.dialer) : 0u);
    // The other direction goes through OpenSSL on both ends.
    write_frame(*c.listener, pattern(5000, 99));
    EXPECT_EQ(read_in_pieces(*c.dialer, 5000, {5000}), pattern(5000, 99));
  }
}

TEST(TlsStream, ModifiedRecordIsRefused) {
  testing::TestDeployment d(2);
  Connected c = connect_pair(d);
  ASSERT_TRUE(decrypts_records_itself(*c.listener));
  ASSERT_TRUE(encrypts_records_itself(*c.dialer));
  write_frame(*c.dialer, pattern(1000, 1));
  EXPECT_EQ(read_in_pieces(*c.listener, 1000, {1000}), pattern(1000, 1));
  c.relay->arm(20000);  // inside the second record of the next frame
  write_frame(*c.dialer, pattern(50000, 2));
  try {
    read_in_pieces(*c.listener, 50000, {50000});
    FAIL() << "a modified record was accepted";
  } catch (const NetError& e) {
    EXPECT_THAT(e.what(), HasSubstr("failed authentication"));
  }
}

// Regression: a header announcing 65,535 bytes, delivered with its whole
// body by one recv(), used to be decrypted into the 16 KiB overflow buffer
// before the tag was checked (a heap overflow any on-path attacker could
// trigger). It must be refused as record_overflow before any decryption, on
// the simd AES-128-GCM path and on OpenSSL's EVP path alike.
TEST(TlsStream, OversizedRecordInOneWriteIsRecordOverflow) {
  for (const char* suites : {"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384"}) {
    SCOPED_TRACE(suites);
    testing::TestDeployment d(2);
    Connected c = connect_pair(d, true, true, kDefaultRecordsPerKey, suites);
    ASSERT_TRUE(decrypts_records_itself(*c.listener));
    write_frame(*c.dialer, pattern(1000, 1));
    EXPECT_EQ(read_in_pieces(*c.listener, 1000, {1000}), pattern(1000, 1));
    std::vector<unsigned char> record{0x17, 0x03, 0x03, 0xff, 0xff};
    record.resize(5 + 65535, 0x41);
    c.relay->inject(record);
    // Wait until the whole record sits in the listener's socket, so one
    // recv() takes header and body together (the case that overflowed).
    const auto until = Clock::now() + std::chrono::seconds(30);
    for (int queued = 0; queued < static_cast<int>(record.size());) {
      ASSERT_LT(Clock::now(), until) << "the injected record never arrived";
      if (::ioctl(c.listener->fd(), FIONREAD, &queued) != 0) FAIL() << "FIONREAD failed";
    }
    try {
      read_in_pieces(*c.listener, 16, {16});  // a frame header read: fewer bytes than the record
      FAIL() << "a 65,535-byte record was accepted";
    } catch (const NetError& e) {
      EXPECT_THAT(e.what(), HasSubstr("record_overflow from dialer"));
      EXPECT_THAT(e.what(), HasSubstr("65535"));
    }
  }
}

// Just over each bound of RFC 8446 (ciphertext 2^14 + 256, inner plaintext
// 2^14 + 1) with the body still missing: refused from the header alone.
TEST(TlsStream, RecordLengthBoundsAreCheckedFromTheHeader) {
  for (const std::size_t length : {std::size_t{(1 << 14) + 256 + 1}, std::size_t{(1 << 14) + 1 + 16 + 1}}) {
    SCOPED_TRACE(length);
    testing::TestDeployment d(2);
    Connected c = connect_pair(d);
    c.relay->inject({0x17, 0x03, 0x03, static_cast<unsigned char>(length >> 8),
                     static_cast<unsigned char>(length & 0xff)});
    try {
      read_in_pieces(*c.listener, 16, {16});
      FAIL() << "a record of " << length << " bytes was accepted";
    } catch (const NetError& e) {
      EXPECT_THAT(e.what(), HasSubstr("record_overflow"));
    }
  }
}

TEST(TlsStream, CloseBetweenRecordsIsAClosedStream) {
  testing::TestDeployment d(2);
  Connected c = connect_pair(d);
  write_frame(*c.dialer, pattern(300, 3));
  c.dialer->shutdown();
  EXPECT_EQ(read_in_pieces(*c.listener, 300, {300}), pattern(300, 3));
  std::byte b[1];
  EXPECT_THROW(
      {
        for (int i = 0; i < 100; ++i) c.listener->read_some(b, 1);
      },
      StreamClosed);
}

// Both directions of a peer pair (two connections, own record layers on
// both ends) with a KeyUpdate every 3 and every 2 records: several MiB of
// odd-sized frames arrive bit-exact across hundreds of key updates.
TEST(TlsStream, KeyUpdatesEveryFewRecordsKeepBothDirectionsBitExact) {
  testing::TestDeployment d(2);
  Connected ab = connect_pair(d, true, true, 3);
  Connected ba = connect_pair(d, true, true, 2);
  const std::vector<std::size_t> sizes{(std::size_t{5} << 20) + 13,  1,    16385, 0, 3 * 16384, 3 * 16384 + 1,
                                       (std::size_t{2} << 20) + 999, 77777};
  auto send_all = [&](Stream& s, unsigned seed) {
    for (std::size_t k = 0; k < sizes.size(); ++k)
      write_frame(s, pattern(sizes[k], seed + static_cast<unsigned>(k)));
  };
  auto check_all = [&](Stream& s, unsigned seed) {
    for (std::size_t k = 0; k < sizes.size(); ++k) {
      EXPECT_EQ(read_in_pieces(s, sizes[k], {7, 16384, 100003, 1 << 20, 1}),
                pattern(sizes[k], seed + static_cast<unsigned>(k)))
          << "frame " << k << " of " << sizes[k] << " bytes";
    }
  };
  auto w1 = std::async(std::launch::async, [&] { send_all(*ab.dialer, 10); });
  auto w2 = std::async(std::launch::async, [&] { send_all(*ba.dialer, 50); });
  auto r1 =
      std::async(std::launch::async, [&] { finish_or_stop(w1, ab, [&] { check_all(*ab.listener, 10); }); });
  finish_or_stop(w2, ba, [&] { check_all(*ba.listener, 50); });
  r1.get();
  // About 7.3 MiB = 470 full records per direction.
  EXPECT_GT(key_updates_sent(*ab.dialer), 150u);
  EXPECT_GT(key_updates_sent(*ba.dialer), 230u);
  EXPECT_EQ(key_updates_received(*ab.listener), key_updates_sent(*ab.dialer));
  EXPECT_EQ(key_updates_received(*ba.listener), key_updates_sent(*ba.dialer));
}

// A plain OpenSSL client (SSL_connect / SSL_write / SSL_key_update) against
// an own listener: the independent reference for the receiver's KeyUpdate
// handling and next-secret derivation.
struct OpenSslDialer {
  SslCtxPtr ctx;
  SSL* ssl = nullptr;
  int fd = -1;
  std::unique_ptr<Stream> listener;
  ~OpenSslDialer() {
    SSL_free(ssl);
    if (fd >= 0) ::close(fd);
  }

  void write(const std::vector<std::byte>& data) {
    for (std::size_t done = 0; done < data.size();) {
      std::size_t n = 0;
      if (SSL_write_ex(ssl, data.data() + done, data.size() - done, &n) != 1) {
        throw NetError("OpenSSL client: SSL_write failed");
      }
      done += n;
    }
  }
};

std::unique_ptr<OpenSslDialer> connect_openssl_dialer(testing::TestDeployment& d) {
  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) throw NetError("socketpair failed");
  auto c = std::make_unique<OpenSslDialer>();
  c->fd = sv[0];
  timeval tv{};
  tv.tv_sec = 30;  // a broken peer ends the test instead of hanging it
  ::setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  SslCtxPtr listen_ctx = make_tls_context(d.config(1).ca_cert, d.config(1).cert, d.config(1).key);
  auto server = std::async(std::launch::async, [&] {
    std::string cn;
    return make_tls_stream(listen_ctx.get(), sv[1], true, std::chrono::milliseconds(100),
                           Clock::now() + std::chrono::seconds(10), "dialer", cn);
  });
  c->ctx = make_tls_context(d.config(0).ca_cert, d.config(0).cert, d.config(0).key);
  c->ssl = SSL_new(c->ctx.get());
  const bool connected = c->ssl != nullptr && SSL_set_fd(c->ssl, c->fd) == 1 && SSL_connect(c->ssl) == 1;
  c->listener = server.get();
  if (!connected) throw NetError("OpenSSL client: handshake failed");
  return c;
}

TEST(TlsStream, OwnReceiverFollowsOpenSslKeyUpdates) {
  testing::TestDeployment d(2);
  auto c = connect_openssl_dialer(d);
  ASSERT_TRUE(decrypts_records_itself(*c->listener));
  constexpr int kChunks = 80;
  auto size_of = [](int k) { return static_cast<std::size_t>(k) * 7919 % 70001 + 1; };
  auto writer = std::async(std::launch::async, [&] {
    for (int k = 0; k < kChunks; ++k) {
      c->write(pattern(size_of(k), static_cast<unsigned>(k)));
      // Sent by OpenSSL in front of the next write.
      if (k + 1 < kChunks && SSL_key_update(c->ssl, SSL_KEY_UPDATE_NOT_REQUESTED) != 1) {
        throw NetError("OpenSSL client: SSL_key_update failed");
      }
    }
  });
  try {
    for (int k = 0; k < kChunks; ++k) {
      EXPECT_EQ(read_in_pieces(*c->listener, size_of(k), {5, 16384, 3000}),
                pattern(size_of(k), static_cast<unsigned>(k)))
          << "chunk " << k;
    }
  } catch (...) {
    ::shutdown(c->fd, SHUT_RDWR);  // ends the OpenSSL writer too
    try {
      writer.get();
    } catch (...) {
    }
    throw;
  }
  writer.get();
  EXPECT_EQ(key_updates_received(*c->listener), static_cast<std::uint64_t>(kChunks - 1));
}

TEST(TlsStream, PeerRequestingAKeyUpdateIsRefusedWithAClearError) {
  testing::TestDeployment d(2);
  auto c = connect_openssl_dialer(d);
  c->write(pattern(1000, 1));
  EXPECT_EQ(read_in_pieces(*c->listener, 1000, {1000}), pattern(1000, 1));
  ASSERT_EQ(SSL_key_update(c->ssl, SSL_KEY_UPDATE_REQUESTED), 1);
  c->write(pattern(1000, 2));
  try {
    read_in_pieces(*c->listener, 1000, {1000});
    FAIL() << "a requested key update was accepted silently";
  } catch (const NetError& e) {
    EXPECT_THAT(e.what(), HasSubstr("requested a TLS key update"));
  }
}

TEST(TlsStream, DamagedKeyUpdateRecordIsRefused) {
  testing::TestDeployment d(2);
  Connected c = connect_pair(d, true, true, 3);
  write_frame(*c.dialer, pattern(3 * 16384, 1));  // three full records under the first key
  EXPECT_EQ(read_in_pieces(*c.listener, 3 * 16384, {3 * 16384}), pattern(3 * 16384, 1));
  EXPECT_EQ(key_updates_sent(*c.dialer), 0u);
  c.relay->arm(5 + 2);  // inside the encrypted KeyUpdate that leads the next frame
  write_frame(*c.dialer, pattern(1000, 2));
  EXPECT_EQ(key_updates_sent(*c.dialer), 1u);
  try {
    read_in_pieces(*c.listener, 1000, {1000});
    FAIL() << "a damaged KeyUpdate record was accepted";
  } catch (const NetError& e) {
    EXPECT_THAT(e.what(), HasSubstr("failed authentication"));
  }
  EXPECT_EQ(key_updates_received(*c.listener), 0u);
}

// The contents of authentic handshake records after the handshake: only a
// well-formed KeyUpdate(update_not_requested) passes.
TEST(TlsStream, MalformedPostHandshakeMessagesAreRefused) {
  auto error_of = [](std::vector<unsigned char> m) -> std::string {
    try {
      check_post_handshake_message(m.data(), m.size());
      return "accepted";
    } catch (const NetError& e) {
      return e.what();
    }
  };
  EXPECT_EQ(error_of({24, 0, 0, 1, 0}), "accepted");
  EXPECT_THAT(error_of({24, 0, 0}), HasSubstr("too few for a message"));
  EXPECT_THAT(error_of({4, 0, 0, 1, 0}), HasSubstr("unexpected TLS handshake message (type 4)"));
  EXPECT_THAT(error_of({13, 0, 0, 1, 0}), HasSubstr("only KeyUpdate (24) is accepted"));
  EXPECT_THAT(error_of({24, 0, 0, 2, 0, 0}), HasSubstr("malformed TLS KeyUpdate: body of 2 bytes"));
  EXPECT_THAT(error_of({24, 0, 0, 1}), HasSubstr("malformed TLS KeyUpdate: truncated"));
  EXPECT_THAT(error_of({24, 0, 0, 1, 0, 24, 0, 0, 1, 0}), HasSubstr("more data follows it in its record"));
  EXPECT_THAT(error_of({24, 0, 0, 1, 1}), HasSubstr("requested a TLS key update"));
  EXPECT_THAT(error_of({24, 0, 0, 1, 7}), HasSubstr("request_update 7"));
}

}  // namespace
}  // namespace sqt::net
