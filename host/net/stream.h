// One direction of a peer connection: a byte stream over a TCP socket, TLS
// or plain (plain only for benchmark baselines). During setup calls block
// for at most one "tick" (the socket's SO_RCVTIMEO/SO_SNDTIMEO) so the
// caller can check deadlines; once the session runs, set_nonblocking()
// makes them return at once and the mesh waits in poll() on fd().
//
// Threading: one thread at a time per Stream; shutdown() may be called from
// any thread and wakes a blocked read or write.
#pragma once

#include <openssl/ssl.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "host/core/error.h"

namespace sqt::net {

// The other side closed the connection (EOF) at a record boundary.
class StreamClosed : public NetError {
 public:
  using NetError::NetError;
};

class Stream {
 public:
  virtual ~Stream();
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;

  // Bytes read (> 0), or 0 when the tick passed with nothing to read (at
  // once when non-blocking: nothing buffered here or in the socket, so a
  // poll() for input on fd() may wait).
  // StreamClosed on EOF, NetError on any other failure.
  virtual std::size_t read_some(std::byte* data, std::size_t size) = 0;
  // Bytes written (> 0), or 0 when the tick passed without progress (at once
  // when non-blocking and the socket is full: poll() fd() for output).
  virtual std::size_t write_some(const std::byte* data, std::size_t size) = 0;

  // Pushes buffered bytes to the socket: true when done, false when the tick
  // passed first (call again). Call after the last write of a frame.
  virtual bool flush() { return true; }

  void shutdown();  // wakes blocked calls; later calls fail
  int fd() const { return fd_; }

  // From now on reads and writes never wait (O_NONBLOCK).
  void set_nonblocking();

 protected:
  explicit Stream(int fd);
  int fd_;
};

// Takes ownership of a connected socket; sets TCP_NODELAY, 4 MiB socket
// buffers and the tick timeouts.
std::unique_ptr<Stream> make_plain_stream(int fd, std::chrono::milliseconds tick);

// TLS context of one party: TLS 1.3 only, AES-128-GCM preferred, mutual
// authentication against the deployment CA. FileError / NetError name the
// file that could not be loaded.
struct SslCtxDeleter {
  void operator()(SSL_CTX* ctx) const { SSL_CTX_free(ctx); }
};
using SslCtxPtr = std::unique_ptr<SSL_CTX, SslCtxDeleter>;
SslCtxPtr make_tls_context(const std::string& ca_file, const std::string& cert_file,
                           const std::string& key_file);

// Runs the TLS handshake (client or server role) on a connected socket until
// `deadline`; takes ownership of fd. `who` names the peer in error messages.
// On success the peer's certificate verified against the CA; its common
// name is returned through peer_common_name.
// After the handshake the listener (server) decrypts and the dialer (client)
// encrypts application-data records itself for AES-GCM suites, straight
// between the socket buffers and the caller's memory (see stream.cc);
// own_record_layer = false keeps OpenSSL's SSL_read/SSL_write (tests check
// that both interoperate with OpenSSL).
// The own sender moves to the next traffic key with a TLS 1.3 KeyUpdate
// (RFC 8446 section 4.6.3) after records_per_key records (clamped to
// 1..2^24; the AES-GCM limit of section 5.5 is 2^24.5); the own receiver
// follows the peer's KeyUpdates. Tests pass a tiny records_per_key.
inline constexpr std::uint64_t kDefaultRecordsPerKey = std::uint64_t{1} << 23;  // 137 GB of 16 KiB records
std::unique_ptr<Stream> make_tls_stream(SSL_CTX* ctx, int fd, bool server, std::chrono::milliseconds tick,
                                        std::chrono::steady_clock::time_point deadline,
                                        const std::string& who, std::string& peer_common_name,
                                        bool own_record_layer = true,
                                        std::uint64_t records_per_key = kDefaultRecordsPerKey);

// True when `s` is a TLS stream that decrypts its records itself (straight
// into the caller's buffer) instead of through SSL_read: the listening side
// of a session with an AES-GCM suite. For tests and diagnostics.
bool decrypts_records_itself(const Stream& s);
// True when `s` encrypts its records itself straight from the caller's
// buffer (the dialing side, which only writes after the handshake).
bool encrypts_records_itself(const Stream& s);
// KeyUpdates the own record layer of `s` has sent / followed so far (0 for
// other streams). For tests and diagnostics.
std::uint64_t key_updates_sent(const Stream& s);
std::uint64_t key_updates_received(const Stream& s);

// For tests and fuzzers only, never for a session: a stream over the
// connected socket `fd` (taken over, left as configured) that reads with the
// own record receiver and writes with the own record sender, both keyed from
// the one application traffic secret `secret` without a handshake (32 bytes
// for TLS_AES_128_GCM_SHA256, 48 for TLS_AES_256_GCM_SHA384 when aes256), so
// two such streams on a socket pair talk to each other. AES-128-GCM takes
// the simd cipher where the CPU has it, AES-256-GCM OpenSSL's EVP, as in a
// session. read_buffer_bytes is the receiver's read-ahead (small values make
// records straddle its buffer). NetError on a secret of the wrong length.
std::unique_ptr<Stream> make_record_stream_for_testing(int fd, bool aes256,
                                                       std::span<const unsigned char> secret,
                                                       std::uint64_t records_per_key = kDefaultRecordsPerKey,
                                                       std::size_t read_buffer_bytes = 256 << 10);

// Checks the content of a decrypted TLS 1.3 record of type handshake(22)
// that arrived after the handshake: returns for exactly one KeyUpdate with
// request_update = update_not_requested; throws NetError naming the problem
// for any other handshake message, a malformed KeyUpdate, a KeyUpdate that
// does not end its record, or update_requested (our peers never request
// one). Used by the own receiver; exposed for tests.
void check_post_handshake_message(const unsigned char* content, std::size_t size);

}  // namespace sqt::net
