#include "host/net/mesh_setup.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/core.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <exception>
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
  for (int i = 0; i < 4; ++i) {
    out[kFrameHeaderBytes + i] =
        std::byte{static_cast<std::uint8_t>(static_cast<std::uint32_t>(party) >> (8 * i))};
    out[kFrameHeaderBytes + 4 + i] =
        std::byte{static_cast<std::uint8_t>(static_cast<std::uint32_t>(parties) >> (8 * i))};
  }
  return out;
}

struct Hello {
  int party = -1;
  int parties = 0;
};

// Reads one HELLO frame before `deadline`; `who` names the peer.
Hello read_hello(Stream& s, Clock::time_point deadline, const std::string& who, std::uint64_t max_frame) {
  auto idle = [&] {
    if (Clock::now() > deadline)
      throw NetError(fmt::format("{} sent no HELLO before the connect timeout", who));
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
  Hello hello{0, 0};
  std::uint32_t p = 0, n = 0;
  for (int i = 0; i < 4; ++i) {
    p |= std::uint32_t{std::to_integer<std::uint8_t>(buf[kFrameHeaderBytes + i])} << (8 * i);
    n |= std::uint32_t{std::to_integer<std::uint8_t>(buf[kFrameHeaderBytes + 4 + i])} << (8 * i);
  }
  hello.party = static_cast<int>(p);
  hello.parties = static_cast<int>(n);
  return hello;
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

// Waits for an incoming connection until the deadline (or until `stop`).
int accept_before(int listen_fd, Clock::time_point deadline, const std::atomic<bool>& stop, int me) {
  for (;;) {
    if (stop) throw NetError("setup abandoned");
    const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count();
    if (left <= 0)
      throw NetError(fmt::format("party {}: not every peer connected before the connect timeout", me));
    pollfd p{listen_fd, POLLIN, 0};
    const int rc = ::poll(&p, 1, static_cast<int>(std::min<long long>(left, 100)));
    if (rc <= 0) continue;
    const int fd = ::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd >= 0) return fd;
    if (errno != EINTR && errno != EAGAIN && errno != ECONNABORTED) {
      throw NetError(fmt::format("party {}: accept failed: {}", me, std::strerror(errno)));
    }
  }
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
      for (int k = 0; k < n - 1; ++k) {
        const int fd = accept_before(listen_fd, deadline, stop, me);
        const std::string who = "incoming connection from " + peer_name_of(fd);
        std::string cn;
        std::unique_ptr<Stream> s = plain ? make_plain_stream(fd, tick)
                                          : make_tls_stream(ctx.get(), fd, true, tick, deadline, who, cn);
        const Hello hello = read_hello(*s, deadline, who, config.max_frame_bytes);
        if (hello.parties != n) {
          throw NetError(fmt::format("{} (party {}) runs a session of {} parties, this party expects {}", who,
                                     hello.party, hello.parties, n));
        }
        if (hello.party < 0 || hello.party >= n || hello.party == me) {
          throw NetError(
              fmt::format("{} says it is party {}, which is not a peer of party {}", who, hello.party, me));
        }
        if (!plain && cn != party_common_name(hello.party)) {
          throw NetError(fmt::format("{} says it is party {} but its certificate names '{}' (expected '{}')",
                                     who, hello.party, cn, party_common_name(hello.party)));
        }
        PeerStreams& l = links[static_cast<std::size_t>(hello.party)];
        if (l.in) throw NetError(fmt::format("{}: party {} connected twice", who, hello.party));
        write_with_deadline(*s, hello_frame(me, n), deadline, who);
        l.in = std::move(s);
      }
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
