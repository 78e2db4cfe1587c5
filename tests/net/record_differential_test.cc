// The own TLS record layer against OpenSSL, in both directions, through a
// relay that forwards in random chunk sizes: the own sender's records read
// by SSL_read, and SSL_write's records (with SSL_key_update between writes)
// read by the own receiver, with random write and read sizes from 1 byte to
// several MiB, on both cipher paths (simd AES-128-GCM, EVP AES-256-GCM).
// Every byte must arrive bit-exact. Seeded, so a failure repeats.
//
// Also the hand-over on the dialer: once the own sender has used the client
// traffic key, OpenSSL must never put a record of its own on the wire under
// that key (it would reuse the AES-GCM nonce of sequence number 0).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "host/core/error.h"
#include "host/net/stream.h"
#include "tests/net/stream_io.h"
#include "tests/net/test_deployment.h"

namespace sqt::net {
namespace {

using testing::Clock;

constexpr const char* kSuites[] = {"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384"};

// Forwards bytes between the dialer's and the listener's socket, each
// direction in random chunk sizes (a read of at most the chunk, then one
// write); counts the dialer's bytes and can flip one byte of the
// listener's.
class ChunkingRelay {
 public:
  ChunkingRelay(int to_dialer, int to_listener, std::uint64_t seed) : a_(to_dialer), b_(to_listener) {
    forward_ = std::thread([this, seed] { pump(a_, b_, seed, true); });
    backward_ = std::thread([this, seed] { pump(b_, a_, seed + 1, false); });
  }
  ~ChunkingRelay() {
    ::shutdown(a_, SHUT_RDWR);
    ::shutdown(b_, SHUT_RDWR);
    forward_.join();
    backward_.join();
    ::close(a_);
    ::close(b_);
  }
  ChunkingRelay(const ChunkingRelay&) = delete;
  ChunkingRelay& operator=(const ChunkingRelay&) = delete;

  long from_dialer() const { return from_dialer_.load(); }
  // Flips a byte `offset` bytes further along the listener-to-dialer stream.
  void flip_towards_dialer(long offset) { flip_at_ = to_dialer_.load() + offset; }
  // True once the dialer's socket reached EOF (it closed), false at the
  // deadline.
  bool wait_dialer_closed(Clock::time_point deadline) {
    std::unique_lock lock(m_);
    return cv_.wait_until(lock, deadline, [&] { return dialer_closed_; });
  }

 private:
  void pump(int from, int to, std::uint64_t seed, bool from_dialer) {
    std::mt19937_64 gen(seed);
    std::vector<unsigned char> buf(1 << 17);
    for (;;) {
      const int kind = static_cast<int>(gen() % 10);
      const std::size_t chunk = kind < 3   ? 1 + gen() % 16
                                : kind < 6 ? 17 + gen() % 4000
                                           : 4017 + gen() % 127000;
      const ssize_t n = ::read(from, buf.data(), chunk);
      if (n <= 0) break;
      if (from_dialer) {
        from_dialer_ += n;
      } else {
        const long start = to_dialer_.load();
        const long at = flip_at_.load();
        if (at >= start && at < start + n) buf[static_cast<std::size_t>(at - start)] ^= 0x01;
        to_dialer_ += n;
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
    if (from_dialer) {
      std::lock_guard lock(m_);
      dialer_closed_ = true;
      cv_.notify_all();
    }
  }

  int a_, b_;
  std::atomic<long> from_dialer_{0}, to_dialer_{0}, flip_at_{-1};
  std::mutex m_;
  std::condition_variable cv_;
  bool dialer_closed_ = false;
  std::thread forward_, backward_;
};

// Socket pairs for the two ends, with the relay between them.
struct Wires {
  int dialer = -1, listener = -1;
  std::unique_ptr<ChunkingRelay> relay;
};
Wires make_wires(std::uint64_t seed) {
  int dial[2], listen[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM, 0, dial) != 0 ||
      ::socketpair(AF_UNIX, SOCK_STREAM, 0, listen) != 0) {
    throw NetError("socketpair failed");
  }
  Wires w;
  w.dialer = dial[0];
  w.listener = listen[0];
  w.relay = std::make_unique<ChunkingRelay>(dial[1], listen[1], seed);
  return w;
}

SslCtxPtr context_of(testing::TestDeployment& d, int party, const char* suites) {
  SslCtxPtr ctx = make_tls_context(d.config(party).ca_cert, d.config(party).cert, d.config(party).key);
  if (SSL_CTX_set_ciphersuites(ctx.get(), suites) != 1) throw NetError("cannot set the test's cipher suite");
  return ctx;
}

std::vector<std::byte> random_bytes(std::mt19937_64& gen, std::size_t n) {
  std::vector<std::byte> out(n);
  for (auto& b : out) b = std::byte{static_cast<std::uint8_t>(gen() >> 56)};
  return out;
}

// 1 byte to 4 MiB, log-uniform, with the record sizes around 16 KiB often.
std::size_t random_size(std::mt19937_64& gen) {
  if (gen() % 5 == 0) return (std::size_t{1} << 14) - 2 + gen() % 5;
  const int bits = static_cast<int>(gen() % 23);
  return 1 + static_cast<std::size_t>(gen() % (std::uint64_t{1} << bits));
}

// Messages of random sizes, about `total` bytes in all.
std::vector<std::vector<std::byte>> random_messages(std::uint64_t seed, std::size_t total) {
  std::mt19937_64 gen(seed);
  std::vector<std::vector<std::byte>> out;
  for (std::size_t sum = 0; sum < total;) {
    out.push_back(random_bytes(gen, random_size(gen)));
    sum += out.back().size();
  }
  return out;
}

using testing::check_progress;
using testing::kStallLimit;
using testing::write_all;

// Reads everything the messages hold, in random read sizes, and compares.
void read_and_compare(Stream& s, const std::vector<std::vector<std::byte>>& messages, std::uint64_t seed) {
  std::vector<std::byte> expected;
  for (const auto& m : messages) expected.insert(expected.end(), m.begin(), m.end());
  std::vector<std::byte> got(expected.size());
  std::mt19937_64 gen(seed);
  auto last = Clock::now();
  for (std::size_t done = 0; done < got.size();) {
    const std::size_t want = std::min(random_size(gen), got.size() - done);
    const std::size_t n = s.read_some(got.data() + done, want);
    ASSERT_LE(n, want);
    done += n;
    check_progress(n > 0, last);
  }
  ASSERT_EQ(got.size(), expected.size());
  const auto diff = std::mismatch(got.begin(), got.end(), expected.begin());
  EXPECT_TRUE(diff.first == got.end())
      << "first differing byte at offset " << (diff.first - got.begin()) << " of " << got.size();
}

// Own RecordWriter (KeyUpdates every records_per_key records) -> relay ->
// OpenSSL's SSL_read on the listener.
TEST(RecordDifferential, OwnSenderToOpenSslReceiverBitExact) {
  testing::TestDeployment d(2);
  std::uint64_t seed = 7001;
  for (const char* suites : kSuites) {
    for (const std::uint64_t records_per_key : {std::uint64_t{5}, kDefaultRecordsPerKey}) {
      SCOPED_TRACE(::testing::Message() << suites << ", records per key " << records_per_key);
      ++seed;
      Wires w = make_wires(seed);
      SslCtxPtr dial_ctx = context_of(d, 0, suites), listen_ctx = context_of(d, 1, suites);
      const auto deadline = Clock::now() + std::chrono::seconds(20);
      auto server = std::async(std::launch::async, [&] {
        std::string cn;
        return make_tls_stream(listen_ctx.get(), w.listener, true, std::chrono::milliseconds(100), deadline,
                               "dialer", cn, /*own_record_layer=*/false);
      });
      std::string cn;
      auto dialer = make_tls_stream(dial_ctx.get(), w.dialer, false, std::chrono::milliseconds(100), deadline,
                                    "listener", cn, true, records_per_key);
      auto listener = server.get();
      ASSERT_TRUE(encrypts_records_itself(*dialer));
      ASSERT_FALSE(decrypts_records_itself(*listener));
      const auto messages = random_messages(seed, std::size_t{5} << 20);
      auto writer = std::async(std::launch::async, [&] {
        for (const auto& m : messages) write_all(*dialer, m);
      });
      try {
        read_and_compare(*listener, messages, seed * 31);
      } catch (...) {
        dialer->shutdown();
        listener->shutdown();
        try {
          writer.get();
        } catch (...) {
        }
        throw;
      }
      writer.get();
      if (records_per_key == 5) {
        EXPECT_GT(key_updates_sent(*dialer), 50u);
      }
    }
  }
}

// OpenSSL's SSL_write (with SSL_key_update between some writes) -> relay ->
// own RecordReader on the listener.
TEST(RecordDifferential, OpenSslSenderToOwnReceiverBitExact) {
  testing::TestDeployment d(2);
  std::uint64_t seed = 9001;
  for (const char* suites : kSuites) {
    SCOPED_TRACE(suites);
    ++seed;
    Wires w = make_wires(seed);
    SslCtxPtr dial_ctx = context_of(d, 0, suites), listen_ctx = context_of(d, 1, suites);
    timeval tv{};
    tv.tv_sec = 30;  // a broken peer ends the test instead of hanging it
    ::setsockopt(w.dialer, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(w.dialer, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    auto server = std::async(std::launch::async, [&] {
      std::string cn;
      return make_tls_stream(listen_ctx.get(), w.listener, true, std::chrono::milliseconds(100),
                             Clock::now() + std::chrono::seconds(20), "dialer", cn);
    });
    SSL* ssl = SSL_new(dial_ctx.get());
    struct Free {
      SSL* ssl;
      int fd;
      ~Free() {
        SSL_free(ssl);
        ::close(fd);
      }
    } free_ssl{ssl, w.dialer};
    const bool connected = ssl != nullptr && SSL_set_fd(ssl, w.dialer) == 1 && SSL_connect(ssl) == 1;
    auto listener = server.get();
    ASSERT_TRUE(connected);
    ASSERT_TRUE(decrypts_records_itself(*listener));
    const auto messages = random_messages(seed, std::size_t{5} << 20);
    std::mt19937_64 gen(seed * 17);
    std::vector<bool> update_after(messages.size());
    std::uint64_t updates = 0;
    for (std::size_t k = 0; k + 1 < messages.size(); ++k) {
      update_after[k] = gen() % 3 == 0;
      updates += update_after[k] ? 1 : 0;
    }
    auto writer = std::async(std::launch::async, [&] {
      for (std::size_t k = 0; k < messages.size(); ++k) {
        for (std::size_t done = 0; done < messages[k].size();) {
          std::size_t n = 0;
          if (SSL_write_ex(ssl, messages[k].data() + done, messages[k].size() - done, &n) != 1) {
            throw NetError("OpenSSL client: SSL_write failed");
          }
          done += n;
        }
        // Sent by OpenSSL in front of the next write.
        if (update_after[k] && SSL_key_update(ssl, SSL_KEY_UPDATE_NOT_REQUESTED) != 1) {
          throw NetError("OpenSSL client: SSL_key_update failed");
        }
      }
    });
    try {
      read_and_compare(*listener, messages, seed * 31);
    } catch (...) {
      ::shutdown(w.dialer, SHUT_RDWR);  // ends the OpenSSL writer too
      try {
        writer.get();
      } catch (...) {
      }
      throw;
    }
    writer.get();
    EXPECT_EQ(key_updates_received(*listener), updates);
  }
}

// How reading `s` ends: "NetError", "StreamClosed", or "no error" when it
// delivered bytes or stalled for the stall limit.
std::string read_outcome(Stream& s) {
  std::byte buf[64];
  const auto until = Clock::now() + kStallLimit;
  try {
    while (Clock::now() < until) {
      if (s.read_some(buf, sizeof buf) > 0) return "no error";
    }
  } catch (const StreamClosed&) {
    return "StreamClosed";
  } catch (const NetError&) {
    return "NetError";
  }
  return "no error";
}

// The hand-over: the dialer reads the listener's HELLO reply with
// SSL_read after its own sender used sequence number 0 of the client
// traffic key. When that read fails (a damaged record), OpenSSL used to send
// a bad_record_mac alert sealed under the same key with its own sequence
// number 0: the same AES-GCM key and nonce for two plaintexts on the wire.
// The dialer must send nothing more after the failure.
TEST(RecordDifferential, DialerSendsNothingUnderItsKeyAfterAFailedRead) {
  testing::TestDeployment d(2);
  std::uint64_t seed = 1201;
  for (const char* suites : kSuites) {
    SCOPED_TRACE(suites);
    Wires w = make_wires(++seed);
    SslCtxPtr dial_ctx = context_of(d, 0, suites), listen_ctx = context_of(d, 1, suites);
    const auto deadline = Clock::now() + std::chrono::seconds(20);
    auto server = std::async(std::launch::async, [&] {
      std::string cn;
      return make_tls_stream(listen_ctx.get(), w.listener, true, std::chrono::milliseconds(100), deadline,
                             "dialer", cn);
    });
    std::string cn;
    auto dialer = make_tls_stream(dial_ctx.get(), w.dialer, false, std::chrono::milliseconds(100), deadline,
                                  "listener", cn);
    auto listener = server.get();
    ASSERT_TRUE(encrypts_records_itself(*dialer));
    // The dialer's HELLO: the own sender's record with sequence number 0.
    std::mt19937_64 gen(seed);
    const auto hello = random_bytes(gen, 24);
    write_all(*dialer, hello);
    read_and_compare(*listener, {hello}, seed);
    const long sent_before = w.relay->from_dialer();
    // The reply, damaged inside its ciphertext.
    w.relay->flip_towards_dialer(5 + 3);
    write_all(*listener, random_bytes(gen, 24));
    EXPECT_EQ(read_outcome(*dialer), "NetError");
    dialer.reset();  // closes the socket: the relay has all the dialer sent once it sees EOF
    ASSERT_TRUE(w.relay->wait_dialer_closed(Clock::now() + std::chrono::seconds(30)));
    EXPECT_EQ(w.relay->from_dialer(), sent_before)
        << "the dialer sent " << (w.relay->from_dialer() - sent_before)
        << " bytes after its read failed (an alert sealed by OpenSSL under the own sender's key and nonce)";
  }
}

}  // namespace
}  // namespace sqt::net
