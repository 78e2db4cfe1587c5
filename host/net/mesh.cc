#include "host/net/mesh.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/core.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <csignal>
#include <cstring>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "host/net/frame.h"
#include "host/net/keys.h"
#include "host/net/stream.h"

namespace sqt::net {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// Messages up to this size are sent as one buffer with their header (one
// TLS record for small frames); larger ones stream from the caller's buffer.
constexpr std::size_t kCoalesceBytes = 64 << 10;

// A large frame that arrives before its recv() would cost a copy of the whole
// frame (and, the first time, fresh pages). The reader waits up to this long
// for the recv() before it buffers such a frame: the bytes meanwhile wait in
// the socket buffers. It never waits while this party is itself sending
// (both sides sending large frames to each other must not stall), and the
// wait is bounded, so no pattern of sends and receives can deadlock.
constexpr std::size_t kWaitForRecvBytes = 1 << 20;
constexpr std::chrono::microseconds kWaitForRecv{2000};
// A buffered frame is read in chunks of this size; between chunks the reader
// checks for a recv() that has started waiting for it and then copies what
// it has and reads the rest straight into the caller's buffer.
constexpr std::size_t kSwitchChunkBytes = 1 << 20;

std::string describe(int party, const PeerAddress& a) {
  return fmt::format("party {} ({}:{})", party, a.host, a.port);
}

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count();
}

// Reads exactly size bytes; `idle` is called whenever a tick passes without
// progress and throws to give up. `progress` is called after every chunk.
template <typename Idle, typename Progress>
void read_exact(Stream& s, std::byte* data, std::size_t size, Idle&& idle, Progress&& progress) {
  std::size_t done = 0;
  while (done < size) {
    const std::size_t n = s.read_some(data + done, size - done);
    if (n == 0) {
      idle();
    } else {
      done += n;
      progress();
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
  read_exact(s, buf.data(), kFrameHeaderBytes, idle, [] {});
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
  read_exact(s, buf.data() + kFrameHeaderBytes, kHelloPayloadBytes, idle, [] {});
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

// ---- TCP setup (POSIX sockets; the established sockets are then owned by Streams) ----

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

int listen_on(const PeerAddress& a, int me) {
  const std::string who = describe(me, a);
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

// ---- the established mesh ----

struct PeerLink {
  std::string name;  // "party 2 (host:port)"
  std::unique_ptr<Stream> out;
  std::timed_mutex out_mutex;
  std::unique_ptr<Stream> in;
  std::thread reader;

  std::mutex m;
  std::condition_variable cv;
  std::deque<FrameBuffer> queue;  // frames no recv() was waiting for
  FramePool pool;                 // storage of consumed frames, reused
  std::span<std::byte> target;    // buffer of a waiting recv()
  bool waiting = false;           // a recv() is waiting with `target`
  bool filling = false;           // the reader is writing into `target`
  bool filled = false;            // `target` holds the frame
  bool bye = false;               // the peer finished normally
  bool reader_done = false;
  std::atomic<std::int64_t> last_progress_ns{0};
  // Counts wake() calls, so a recv() can spin on it before it sleeps on cv.
  std::atomic<std::uint64_t> signals{0};

  void wake() {  // with m held
    signals.fetch_add(1, std::memory_order_release);
    cv.notify_all();
  }
};

class Mesh final : public Network {
 public:
  Mesh(const NodeConfig& config, const MeshOptions& options) : config_(config), options_(options) {
    links_.resize(config.parties.size());
    for (std::size_t j = 0; j < links_.size(); ++j) {
      links_[j] = std::make_unique<PeerLink>();
      links_[j]->name = describe(static_cast<int>(j), config.parties[j]);
    }
  }

  ~Mesh() override { close(); }

  void connect();

  const NodeConfig& config() const { return config_; }
  int party() const override { return config_.party; }
  int parties() const override { return static_cast<int>(config_.parties.size()); }

  void send_bytes(int peer, std::span<const std::byte> data) override;
  void recv_bytes(int peer, std::span<std::byte> out) override;
  void abort(const std::string& reason) override;

  TrafficStats stats() const override {
    TrafficStats s;
    s.bytes_sent = bytes_sent_.load();
    s.bytes_received = bytes_received_.load();
    s.messages_sent = messages_sent_.load();
    s.rounds = rounds_.load();
    return s;
  }

 private:
  PeerLink& link(int peer, const char* what) {
    if (peer < 0 || peer >= parties() || peer == party()) {
      throw NetError(fmt::format("party {}: {} with invalid peer id {} (parties 0..{})", party(), what, peer,
                                 parties() - 1));
    }
    return *links_[static_cast<std::size_t>(peer)];
  }

  void throw_if_failed() {
    if (failed_.load()) {
      std::lock_guard lock(fail_mutex_);
      throw NetError(failure_);
    }
  }

  // Records the first failure, wakes every waiting call, tells every peer
  // (ABORT frame with the message, best effort) and closes the connections,
  // so every party's session ends within moments.
  void fail(const std::string& message) {
    {
      std::lock_guard lock(fail_mutex_);
      if (failed_.load()) return;
      failure_ = message;
      failed_ = true;
    }
    for (auto& l : links_) {
      if (l->in) l->in->shutdown();
      std::lock_guard lock(l->m);
      l->wake();
    }
    const std::string reason = message.substr(0, kMaxAbortReasonBytes);
    for (auto& l : links_) {
      if (!l->out) continue;
      std::unique_lock lock(l->out_mutex, std::try_to_lock);
      if (!lock.owns_lock()) continue;  // its sender finishes the frame, then sends ABORT (write_frame)
      std::string ignored;
      write_frame_locked(*l, FrameType::kAbort, std::as_bytes(std::span(reason.data(), reason.size())),
                         milliseconds(500), ignored);
      l->out->shutdown();
    }
  }

  void reader_loop(int peer);
  void read_frames(int peer);
  void write_frame(PeerLink& l, FrameType type, std::span<const std::byte> payload, milliseconds limit);
  void write_frame_locked(PeerLink& l, FrameType type, std::span<const std::byte> payload, milliseconds limit,
                          std::string& failure);

 public:
  // Test hook (tests/net only): raw bytes on the connection to `peer`,
  // bypassing framing; then_close shuts the connection down.
  void write_raw_for_tests(int peer, std::span<const std::byte> bytes, bool then_close) {
    PeerLink& l = link(peer, "raw write");
    std::lock_guard lock(l.out_mutex);
    write_all(*l.out, bytes.data(), bytes.size(), [](std::size_t) {});
    while (!l.out->flush()) {
    }
    if (then_close) l.out->shutdown();
  }

 private:
  void close();

  NodeConfig config_;
  MeshOptions options_;
  std::vector<std::unique_ptr<PeerLink>> links_;
  std::atomic<bool> failed_{false};
  std::atomic<bool> stopping_{false};
  std::mutex fail_mutex_;
  std::string failure_;
  bool closed_ = false;

  std::atomic<std::uint64_t> bytes_sent_{0}, bytes_received_{0}, messages_sent_{0}, rounds_{0};
  std::atomic<int> sends_in_progress_{0};  // send_bytes() calls on the wire now
  std::atomic<bool> sent_since_recv_{false};
};

void Mesh::connect() {
  const int me = party();
  const int n = parties();
  const auto deadline = Clock::now() + config_.connect_timeout;
  const bool plain = options_.plain_tcp_for_benchmarks;
  SslCtxPtr ctx;
  if (!plain) ctx = make_tls_context(config_.ca_cert, config_.cert, config_.key);

  const int listen_fd = listen_on(config_.parties[static_cast<std::size_t>(me)], me);
  std::atomic<bool> stop{false};
  std::exception_ptr accept_error;

  std::thread acceptor([&] {
    try {
      for (int k = 0; k < n - 1; ++k) {
        const int fd = accept_before(listen_fd, deadline, stop, me);
        const std::string who = "incoming connection from " + peer_name_of(fd);
        std::string cn;
        std::unique_ptr<Stream> s =
            plain ? make_plain_stream(fd, options_.tick)
                  : make_tls_stream(ctx.get(), fd, true, options_.tick, deadline, who, cn);
        const Hello hello = read_hello(*s, deadline, who, config_.max_frame_bytes);
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
        PeerLink& l = *links_[static_cast<std::size_t>(hello.party)];
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
      PeerLink& l = *links_[static_cast<std::size_t>(j)];
      const PeerAddress& a = config_.parties[static_cast<std::size_t>(j)];
      const int fd = dial_before(a, deadline, stop, l.name);
      std::string cn;
      std::unique_ptr<Stream> s =
          plain ? make_plain_stream(fd, options_.tick)
                : make_tls_stream(ctx.get(), fd, false, options_.tick, deadline, l.name, cn);
      if (!plain && cn != party_common_name(j)) {
        throw NetError(
            fmt::format("{} presented a certificate for '{}' (expected '{}'): wrong certificate for this "
                        "party, or wrong address in node.toml",
                        l.name, cn, party_common_name(j)));
      }
      write_with_deadline(*s, hello_frame(me, n), deadline, l.name);
      Hello reply;
      try {
        reply = read_hello(*s, deadline, l.name, config_.max_frame_bytes);
      } catch (const StreamClosed&) {
        throw NetError(fmt::format(
            "{} closed the connection during setup (it refused this party; see its log)", l.name));
      } catch (const NetError& e) {
        const std::string what = e.what();
        if (what.find("alert") != std::string::npos) {
          throw NetError(fmt::format("{} refused this party's certificate: {}", l.name, what));
        }
        throw;
      }
      if (reply.party != j || reply.parties != n) {
        throw NetError(fmt::format("{} answered as party {} of {} (expected party {} of {})", l.name,
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

  for (int j = 0; j < n; ++j) {
    if (j == me) continue;
    PeerLink& l = *links_[static_cast<std::size_t>(j)];
    l.last_progress_ns = now_ns();
    l.in->set_spin(config_.spin);
    l.reader = std::thread([this, j] { reader_loop(j); });
  }
}

void Mesh::reader_loop(int peer) {
  PeerLink& l = *links_[static_cast<std::size_t>(peer)];
  try {
    read_frames(peer);
  } catch (const StreamClosed&) {
    if (!stopping_ && !failed_) {
      fail(fmt::format("{} disconnected (connection closed without BYE: the process ended or crashed)",
                       l.name));
    }
  } catch (const std::exception& e) {
    if (!stopping_ && !failed_) fail(e.what());
  }
  std::lock_guard lock(l.m);
  l.reader_done = true;
  l.filling = false;
  l.wake();
}

void Mesh::read_frames(int peer) {
  PeerLink& l = *links_[static_cast<std::size_t>(peer)];
  Stream& s = *l.in;
  auto idle = [&] {
    if (stopping_ || failed_) throw StreamClosed("stopped");
  };
  auto progress = [&] { l.last_progress_ns.store(now_ns(), std::memory_order_relaxed); };
  for (;;) {
    FrameHeaderBytes hb{};
    // A clean EOF is only fine between frames.
    read_exact(s, hb.data(), 1, idle, progress);
    try {
      read_exact(s, hb.data() + 1, hb.size() - 1, idle, progress);
    } catch (const StreamClosed&) {
      if (stopping_ || failed_) throw;
      throw NetError(fmt::format("{} sent a truncated frame header (connection closed)", l.name));
    }
    FrameHeader h;
    try {
      h = parse_frame_header(hb, config_.max_frame_bytes);
    } catch (const FrameError& e) {
      throw NetError(fmt::format("{} sent a bad frame: {}", l.name, e.what()));
    }
    auto read_payload = [&](std::byte* dst, std::size_t size) {
      try {
        read_exact(s, dst, size, idle, progress);
      } catch (const StreamClosed&) {
        if (stopping_ || failed_) throw;
        throw NetError(fmt::format("{} sent a truncated {} frame (connection closed inside {} payload bytes)",
                                   l.name, frame_type_name(h.type), h.length));
      }
    };
    if (h.type == FrameType::kData) {
      const auto size = static_cast<std::size_t>(h.length);
      // True when a recv() waits for exactly this frame (nothing queued before it).
      auto recv_waits = [&] { return l.waiting && !l.filled && l.queue.empty() && l.target.size() == size; };
      auto deliver_direct = [&](std::size_t done) {  // target[0, done) already holds the frame's start
        read_payload(l.target.data() + done, size - done);
        std::lock_guard lock(l.m);
        l.filling = false;
        l.filled = true;
        l.wake();
      };
      std::unique_lock lock(l.m);
      if (!recv_waits() && size >= kWaitForRecvBytes && sends_in_progress_.load() == 0) {
        l.cv.wait_for(lock, kWaitForRecv, [&] { return recv_waits() || stopping_ || failed_; });
      }
      if (recv_waits()) {
        l.filling = true;  // recv() stays put until filling ends
        lock.unlock();
        deliver_direct(0);
        continue;
      }
      FrameBuffer frame = l.pool.acquire(size);
      lock.unlock();
      bool switched = false;
      for (std::size_t done = 0; done < size;) {
        const std::size_t chunk = std::min(kSwitchChunkBytes, size - done);
        read_payload(frame.data() + done, chunk);
        done += chunk;
        if (done == size) break;
        lock.lock();
        if (recv_waits()) {
          l.filling = true;
          lock.unlock();
          std::memcpy(l.target.data(), frame.data(), done);
          deliver_direct(done);
          lock.lock();
          l.pool.release(std::move(frame));
          lock.unlock();
          switched = true;
          break;
        }
        lock.unlock();
      }
      if (switched) continue;
      lock.lock();
      l.queue.push_back(std::move(frame));
      l.wake();
    } else if (h.type == FrameType::kAbort) {
      std::string reason(static_cast<std::size_t>(h.length), '\0');
      read_payload(reinterpret_cast<std::byte*>(reason.data()), reason.size());
      fail(fmt::format("{} aborted the session: {}", l.name, reason));
      return;
    } else if (h.type == FrameType::kBye) {
      std::lock_guard lock(l.m);
      l.bye = true;
      l.wake();
      return;
    } else {
      throw NetError(
          fmt::format("{} sent an unexpected {} frame during the session", l.name, frame_type_name(h.type)));
    }
  }
}

void Mesh::send_bytes(int peer, std::span<const std::byte> data) {
  PeerLink& l = link(peer, "send");
  throw_if_failed();
  struct InProgress {
    std::atomic<int>& n;
    explicit InProgress(std::atomic<int>& count) : n(count) { ++n; }
    ~InProgress() { --n; }
  } in_progress{sends_in_progress_};
  write_frame(l, FrameType::kData, data, config_.timeout);
  bytes_sent_ += data.size();
  ++messages_sent_;
  sent_since_recv_ = true;
}

void Mesh::write_frame(PeerLink& l, FrameType type, std::span<const std::byte> payload, milliseconds limit) {
  const bool is_abort = type == FrameType::kAbort;
  std::string failure;  // set when this write fails; reported after the lock is released
  {
    std::unique_lock lock(l.out_mutex, std::defer_lock);
    if (!lock.try_lock_for(limit))
      throw NetError(fmt::format("sending to {} timed out (connection busy)", l.name));
    write_frame_locked(l, type, payload, limit, failure);
    if (failure.empty() && !is_abort && failed_) {
      // The session failed while this frame was on the wire (fail() could
      // not interrupt it): the frame is complete, so tell the peer why.
      std::string reason;
      {
        std::lock_guard fail_lock(fail_mutex_);
        reason = failure_.substr(0, kMaxAbortReasonBytes);
      }
      std::string ignored;
      write_frame_locked(l, FrameType::kAbort, std::as_bytes(std::span(reason.data(), reason.size())),
                         milliseconds(500), ignored);
      l.out->shutdown();
    }
  }
  if (!failure.empty()) {
    if (!is_abort) fail(failure);
    throw_if_failed();
    throw NetError(failure);
  }
}

void Mesh::write_frame_locked(PeerLink& l, FrameType type, std::span<const std::byte> payload,
                              milliseconds limit, std::string& failure) {
  const bool is_abort = type == FrameType::kAbort;
  auto last_progress = Clock::now();
  std::size_t last_done = 0;
  auto idle = [&](std::size_t done) {
    if (!is_abort) throw_if_failed();
    if (done != last_done) {
      last_done = done;
      last_progress = Clock::now();
    } else if (Clock::now() - last_progress > limit) {
      throw NetError(fmt::format("{} stopped reading: nothing could be sent for {} ms (timeout)", l.name,
                                 limit.count()));
    }
  };
  const FrameHeaderBytes header = encode_frame_header({type, payload.size()});
  try {
    if (payload.size() <= kCoalesceBytes) {
      thread_local std::vector<std::byte> buffer;
      buffer.resize(header.size() + payload.size());
      std::memcpy(buffer.data(), header.data(), header.size());
      if (!payload.empty()) std::memcpy(buffer.data() + header.size(), payload.data(), payload.size());
      write_all(*l.out, buffer.data(), buffer.size(), idle);
    } else {
      write_all(*l.out, header.data(), header.size(), idle);
      last_done = 0;
      write_all(*l.out, payload.data(), payload.size(), idle);
    }
    last_done = 0;
    while (!l.out->flush()) idle(0);
  } catch (const StreamClosed&) {
    failure = fmt::format("{} closed the connection", l.name);
  } catch (const NetError& e) {
    if (failed_ && !is_abort) throw_if_failed();  // the session already failed: report that cause
    failure = std::string(e.what()).find(l.name) != std::string::npos
                  ? std::string(e.what())
                  : fmt::format("sending to {} failed: {}", l.name, e.what());
  }
}

void Mesh::recv_bytes(int peer, std::span<std::byte> out) {
  PeerLink& l = link(peer, "recv");
  if (sent_since_recv_.exchange(false)) ++rounds_;
  const auto start_ns = now_ns();
  const auto timeout_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(config_.timeout).count();
  const auto spin_until_ns =
      start_ns + std::chrono::duration_cast<std::chrono::nanoseconds>(config_.spin).count();
  std::unique_lock lock(l.m);
  auto take_queued = [&] {
    FrameBuffer frame = std::move(l.queue.front());
    l.queue.pop_front();
    if (frame.size() != out.size()) {
      const std::string msg =
          fmt::format("{} sent a frame of {} bytes where this party expects {} bytes (protocol out of step)",
                      l.name, frame.size(), out.size());
      lock.unlock();  // a protocol out of step ends the session
      fail(msg);
      throw NetError(msg);
    }
    if (frame.size() >= kWaitForRecvBytes) {
      l.waiting = false;  // so the reader does not pick `out` for the next frame
      lock.unlock();      // the frame is ours alone; the reader may go on meanwhile
      std::memcpy(out.data(), frame.data(), frame.size());
      lock.lock();
    } else if (frame.size() != 0) {
      std::memcpy(out.data(), frame.data(), frame.size());
    }
    l.pool.release(std::move(frame));
  };
  if (!l.queue.empty()) {
    take_queued();
    bytes_received_ += out.size();
    return;
  }
  l.target = out;
  l.waiting = true;
  l.filled = false;
  l.wake();  // a reader holding back a large frame for this recv()
  struct Reset {
    PeerLink& l;
    std::unique_lock<std::mutex>& lock;
    ~Reset() {
      if (!lock.owns_lock()) lock.lock();
      l.waiting = false;
      l.filled = false;
      l.target = {};
    }
  } reset{l, lock};
  for (;;) {
    if (l.filled) {
      bytes_received_ += out.size();
      return;
    }
    if (!l.filling) {
      if (!l.queue.empty()) {
        take_queued();
        bytes_received_ += out.size();
        return;
      }
      if (failed_) {
        lock.unlock();
        throw_if_failed();
      }
      if (l.bye || l.reader_done) {
        throw NetError(fmt::format("{} ended the session while this party waits for a frame of {} bytes",
                                   l.name, out.size()));
      }
      const auto silent_ns = now_ns() - std::max(start_ns, l.last_progress_ns.load());
      if (silent_ns > timeout_ns) {
        const std::string msg =
            fmt::format("no data from {} for {} ms (timeout): the peer is stalled or unreachable", l.name,
                        config_.timeout.count());
        lock.unlock();
        fail(msg);
        throw NetError(msg);
      }
    }
    // While the reader fills our buffer we must not return (it writes into it).
    if (now_ns() < spin_until_ns) {
      // Spin before sleeping: a sleeping thread's wake-up costs more than a
      // round on loopback on some machines (NodeConfig::spin).
      const std::uint64_t seen = l.signals.load(std::memory_order_acquire);
      lock.unlock();
      while (l.signals.load(std::memory_order_acquire) == seen && !failed_ && now_ns() < spin_until_ns)
        ::sched_yield();
      lock.lock();
      continue;
    }
    l.cv.wait_for(lock, options_.tick);
  }
}

void Mesh::abort(const std::string& reason) {
  fail(fmt::format("party {} aborted the session: {}", party(), reason.substr(0, kMaxAbortReasonBytes / 2)));
}

void Mesh::close() {
  if (closed_) return;
  closed_ = true;
  if (!failed_) {
    // Say goodbye, then wait until every peer has too: closing a socket with
    // unread data would reset the connection and lose frames still in flight.
    for (int j = 0; j < parties(); ++j) {
      if (j == party() || !links_[static_cast<std::size_t>(j)]->out) continue;
      try {
        write_frame(*links_[static_cast<std::size_t>(j)], FrameType::kBye, {}, config_.timeout);
      } catch (const std::exception&) {
      }
    }
    const auto deadline = Clock::now() + config_.timeout;
    for (int j = 0; j < parties(); ++j) {
      if (j == party()) continue;
      PeerLink& l = *links_[static_cast<std::size_t>(j)];
      if (!l.reader.joinable()) continue;  // setup never completed
      std::unique_lock lock(l.m);
      l.cv.wait_until(lock, deadline, [&] { return l.bye || l.reader_done || failed_.load(); });
    }
  }
  stopping_ = true;
  for (auto& l : links_) {
    if (l->in) l->in->shutdown();
    if (l->out) l->out->shutdown();
  }
  for (auto& l : links_) {
    if (l->reader.joinable()) l->reader.join();
  }
}

}  // namespace

std::unique_ptr<Network> connect_mesh(const NodeConfig& config, const MeshOptions& options) {
  // A peer that vanishes must surface as an error, not kill us with SIGPIPE.
  std::signal(SIGPIPE, SIG_IGN);
  if (config.party < 0 || config.party >= static_cast<int>(config.parties.size())) {
    throw ConfigError(fmt::format("party id {} is not in 0..{}", config.party, config.parties.size() - 1));
  }
  auto mesh = std::make_unique<Mesh>(config, options);
  mesh->connect();
  return mesh;
}

std::unique_ptr<Network> connect_mesh(const NodeConfig& config) {
  return connect_mesh(config, MeshOptions{});
}

std::unique_ptr<Network> open_plain_baseline_mesh(Network& tls_mesh) {
  auto* mesh = dynamic_cast<Mesh*>(&tls_mesh);
  if (mesh == nullptr) throw NetError("the plain-TCP baseline needs a mesh made by connect_mesh");
  NodeConfig config = mesh->config();
  const int me = config.party;
  PeerAddress own = config.parties[static_cast<std::size_t>(me)];
  own.port = 0;
  const int fd = listen_on(own, me);  // a free port on our listen host
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len);
  const auto port = ntohs(ss.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port
                                                   : reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
  ::close(fd);
  std::vector<Ring> mine{Ring(port)};
  for (int j = 0; j < tls_mesh.parties(); ++j) {
    if (j != me) tls_mesh.send(j, mine);
  }
  config.parties[static_cast<std::size_t>(me)].port = port;
  for (int j = 0; j < tls_mesh.parties(); ++j) {
    if (j == me) continue;
    std::vector<Ring> theirs(1);
    tls_mesh.recv(j, theirs);
    config.parties[static_cast<std::size_t>(j)].port = static_cast<unsigned short>(theirs[0]);
  }
  MeshOptions options;
  options.plain_tcp_for_benchmarks = true;
  return connect_mesh(config, options);
}

void write_raw_bytes_for_tests(Network& net, int peer, std::span<const std::byte> bytes, bool then_close) {
  dynamic_cast<Mesh&>(net).write_raw_for_tests(peer, bytes, then_close);
}

}  // namespace sqt::net
