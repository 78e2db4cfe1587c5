#include "host/net/mesh.h"

#include <arpa/inet.h>
#include <fmt/core.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstring>
#include <limits>
#include <mutex>
#include <utility>
#include <vector>

#include "host/net/frame.h"
#include "host/net/inbound.h"
#include "host/net/mesh_setup.h"
#include "host/net/stream.h"

namespace sqt::net {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// Messages up to this size are sent as one buffer with their header (one
// TLS record for small frames); larger ones stream from the caller's buffer.
constexpr std::size_t kCoalesceBytes = 64 << 10;

// How long a large frame nobody waits for yet may stay in the socket
// buffers while a recv() waits for another peer (Inbound::kHoldBackBytes):
// its own recv() usually comes soon and then takes it without a copy. The
// wait is bounded, so no pattern of sends and receives can deadlock.
constexpr std::int64_t kHoldBackNs = 2'000'000;

// How long failing tries to tell a peer why (ABORT frame) before it closes.
constexpr milliseconds kAbortSendLimit{500};

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count();
}

std::int64_t ns_of(std::chrono::nanoseconds d) { return d.count(); }

// Writes `data` from `done` on without reading anything meanwhile, until
// written or `deadline`: for the last words of a failing session only.
bool write_until(Stream& s, std::span<const std::byte> data, std::size_t done, std::int64_t deadline) {
  while (done < data.size() || !s.flush()) {
    const std::size_t n = done < data.size() ? s.write_some(data.data() + done, data.size() - done) : 0;
    done += n;
    if (n > 0) continue;
    const std::int64_t left_ms = (deadline - now_ns()) / 1'000'000;
    if (left_ms <= 0) return false;
    pollfd p{s.fd(), POLLOUT, 0};
    ::poll(&p, 1, static_cast<int>(std::min<std::int64_t>(left_ms, 100)));
  }
  return true;
}

struct PeerLink {
  std::string name;  // "party 2 (host:port)"
  std::unique_ptr<Stream> out;
  std::unique_ptr<Stream> in;
  std::unique_ptr<Inbound> inbound;
  bool writing = false;  // a frame to this peer is partly written
};

// The established session. One thread runs all network I/O of the party:
// the caller's. A recv() reads its frame straight from the socket into its
// buffer; whatever other peers send meanwhile is read too (Inbound), so a
// peer blocked on sending to this party always makes progress, and a send
// that finds the socket full keeps reading every peer while it waits. No
// reader threads: on a machine with fewer cores than party processes they
// took the cores the computation needs. stats() may be called from any
// thread; everything else from one thread at a time.
class Mesh final : public Network {
 public:
  Mesh(const NodeConfig& config, const MeshOptions& options, std::vector<PeerStreams> streams)
      : config_(config), options_(options) {
    links_.resize(config.parties.size());
    for (std::size_t j = 0; j < links_.size(); ++j) {
      PeerLink& l = links_[j];
      l.name = describe_party(static_cast<int>(j), config.parties[j]);
      if (static_cast<int>(j) == config.party) continue;
      l.out = std::move(streams[j].out);
      l.in = std::move(streams[j].in);
      l.out->set_nonblocking();
      l.in->set_nonblocking();
      l.inbound = std::make_unique<Inbound>(*l.in, l.name, config.max_frame_bytes, config.max_queued_bytes);
    }
  }

  ~Mesh() override { close(); }

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

  // Test hook (tests/net only): raw bytes on the connection to `peer`,
  // bypassing framing; then_close shuts the connection down.
  void write_raw_for_tests(int peer, std::span<const std::byte> bytes, bool then_close) {
    PeerLink& l = link(peer, "raw write");
    write_until(*l.out, bytes, 0, now_ns() + ns_of(config_.timeout));
    if (then_close) l.out->shutdown();
  }

  InboundQueueStats inbound_queue_for_tests(int peer) {
    const Inbound& in = *link(peer, "inbound queue").inbound;
    return {in.queued_bytes(), in.peak_queued_bytes()};
  }

 private:
  PeerLink& link(int peer, const char* what) {
    if (peer < 0 || peer >= parties() || peer == party()) {
      throw NetError(fmt::format("party {}: {} with invalid peer id {} (parties 0..{})", party(), what, peer,
                                 parties() - 1));
    }
    return links_[static_cast<std::size_t>(peer)];
  }

  void throw_if_failed() const {
    if (failed_) throw NetError(failure_);
  }

  void fail(const std::string& message);
  void pump_all(int recv_peer, bool take_large);
  void sleep_on_sockets(int recv_peer, Stream* room_in, bool take_large, std::int64_t until_ns);
  void await_room(PeerLink& l, std::int64_t last_progress_ns, milliseconds limit);
  void write_frame(PeerLink& l, FrameType type, std::span<const std::byte> payload, milliseconds limit);
  void close();

  NodeConfig config_;
  MeshOptions options_;
  std::vector<PeerLink> links_;
  bool failed_ = false;
  std::string failure_;
  bool closed_ = false;

  std::atomic<std::uint64_t> bytes_sent_{0}, bytes_received_{0}, messages_sent_{0}, rounds_{0};
  bool sent_since_recv_ = false;
  std::size_t next_pump_ = 0;  // the peer pump_all reads first
};

// Records the first failure, tells every peer why (ABORT frame, best
// effort) and closes every connection, so every party's session ends
// within moments. A frame partly written is finished first (write_frame).
void Mesh::fail(const std::string& message) {
  if (failed_) return;
  failed_ = true;
  failure_ = message;
  const std::string reason = message.substr(0, kMaxAbortReasonBytes);
  const auto abort_frame = [&] {
    std::vector<std::byte> frame(kFrameHeaderBytes + reason.size());
    const FrameHeaderBytes h = encode_frame_header({FrameType::kAbort, reason.size()});
    std::memcpy(frame.data(), h.data(), h.size());
    std::memcpy(frame.data() + h.size(), reason.data(), reason.size());
    return frame;
  }();
  const std::int64_t deadline = now_ns() + ns_of(kAbortSendLimit);
  for (auto& l : links_) {
    if (l.in) l.in->shutdown();
    if (!l.out || l.writing) continue;
    try {
      write_until(*l.out, abort_frame, 0, deadline);
    } catch (const std::exception&) {
    }
    l.out->shutdown();
  }
}

// Reads what every peer has sent (never waits), a fair share each
// (Inbound::kFairShareBytes), starting with a different peer every time;
// failures end the session.
void Mesh::pump_all(int recv_peer, bool take_large) {
  const std::size_t first = next_pump_++ % links_.size();
  for (std::size_t k = 0; k < links_.size(); ++k) {
    const std::size_t j = first + k < links_.size() ? first + k : first + k - links_.size();
    throw_if_failed();
    PeerLink& l = links_[j];
    if (!l.inbound) continue;
    try {
      l.inbound->pump(take_large || static_cast<int>(j) == recv_peer);
    } catch (const NetError& e) {
      fail(e.what());
    }
    if (l.inbound->abort_reason())
      fail(fmt::format("{} aborted the session: {}", l.name, *l.inbound->abort_reason()));
  }
  throw_if_failed();
}

// Sleeps until a peer's bytes arrive (those of a large frame held back only
// when take_large or for recv_peer), room_in has room, until_ns, or a tick.
void Mesh::sleep_on_sockets(int recv_peer, Stream* room_in, bool take_large, std::int64_t until_ns) {
  std::vector<pollfd> fds;
  fds.reserve(links_.size() + 1);
  for (std::size_t j = 0; j < links_.size(); ++j) {
    const PeerLink& l = links_[j];
    if (!l.inbound || l.inbound->said_bye() || l.inbound->throttled()) continue;
    if (l.inbound->holding_back() && !take_large && static_cast<int>(j) != recv_peer) continue;
    fds.push_back({l.in->fd(), POLLIN, 0});
  }
  if (room_in != nullptr) fds.push_back({room_in->fd(), POLLOUT, 0});
  std::int64_t wait_ms = options_.tick.count();
  if (until_ns != std::numeric_limits<std::int64_t>::max()) {
    wait_ms = std::clamp<std::int64_t>((until_ns - now_ns() + 999'999) / 1'000'000, 0, wait_ms);
  }
  ::poll(fds.data(), fds.size(), static_cast<int>(wait_ms));
}

void Mesh::recv_bytes(int peer, std::span<std::byte> out) {
  PeerLink& l = link(peer, "recv");
  throw_if_failed();
  if (std::exchange(sent_since_recv_, false)) ++rounds_;
  Inbound& in = *l.inbound;
  auto out_of_step = [&](const NetError& e) {
    fail(e.what());
    throw_if_failed();
  };
  if (in.has_queued()) {
    try {
      in.take_queued(out);
    } catch (const NetError& e) {
      out_of_step(e);
    }
    bytes_received_ += out.size();
    return;
  }
  try {
    in.wait_into(out);
  } catch (const NetError& e) {
    out_of_step(e);
  }
  struct StopWaiting {
    Inbound& in;
    ~StopWaiting() { in.stop_waiting(); }
  } stop_waiting{in};
  const std::int64_t start = now_ns();
  const std::int64_t spin_until = start + ns_of(config_.spin);
  const std::int64_t hold_until = start + kHoldBackNs;
  const std::int64_t timeout = ns_of(config_.timeout);
  for (;;) {
    const std::int64_t now = now_ns();
    const bool take_large = now >= hold_until;
    pump_all(peer, take_large);
    if (in.filled()) break;
    if (in.said_bye()) {
      throw NetError(fmt::format("{} ended the session while this party waits for a frame of {} bytes",
                                 l.name, out.size()));
    }
    if (now - std::max(start, in.last_progress_ns()) > timeout) {
      fail(fmt::format("no data from {} for {} ms (timeout): the peer is stalled or unreachable", l.name,
                       config_.timeout.count()));
      throw_if_failed();
    }
    if (now < spin_until) {
      // Spin before sleeping: a sleeping process's wake-up costs more than
      // a round on loopback on some machines (NodeConfig::spin).
      ::sched_yield();
      continue;
    }
    sleep_on_sockets(peer, nullptr, take_large,
                     take_large ? std::numeric_limits<std::int64_t>::max() : hold_until);
  }
  bytes_received_ += out.size();
}

void Mesh::send_bytes(int peer, std::span<const std::byte> data) {
  PeerLink& l = link(peer, "send");
  throw_if_failed();
  write_frame(l, FrameType::kData, data, config_.timeout);
  bytes_sent_ += data.size();
  ++messages_sent_;
  sent_since_recv_ = true;
}

// The socket to l is full: reads every peer (so nobody stays blocked on
// sending to this party) and sleeps until there is room. NetError when
// nothing could be written for `limit`.
void Mesh::await_room(PeerLink& l, std::int64_t last_progress_ns, milliseconds limit) {
  pump_all(-1, true);
  if (now_ns() - last_progress_ns > ns_of(limit)) {
    throw NetError(
        fmt::format("{} stopped reading: nothing could be sent for {} ms (timeout)", l.name, limit.count()));
  }
  sleep_on_sockets(-1, l.out.get(), true, std::numeric_limits<std::int64_t>::max());
}

void Mesh::write_frame(PeerLink& l, FrameType type, std::span<const std::byte> payload, milliseconds limit) {
  const FrameHeaderBytes header = encode_frame_header({type, payload.size()});
  // Small frames leave with their header in one buffer (one TLS record).
  thread_local std::vector<std::byte> coalesced;
  std::array<std::span<const std::byte>, 2> parts;
  if (payload.size() <= kCoalesceBytes) {
    coalesced.resize(header.size() + payload.size());
    std::memcpy(coalesced.data(), header.data(), header.size());
    if (!payload.empty()) std::memcpy(coalesced.data() + header.size(), payload.data(), payload.size());
    parts = {std::span<const std::byte>(coalesced), {}};
  } else {
    parts = {std::span<const std::byte>(header), payload};
  }
  std::size_t part = 0, done = 0;
  std::int64_t last_progress = now_ns();
  l.writing = true;
  try {
    for (; part < parts.size(); ++part, done = 0) {
      while (done < parts[part].size()) {
        const std::size_t n = l.out->write_some(parts[part].data() + done, parts[part].size() - done);
        if (n > 0) {
          done += n;
          last_progress = now_ns();
        } else {
          await_room(l, last_progress, limit);
        }
      }
    }
    while (!l.out->flush()) await_room(l, last_progress, limit);
    l.writing = false;
  } catch (const NetError& e) {
    l.writing = false;
    if (!failed_) {
      const std::string what = e.what();
      if (dynamic_cast<const StreamClosed*>(&e) != nullptr) {
        fail(fmt::format("{} closed the connection", l.name));
      } else {
        fail(what.find(l.name) != std::string::npos ? what
                                                    : fmt::format("sending to {} failed: {}", l.name, what));
      }
    } else {
      // The session failed while this frame was on the wire (another peer's
      // doing): finish the frame, so the peer can read why.
      const std::int64_t deadline = now_ns() + ns_of(kAbortSendLimit);
      try {
        bool ok = true;
        for (; ok && part < parts.size(); ++part, done = 0)
          ok = write_until(*l.out, parts[part], done, deadline);
        const std::string reason = failure_.substr(0, kMaxAbortReasonBytes);
        const FrameHeaderBytes h = encode_frame_header({FrameType::kAbort, reason.size()});
        std::vector<std::byte> frame(h.begin(), h.end());
        for (char c : reason) frame.push_back(static_cast<std::byte>(c));
        if (ok) write_until(*l.out, frame, 0, deadline);
      } catch (const std::exception&) {
      }
      l.out->shutdown();
    }
    throw_if_failed();
    throw;
  }
}

void Mesh::abort(const std::string& reason) {
  fail(fmt::format("party {} aborted the session: {}", party(), reason.substr(0, kMaxAbortReasonBytes / 2)));
}

void Mesh::close() {
  if (closed_) return;
  closed_ = true;
  if (!failed_) {
    // Say goodbye, then read on until every peer has too: closing a socket
    // with unread data would reset the connection and lose frames in flight.
    // Frames nobody received are dropped, so a full queue cannot hide a BYE.
    for (auto& l : links_) {
      if (l.inbound) l.inbound->discard_queued();
    }
    try {
      for (auto& l : links_) {
        if (l.out) write_frame(l, FrameType::kBye, {}, config_.timeout);
      }
      const std::int64_t deadline = now_ns() + ns_of(config_.timeout);
      auto all_said_bye = [&] {
        return std::all_of(links_.begin(), links_.end(),
                           [](const PeerLink& l) { return !l.inbound || l.inbound->said_bye(); });
      };
      for (;;) {
        pump_all(-1, true);
        if (all_said_bye() || now_ns() > deadline) break;
        sleep_on_sockets(-1, nullptr, true, deadline);
      }
    } catch (const std::exception&) {
      // The session ended badly after all: nothing more to say.
    }
  }
  for (auto& l : links_) {
    if (l.in) l.in->shutdown();
    if (l.out) l.out->shutdown();
  }
}

}  // namespace

std::unique_ptr<Network> connect_mesh(const NodeConfig& config, const MeshOptions& options) {
  // A peer that vanishes must surface as an error, not kill us with SIGPIPE.
  std::signal(SIGPIPE, SIG_IGN);
  if (config.party < 0 || config.party >= static_cast<int>(config.parties.size())) {
    throw ConfigError(fmt::format("party id {} is not in 0..{}", config.party, config.parties.size() - 1));
  }
  return std::make_unique<Mesh>(config, options,
                                establish_links(config, options.plain_tcp_for_benchmarks, options.tick));
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

InboundQueueStats inbound_queue_for_tests(Network& net, int peer) {
  return dynamic_cast<Mesh&>(net).inbound_queue_for_tests(peer);
}

}  // namespace sqt::net
