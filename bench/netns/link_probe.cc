#include "bench/netns/link_probe.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <functional>
#include <future>
#include <thread>
#include <vector>

#include "host/core/error.h"

namespace sqt::bench::netns {
namespace {

using Clock = std::chrono::steady_clock;

struct Socket {
  int fd = -1;
  explicit Socket(int f) : fd(f) {}
  ~Socket() {
    if (fd >= 0) close(fd);
  }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
};

[[noreturn]] void fail(const std::string& what) {
  throw NetError("link probe: " + what + ": " + std::strerror(errno));
}

// Runs `fn` on a thread that has joined `netns` (setns moves one thread only).
template <typename Fn>
auto in_namespace(const std::string& netns, Fn fn) {
  return std::async(std::launch::async, [netns, fn]() {
    if (!netns.empty()) {
      const std::string path = "/run/netns/" + netns;
      const int ns_fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
      if (ns_fd < 0) fail("open " + path);
      const int rc = setns(ns_fd, CLONE_NEWNET);
      close(ns_fd);
      if (rc != 0) fail("setns " + netns);
    }
    return fn();
  });
}

sockaddr_in make_address(const std::string& address, int port) {
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(static_cast<uint16_t>(port));
  if (inet_pton(AF_INET, address.c_str(), &sa.sin_addr) != 1) {
    throw NetError("link probe: '" + address + "' is not an IPv4 address");
  }
  return sa;
}

void set_common_options(int fd) {
  const int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  timeval timeout{30, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
}

void send_all(int fd, const char* data, size_t size, const std::string& who) {
  while (size > 0) {
    const ssize_t n = send(fd, data, size, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) fail("send from " + who);
    data += n;
    size -= static_cast<size_t>(n);
  }
}

void recv_all(int fd, char* data, size_t size, const std::string& who) {
  while (size > 0) {
    const ssize_t n = recv(fd, data, size, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) fail("receive at " + who);
    data += n;
    size -= static_cast<size_t>(n);
  }
}

}  // namespace

LinkMeasurement probe_link(const ProbeEndpoint& from, const ProbeEndpoint& to, int pings, double bulk_bytes) {
  const size_t bulk = static_cast<size_t>(std::max(1.0, bulk_bytes));
  std::promise<int> port_promise;
  auto port_future = port_promise.get_future();

  // Server: echo `pings` bytes, swallow the bulk, acknowledge with one byte.
  auto server = in_namespace(to.netns, [&, bulk]() -> int {
    Socket listener(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    try {
      if (listener.fd < 0) fail("socket at " + to.address);
      const int one = 1;
      setsockopt(listener.fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
      sockaddr_in sa = make_address(to.address, 0);
      if (bind(listener.fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) fail("bind " + to.address);
      if (listen(listener.fd, 1) != 0) fail("listen " + to.address);
      socklen_t len = sizeof sa;
      getsockname(listener.fd, reinterpret_cast<sockaddr*>(&sa), &len);
      port_promise.set_value(ntohs(sa.sin_port));
    } catch (...) {
      port_promise.set_exception(std::current_exception());
      throw;
    }
    timeval timeout{30, 0};
    setsockopt(listener.fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    Socket conn(accept4(listener.fd, nullptr, nullptr, SOCK_CLOEXEC));
    if (conn.fd < 0) fail("accept at " + to.address);
    set_common_options(conn.fd);
    char byte = 0;
    for (int i = 0; i < pings; ++i) {
      recv_all(conn.fd, &byte, 1, to.address);
      send_all(conn.fd, &byte, 1, to.address);
    }
    std::vector<char> buffer(1 << 20);
    size_t received = 0;
    while (received < bulk) {
      const ssize_t n = recv(conn.fd, buffer.data(), std::min(buffer.size(), bulk - received), 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) fail("bulk receive at " + to.address);
      received += static_cast<size_t>(n);
    }
    send_all(conn.fd, &byte, 1, to.address);
    return 0;
  });

  const int port = port_future.get();
  auto client = in_namespace(from.netns, [&, port, bulk]() -> LinkMeasurement {
    Socket conn(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (conn.fd < 0) fail("socket at " + from.address);
    set_common_options(conn.fd);
    sockaddr_in sa = make_address(to.address, port);
    if (connect(conn.fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
      fail("connect from " + from.address + " to " + to.address);
    }
    LinkMeasurement m;
    std::vector<double> rtts;
    char byte = 1;
    for (int i = 0; i < pings; ++i) {
      const auto start = Clock::now();
      send_all(conn.fd, &byte, 1, from.address);
      recv_all(conn.fd, &byte, 1, from.address);
      rtts.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
    }
    if (!rtts.empty()) {
      std::sort(rtts.begin(), rtts.end());
      m.rtt_ms_median = rtts[rtts.size() / 2];
      m.rtt_ms_min = rtts.front();
    }
    std::vector<char> chunk(1 << 20, 'x');
    const auto start = Clock::now();
    size_t sent = 0;
    while (sent < bulk) {
      const size_t n = std::min(chunk.size(), bulk - sent);
      send_all(conn.fd, chunk.data(), n, from.address);
      sent += n;
    }
    recv_all(conn.fd, &byte, 1, from.address);
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    m.bulk_bytes = static_cast<double>(bulk);
    m.throughput_bit_per_s = 8.0 * static_cast<double>(bulk) / seconds;
    return m;
  });

  LinkMeasurement result = client.get();
  server.get();
  return result;
}

}  // namespace sqt::bench::netns
