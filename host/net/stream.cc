#include "host/net/stream.h"

#include <fmt/core.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

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

class TlsStream final : public Stream {
 public:
  TlsStream(int fd, SSL* ssl) : Stream(fd), ssl_(ssl) {}
  ~TlsStream() override { SSL_free(ssl_); }

  std::size_t read_some(std::byte* data, std::size_t size) override {
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
    errno = 0;
    if (BIO_flush(SSL_get_wbio(ssl_)) == 1) return true;
    if (BIO_should_retry(SSL_get_wbio(ssl_))) return false;
    throw NetError(fmt::format("write failed: {}", errno != 0 ? std::strerror(errno) : "connection reset"));
  }

 private:
  SSL* ssl_;
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
  return ctx;
}

std::unique_ptr<Stream> make_tls_stream(SSL_CTX* ctx, int fd, bool server, std::chrono::milliseconds tick,
                                        std::chrono::steady_clock::time_point deadline,
                                        const std::string& who, std::string& peer_common_name) {
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
  if (server) {
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
  return stream;
}

}  // namespace sqt::net
