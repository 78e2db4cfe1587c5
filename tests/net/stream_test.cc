// TLS streams over socket pairs with a relay in between, so a test can
// damage bytes on the wire: the dialer encrypts and the listener decrypts
// records itself (RecordWriter / RecordReader in host/net/stream.cc); both
// must interoperate with OpenSSL, deliver exactly what was sent, refuse a
// modified record and report a clean close.
#include "host/net/stream.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <future>
#include <thread>
#include <utility>
#include <vector>

#include "host/core/error.h"
#include "tests/net/test_deployment.h"

namespace sqt::net {
namespace {

using ::testing::HasSubstr;
using Clock = std::chrono::steady_clock;

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
Connected connect_pair(testing::TestDeployment& d, bool own_dialer = true, bool own_listener = true) {
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
  auto server = std::async(std::launch::async, [&] {
    std::string cn;
    return make_tls_stream(listen_ctx.get(), listen[0], true, tick, deadline, "dialer", cn, own_listener);
  });
  std::string cn;
  c.dialer = make_tls_stream(dial_ctx.get(), dial[0], false, tick, deadline, "listener", cn, own_dialer);
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

void write_frame(Stream& s, const std::vector<std::byte>& data) {
  for (std::size_t done = 0; done < data.size();)
    done += s.write_some(data.data() + done, data.size() - done);
  while (!s.flush()) {
  }
}

// Reads `size` bytes in pieces of the given sizes (cycled), like the mesh's
// header and payload reads.
std::vector<std::byte> read_in_pieces(Stream& s, std::size_t size, const std::vector<std::size_t>& pieces) {
  std::vector<std::byte> out(size);
  std::size_t done = 0;
  for (std::size_t k = 0; done < size; ++k) {
    const std::size_t want = std::min(pieces[k % pieces.size()], size - done);
    std::size_t got = 0;
    while (got == 0) got = s.read_some(out.data() + done, want);
    done += got;
  }
  return out;
}

// Every combination of the own record layer and OpenSSL on the two ends:
// own records must be ordinary TLS 1.3 records that OpenSSL reads, and the
// other way round.
TEST(TlsStream, OwnRecordsInteroperateWithOpenSslBitExact) {
  for (const auto& [own_dialer, own_listener] :
       std::vector<std::pair<bool, bool>>{{true, true}, {true, false}, {false, true}, {false, false}}) {
    SCOPED_TRACE(::testing::Message() << "dialer " << (own_dialer ? "own" : "OpenSSL") << ", listener "
                                      << (own_listener ? "own" : "OpenSSL"));
    testing::TestDeployment d(2);
    Connected c = connect_pair(d, own_dialer, own_listener);
    EXPECT_EQ(encrypts_records_itself(*c.dialer), own_dialer);
    EXPECT_EQ(decrypts_records_itself(*c.listener), own_listener);
    EXPECT_FALSE(decrypts_records_itself(*c.dialer));
    EXPECT_FALSE(encrypts_records_itself(*c.listener));
    const std::vector<std::size_t> sizes{1, 16, 16383, 16384, 16385, 100000, 0, (std::size_t{3} << 20) + 7};
    std::thread writer([&] {
      for (std::size_t k = 0; k < sizes.size(); ++k) {
        write_frame(*c.dialer, pattern(sizes[k], static_cast<unsigned>(k)));
      }
    });
    for (std::size_t k = 0; k < sizes.size(); ++k) {
      // Pieces smaller and larger than a record, so records are split across
      // reads and reads span records.
      const auto got = read_in_pieces(*c.listener, sizes[k], {1, 15, 4096, 70000, 16384, 1 << 20});
      EXPECT_EQ(got, pattern(sizes[k], static_cast<unsigned>(k)))
          << "frame " << k << " of " << sizes[k] << " bytes";
    }
    writer.join();
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

}  // namespace
}  // namespace sqt::net
