#include "host/net/mesh_setup.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/core.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <exception>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string_view>
#include <thread>
#include <utility>

#include "host/net/frame.h"
#include "host/net/keys.h"

namespace sqt::net {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// Reads exactly size bytes; `idle` is called whenever a tick passes without
// progress and throws to give up.
template <typename Idle>
void read_exact(Stream& s, std::byte* data, std::size_t size, Idle&& idle) {
  std::size_t done = 0;
  while (done < size) {
    const std::size_t n = s.read_some(data + done, size - done);
    if (n == 0) {
      idle();
    } else {
      done += n;
    }
  }
}

template <typename Idle>
void write_all(Stream& s, const std::byte* data, std::size_t size, Idle&& idle) {
  std::size_t done = 0;
  while (done < size) {
    const std::size_t n = s.write_some(data + done, size - done);
    if (n == 0) {
      idle(done);
    } else {
      done += n;
    }
  }
}

std::vector<std::byte> hello_frame(int party, int parties) {
  std::vector<std::byte> out(kFrameHeaderBytes + kHelloPayloadBytes);
  const FrameHeaderBytes h = encode_frame_header({FrameType::kHello, kHelloPayloadBytes});
  std::memcpy(out.data(), h.data(), h.size());
  const HelloPayloadBytes payload =
      encode_hello_payload({static_cast<std::uint32_t>(party), static_cast<std::uint32_t>(parties)});
  std::memcpy(out.data() + kFrameHeaderBytes, payload.data(), payload.size());
  return out;
}

struct Hello {
  int party = -1;
  int parties = 0;
};

// Reads one HELLO frame before `deadline` (`limit` names it); `who` names the peer.
Hello read_hello(Stream& s, Clock::time_point deadline, const std::string& who, std::uint64_t max_frame,
                 std::string_view limit = "the connect timeout") {
  auto idle = [&] {
    if (Clock::now() > deadline) throw NetError(fmt::format("{} sent no HELLO before {}", who, limit));
  };
  std::array<std::byte, kFrameHeaderBytes + kHelloPayloadBytes> buf{};
  read_exact(s, buf.data(), kFrameHeaderBytes, idle);
  FrameHeader h;
  try {
    h = parse_frame_header(std::span<const std::byte, kFrameHeaderBytes>(buf.data(), kFrameHeaderBytes),
                           max_frame);
  } catch (const FrameError& e) {
    throw NetError(fmt::format("{} sent a bad first frame: {}", who, e.what()));
  }
  if (h.type != FrameType::kHello) {
    throw NetError(fmt::format("{} sent a {} frame where HELLO was expected", who, frame_type_name(h.type)));
  }
  read_exact(s, buf.data() + kFrameHeaderBytes, kHelloPayloadBytes, idle);
  // The payload decoder the HELLO fuzzer checks (fuzz/hello_fuzzer.cc).
  const HelloPayload payload = parse_hello_payload(
      std::span<const std::byte, kHelloPayloadBytes>(buf.data() + kFrameHeaderBytes, kHelloPayloadBytes));
  return Hello{static_cast<int>(payload.party), static_cast<int>(payload.parties)};
}

void write_with_deadline(Stream& s, std::span<const std::byte> data, Clock::time_point deadline,
                         const std::string& who) {
  auto idle = [&](std::size_t) {
    if (Clock::now() > deadline) throw NetError(fmt::format("sending to {} timed out during setup", who));
  };
  write_all(s, data.data(), data.size(), idle);
  while (!s.flush()) idle(0);
}

addrinfo* resolve(const PeerAddress& a, bool passive, const std::string& who) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = passive ? AI_PASSIVE : 0;
  addrinfo* res = nullptr;
  const std::string port = std::to_string(a.port);
  const int rc = ::getaddrinfo(a.host.c_str(), port.c_str(), &hints, &res);
  if (rc != 0) throw NetError(fmt::format("cannot resolve the address of {}: {}", who, gai_strerror(rc)));
  return res;
}

std::string peer_name_of(int fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (::getpeername(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return "unknown address";
  char host[NI_MAXHOST] = "", serv[NI_MAXSERV] = "";
  ::getnameinfo(reinterpret_cast<sockaddr*>(&ss), len, host, sizeof host, serv, sizeof serv,
                NI_NUMERICHOST | NI_NUMERICSERV);
  return fmt::format("{}:{}", host, serv);
}

// Connects to `a`, retrying while the peer is not listening yet.
int dial_before(const PeerAddress& a, Clock::time_point deadline, const std::atomic<bool>& stop,
                const std::string& who) {
  std::string last_error = "no attempt";
  while (Clock::now() < deadline && !stop) {
    addrinfo* res = resolve(a, false, who);
    for (addrinfo* ai = res; ai != nullptr; ai = ai->ai_next) {
      const int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol);
      if (fd < 0) continue;
      int rc = ::connect(fd, ai->ai_addr, ai->ai_addrlen);
      if (rc != 0 && errno == EINPROGRESS) {
        const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count();
        pollfd p{fd, POLLOUT, 0};
        rc = ::poll(&p, 1, static_cast<int>(std::clamp<long long>(left, 1, 1000)));
        int soerr = 0;
        socklen_t len = sizeof soerr;
        if (rc == 1 && ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) == 0 && soerr == 0) {
          rc = 0;
        } else {
          errno = rc == 0 ? ETIMEDOUT : soerr;
          rc = -1;
        }
      }
      if (rc == 0) {
        ::freeaddrinfo(res);
        const int flags = ::fcntl(fd, F_GETFL);
        ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
        return fd;
      }
      last_error = std::strerror(errno);
      ::close(fd);
    }
    ::freeaddrinfo(res);
    std::this_thread::sleep_for(milliseconds(50));
  }
  if (stop) throw NetError("setup abandoned");
  throw NetError(fmt::format("cannot connect to {} before the connect timeout: {}", who, last_error));
}

// How long one incoming connection may take from accept to its HELLO. A
// stranger that connects and stays silent is dropped after this; it never
// holds up the others, as every handshake runs in its own thread.
constexpr milliseconds kHandshakeLimit{10000};
// How long handshakes under way may go on after setup failed (see Acceptor::run).
constexpr milliseconds kFailureGrace{1000};
// Handshakes in flight at once; further connections wait in the backlog.
constexpr int kMaxHandshakes = 16;

// An incoming connection that failed before it authenticated (TLS
// handshake, or the first frame of a plain connection): dropped, and
// setup goes on. Anything after authentication is a NetError.
class Stranger : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The numeric address of the host at the other end of `fd` (IPv4-mapped
// IPv6 written as IPv4), "" when unknown.
std::string numeric_host(const sockaddr* sa, socklen_t len) {
  char host[NI_MAXHOST] = "";
  if (::getnameinfo(sa, len, host, sizeof host, nullptr, 0, NI_NUMERICHOST) != 0) return "";
  std::string h = host;
  if (h.starts_with("::ffff:") && h.find('.') != std::string::npos) h.erase(0, 7);
  return h;
}

std::string peer_host_of(int fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (::getpeername(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return "";
  return numeric_host(reinterpret_cast<sockaddr*>(&ss), len);
}

// Every address the other parties' [[parties]] hosts resolve to.
std::set<std::string> listed_peer_hosts(const NodeConfig& config, const std::vector<std::string>& names) {
  std::set<std::string> hosts;
  for (std::size_t j = 0; j < config.parties.size(); ++j) {
    if (static_cast<int>(j) == config.party) continue;
    addrinfo* res = resolve(config.parties[j], false, names[j]);
    for (addrinfo* ai = res; ai != nullptr; ai = ai->ai_next) {
      const std::string h = numeric_host(ai->ai_addr, ai->ai_addrlen);
      if (!h.empty()) hosts.insert(h);
    }
    ::freeaddrinfo(res);
  }
  return hosts;
}

// The listener's side of setup: accepts until every peer is in, one thread
// per handshake. Strangers (failed, refused or silent before they
// authenticate, or from an unlisted host with accept_only_listed_hosts)
// are logged and dropped; an authenticated peer that is not who setup
// expects (wrong party, wrong session size, a second connection) is a
// NetError naming it.
class Acceptor {
 public:
  Acceptor(const NodeConfig& config, bool plain, milliseconds tick, SSL_CTX* ctx,
           const std::vector<std::string>& names, std::vector<PeerStreams>& links)
      : config_(config),
        plain_(plain),
        tick_(tick),
        ctx_(ctx),
        names_(names),
        links_(links),
        me_(config.party),
        n_(static_cast<int>(config.parties.size())),
        joined_(config.parties.size(), false) {
    if (config.accept_only_listed_hosts) listed_ = listed_peer_hosts(config, names);
  }

  void run(int listen_fd, Clock::time_point deadline, const std::atomic<bool>& stop) {
    std::exception_ptr outcome;
    try {
      accept_loop(listen_fd, deadline, stop);
    } catch (...) {
      outcome = std::current_exception();
    }
    // Handshakes still in flight are strangers, or setup failed. Shutting
    // their sockets down wakes them and they end at once; after a failure
    // they get a moment first, so a peer whose certificate this party's
    // dialer refused learns why from the finished handshake, not from a
    // closed connection.
    {
      std::unique_lock lock(m_);
      ending_ = true;
      if (outcome || error_) cv_.wait_for(lock, kFailureGrace, [&] { return running_ == 0; });
      cut_ = true;
      for (int fd : in_flight_) ::shutdown(fd, SHUT_RDWR);
    }
    for (auto& t : threads_) t.join();
    if (error_) std::rethrow_exception(error_);  // the root cause
    if (outcome) std::rethrow_exception(outcome);
  }

 private:
  void accept_loop(int listen_fd, Clock::time_point deadline, const std::atomic<bool>& stop) {
    for (;;) {
      {
        std::unique_lock lock(m_);
        if (error_ || connected_ == n_ - 1) return;
        if (running_ >= kMaxHandshakes) {
          cv_.wait_for(lock, milliseconds(100));
          if (!stop && Clock::now() <= deadline) continue;
        }
      }
      if (stop) throw NetError("setup abandoned");
      const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count();
      if (left <= 0) throw NetError(timeout_message());
      pollfd p{listen_fd, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(std::min<long long>(left, 100))) <= 0) continue;
      const int fd = ::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) {
        if (errno == EINTR || errno == EAGAIN || errno == ECONNABORTED) continue;
        throw NetError(fmt::format("party {}: accept failed: {}", me_, std::strerror(errno)));
      }
      const std::string who = "incoming connection from " + peer_name_of(fd);
      if (!listed_.empty() && !listed_.contains(peer_host_of(fd))) {
        ::close(fd);
        drop(who, "its host is not in [[parties]] (accept_only_listed_hosts = true)");
        continue;
      }
      // The stream owns a duplicate; `fd` stays open until the handshake
      // ends, so shutting it down can never hit a reused descriptor.
      const int own = ::fcntl(fd, F_DUPFD_CLOEXEC, 0);
      if (own < 0) {
        ::close(fd);
        throw NetError(fmt::format("party {}: cannot duplicate a socket: {}", me_, std::strerror(errno)));
      }
      const auto handshake_deadline = std::min(deadline, Clock::now() + kHandshakeLimit);
      std::lock_guard lock(m_);
      in_flight_.insert(fd);
      ++running_;
      threads_.emplace_back(
          [this, fd, own, who, handshake_deadline] { handshake(fd, own, who, handshake_deadline); });
    }
  }

  void handshake(int fd, int own, const std::string& who, Clock::time_point deadline) {
    try {
      std::unique_ptr<Stream> s;
      std::string cn;
      try {
        s = plain_ ? make_plain_stream(own, tick_)
                   : make_tls_stream(ctx_, own, true, tick_, deadline, who, cn);
      } catch (const NetError& e) {
        throw Stranger(e.what());
      }
      Hello hello;
      try {
        hello = read_hello(*s, deadline, who, config_.max_frame_bytes,
                           fmt::format("its deadline (the connect timeout, at most {} s after it connected)",
                                       kHandshakeLimit.count() / 1000));
      } catch (const NetError& e) {
        if (plain_) throw Stranger(e.what());  // nothing authenticated it
        throw;
      }
      if (hello.parties != n_) {
        throw NetError(fmt::format("{} (party {}) runs a session of {} parties, this party expects {}", who,
                                   hello.party, hello.parties, n_));
      }
      if (hello.party < 0 || hello.party >= n_ || hello.party == me_) {
        throw NetError(
            fmt::format("{} says it is party {}, which is not a peer of party {}", who, hello.party, me_));
      }
      if (!plain_ && cn != party_common_name(hello.party)) {
        throw NetError(fmt::format("{} says it is party {} but its certificate names '{}' (expected '{}')",
                                   who, hello.party, cn, party_common_name(hello.party)));
      }
      const auto p = static_cast<std::size_t>(hello.party);
      {
        std::lock_guard lock(m_);
        if (joined_[p]) throw NetError(fmt::format("{}: party {} connected twice", who, hello.party));
        joined_[p] = true;
      }
      write_with_deadline(*s, hello_frame(me_, n_), deadline, who);
      std::lock_guard lock(m_);
      links_[p].in = std::move(s);
      ++connected_;
      finish(fd);
      return;
    } catch (const Stranger& e) {
      drop(who, e.what());
    } catch (...) {
      std::lock_guard lock(m_);
      if (!error_ && !ending_) error_ = std::current_exception();
    }
    std::lock_guard lock(m_);
    finish(fd);
  }

  // The handshake on fd ended (m_ held).
  void finish(int fd) {
    if (in_flight_.erase(fd) > 0) ::close(fd);
    --running_;
    cv_.notify_all();
  }

  // Logs and forgets a stranger; `reason` may or may not name it.
  void drop(const std::string& who, const std::string& what) {
    std::lock_guard lock(m_);
    const std::string reason =
        cut_ ? who + ": no handshake yet when setup ended"
             : (what.find(who) != std::string::npos ? what : fmt::format("{}: {}", who, what));
    spdlog::warn("party {}: dropped a connection during setup: {}", me_, reason);
    ++dropped_;
    last_dropped_ = reason;
  }

  std::string timeout_message() {
    std::lock_guard lock(m_);
    std::string missing;
    for (int j = 0; j < n_; ++j) {
      if (j == me_ || joined_[static_cast<std::size_t>(j)]) continue;
      missing += (missing.empty() ? "" : ", ") + names_[static_cast<std::size_t>(j)];
    }
    std::string text =
        fmt::format("party {}: not every peer connected before the connect timeout (no connection from {})",
                    me_, missing);
    if (dropped_ > 0) {
      text += fmt::format("; {} incoming connection{} dropped, the last: {}", dropped_,
                          dropped_ == 1 ? " was" : "s were", last_dropped_);
    }
    return text;
  }

  const NodeConfig& config_;
  bool plain_;
  milliseconds tick_;
  SSL_CTX* ctx_;
  const std::vector<std::string>& names_;
  std::vector<PeerStreams>& links_;
  int me_;
  int n_;
  std::set<std::string> listed_;
  std::vector<std::thread> threads_;  // the acceptor's thread only

  std::mutex m_;  // guards everything below and links_[*].in
  std::condition_variable cv_;
  std::vector<bool> joined_;  // a peer's HELLO was accepted
  std::set<int> in_flight_;   // sockets of handshakes under way
  int connected_ = 0;
  int running_ = 0;
  std::size_t dropped_ = 0;
  std::string last_dropped_;
  std::exception_ptr error_;
  bool ending_ = false;  // setup ended: later errors are not the cause
  bool cut_ = false;     // run() shut down the handshakes still under way
};

}  // namespace

std::string describe_party(int party, const PeerAddress& address) {
  return fmt::format("party {} ({}:{})", party, address.host, address.port);
}

int listen_on(const PeerAddress& a, int me) {
  const std::string who = describe_party(me, a);
  addrinfo* res = resolve(a, true, who);
  int fd = ::socket(res->ai_family, res->ai_socktype | SOCK_CLOEXEC, res->ai_protocol);
  if (fd < 0) {
    ::freeaddrinfo(res);
    throw NetError(fmt::format("{} cannot create a socket: {}", who, std::strerror(errno)));
  }
  const int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  const int rc = ::bind(fd, res->ai_addr, res->ai_addrlen);
  const int err = errno;
  ::freeaddrinfo(res);
  if (rc != 0 || ::listen(fd, 64) != 0) {
    const int e = rc != 0 ? err : errno;
    ::close(fd);
    throw NetError(fmt::format("party {} cannot listen on {}:{}: {}{}", me, a.host, a.port, std::strerror(e),
                               e == EADDRINUSE ? " (another process uses this port; change parties[" +
                                                     std::to_string(me) + "].port in node.toml)"
                                               : ""));
  }
  return fd;
}

std::vector<PeerStreams> establish_links(const NodeConfig& config, bool plain,
                                         std::chrono::milliseconds tick) {
  const int me = config.party;
  const int n = static_cast<int>(config.parties.size());
  std::vector<PeerStreams> links(config.parties.size());
  std::vector<std::string> names(config.parties.size());
  for (int j = 0; j < n; ++j)
    names[static_cast<std::size_t>(j)] = describe_party(j, config.parties[static_cast<std::size_t>(j)]);
  const auto deadline = Clock::now() + config.connect_timeout;
  SslCtxPtr ctx;
  if (!plain) ctx = make_tls_context(config.ca_cert, config.cert, config.key);

  const int listen_fd = listen_on(config.parties[static_cast<std::size_t>(me)], me);
  std::atomic<bool> stop{false};
  std::exception_ptr accept_error;

  std::thread acceptor([&] {
    try {
      Acceptor(config, plain, tick, ctx.get(), names, links).run(listen_fd, deadline, stop);
    } catch (...) {
      accept_error = std::current_exception();
      stop = true;
    }
  });

  std::exception_ptr dial_error;
  try {
    for (int j = 0; j < n; ++j) {
      if (j == me) continue;
      PeerStreams& l = links[static_cast<std::size_t>(j)];
      const std::string& name = names[static_cast<std::size_t>(j)];
      const PeerAddress& a = config.parties[static_cast<std::size_t>(j)];
      const int fd = dial_before(a, deadline, stop, name);
      std::string cn;
      std::unique_ptr<Stream> s = plain ? make_plain_stream(fd, tick)
                                        : make_tls_stream(ctx.get(), fd, false, tick, deadline, name, cn);
      if (!plain && cn != party_common_name(j)) {
        throw NetError(
            fmt::format("{} presented a certificate for '{}' (expected '{}'): wrong certificate for this "
                        "party, or wrong address in node.toml",
                        name, cn, party_common_name(j)));
      }
      write_with_deadline(*s, hello_frame(me, n), deadline, name);
      Hello reply;
      try {
        reply = read_hello(*s, deadline, name, config.max_frame_bytes);
      } catch (const StreamClosed&) {
        throw NetError(
            fmt::format("{} closed the connection during setup (it refused this party; see its log)", name));
      } catch (const NetError& e) {
        const std::string what = e.what();
        if (what.find("alert") != std::string::npos) {
          throw NetError(fmt::format("{} refused this party's certificate: {}", name, what));
        }
        throw;
      }
      if (reply.party != j || reply.parties != n) {
        throw NetError(fmt::format("{} answered as party {} of {} (expected party {} of {})", name,
                                   reply.party, reply.parties, j, n));
      }
      l.out = std::move(s);
    }
  } catch (...) {
    dial_error = std::current_exception();
    stop = true;
  }
  acceptor.join();
  ::close(listen_fd);
  // Report the root cause, not the "setup abandoned" of the side it stopped.
  auto is_abandoned = [](const std::exception_ptr& e) {
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& x) {
      return std::string(x.what()) == "setup abandoned";
    }
  };
  auto text = [](const std::exception_ptr& e) {
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& x) {
      return std::string(x.what());
    }
  };
  if (accept_error && dial_error && !is_abandoned(accept_error) && !is_abandoned(dial_error)) {
    throw NetError(fmt::format("{}; and: {}", text(dial_error), text(accept_error)));
  }
  if (accept_error && (!dial_error || !is_abandoned(accept_error))) std::rethrow_exception(accept_error);
  if (dial_error) std::rethrow_exception(dial_error);

  return links;
}

}  // namespace sqt::net
