#include "bench/netns/delay_line.h"

#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <sched.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <deque>
#include <memory>
#include <vector>

#include "host/core/error.h"

namespace sqt::bench::netns {
namespace {

using Clock = std::chrono::steady_clock;

constexpr size_t kMaxFrame = 65536 + 64;      // TAP MTU up to 65521 plus the Ethernet header
constexpr size_t kMaxQueuedFrames = 1 << 16;  // a full queue drops, like a NIC ring
constexpr int kMaxReadsPerWakeup = 64;        // keep both directions fair

using Buffer = std::unique_ptr<std::uint8_t[]>;  // kMaxFrame bytes, never zero-filled

struct Frame {
  Clock::time_point due;
  Buffer bytes;
  size_t size;
};

struct Direction {
  int from;
  int to;
  std::deque<Frame> queue;
};

}  // namespace

int open_tap_in_namespace(const std::string& netns, const std::string& ifname) {
  int tap_fd = -1;
  std::string error;
  // setns() moves only the calling thread; a helper thread keeps ours put.
  std::thread helper([&] {
    const std::string ns_path = "/run/netns/" + netns;
    const int ns_fd = open(ns_path.c_str(), O_RDONLY | O_CLOEXEC);
    if (ns_fd < 0) {
      error = "cannot open " + ns_path + ": " + std::strerror(errno);
      return;
    }
    if (setns(ns_fd, CLONE_NEWNET) != 0) {
      error = "setns into " + netns + ": " + std::strerror(errno);
      close(ns_fd);
      return;
    }
    close(ns_fd);
    const int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
      error = std::string("cannot open /dev/net/tun: ") + std::strerror(errno);
      return;
    }
    ifreq request{};
    request.ifr_flags = IFF_TAP | IFF_NO_PI;
    std::strncpy(request.ifr_name, ifname.c_str(), IFNAMSIZ - 1);
    if (ioctl(fd, TUNSETIFF, &request) != 0) {
      error = std::string("TUNSETIFF: ") + std::strerror(errno);
      close(fd);
      return;
    }
    tap_fd = fd;
  });
  helper.join();
  if (tap_fd < 0)
    throw NetError("network profile: TAP device " + ifname + " in namespace " + netns + ": " + error);
  return tap_fd;
}

DelayLine::DelayLine(int fd_a, int fd_b, std::chrono::nanoseconds one_way_delay, std::string label)
    : fd_a_(fd_a),
      fd_b_(fd_b),
      stop_fd_(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)),
      delay_(one_way_delay),
      label_(std::move(label)) {
  if (stop_fd_ < 0) {
    close(fd_a_);
    close(fd_b_);
    throw NetError("network profile: eventfd for link " + label_ + ": " + std::strerror(errno));
  }
  thread_ = std::thread([this] { run(); });
}

DelayLine::~DelayLine() {
  const std::uint64_t one = 1;
  if (write(stop_fd_, &one, sizeof one) < 0) {
    // Nothing else can wake the thread; it would block forever in ppoll.
    std::terminate();
  }
  thread_.join();
  close(stop_fd_);
  close(fd_a_);
  close(fd_b_);
}

void DelayLine::run() {
  // The default 50 us timer slack would swamp a 25 us LAN hop.
  prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
  Direction directions[2] = {{fd_a_, fd_b_, {}}, {fd_b_, fd_a_, {}}};
  std::vector<Buffer> spare;  // recycled frame buffers

  for (;;) {
    Clock::time_point now = Clock::now();
    Clock::time_point next_due = Clock::time_point::max();
    for (auto& dir : directions) {
      while (!dir.queue.empty() && dir.queue.front().due <= now) {
        Frame& frame = dir.queue.front();
        // A TAP write hands the frame to the peer's stack; EAGAIN means its
        // backlog is full, which a real link would also lose.
        [[maybe_unused]] const ssize_t written = write(dir.to, frame.bytes.get(), frame.size);
        frames_.fetch_add(1, std::memory_order_relaxed);
        spare.push_back(std::move(frame.bytes));
        dir.queue.pop_front();
      }
      if (!dir.queue.empty()) next_due = std::min(next_due, dir.queue.front().due);
    }

    pollfd fds[3] = {{fd_a_, POLLIN, 0}, {fd_b_, POLLIN, 0}, {stop_fd_, POLLIN, 0}};
    timespec timeout{};
    timespec* timeout_ptr = nullptr;
    if (next_due != Clock::time_point::max()) {
      const auto wait = std::chrono::duration_cast<std::chrono::nanoseconds>(next_due - Clock::now());
      const long long ns = std::max<long long>(0, wait.count());
      timeout.tv_sec = static_cast<time_t>(ns / 1000000000);
      timeout.tv_nsec = static_cast<long>(ns % 1000000000);
      timeout_ptr = &timeout;
    }
    if (ppoll(fds, 3, timeout_ptr, nullptr) < 0 && errno != EINTR) return;
    if (fds[2].revents & POLLIN) return;

    for (int d = 0; d < 2; ++d) {
      if (!(fds[d].revents & POLLIN)) continue;
      Direction& dir = directions[d];
      for (int reads = 0; reads < kMaxReadsPerWakeup; ++reads) {
        Buffer buffer;
        if (spare.empty()) {
          buffer.reset(new std::uint8_t[kMaxFrame]);
        } else {
          buffer = std::move(spare.back());
          spare.pop_back();
        }
        const ssize_t n = read(dir.from, buffer.get(), kMaxFrame);
        if (n <= 0) {
          spare.push_back(std::move(buffer));
          break;
        }
        if (dir.queue.size() >= kMaxQueuedFrames) {
          spare.push_back(std::move(buffer));
          continue;
        }
        dir.queue.push_back({Clock::now() + delay_, std::move(buffer), static_cast<size_t>(n)});
      }
    }
  }
}

}  // namespace sqt::bench::netns
