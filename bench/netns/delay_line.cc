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

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <deque>
#include <memory>

#include "host/core/error.h"

namespace sqt::bench::netns {
namespace {

using Clock = std::chrono::steady_clock;

// The largest frame a TAP hands over: a 64 KiB GSO segment (or a frame of
// the largest MTU, 65521) plus the Ethernet and virtio-net headers.
constexpr std::size_t kMaxFrame = 65536 + 1024;
constexpr int kMaxReadsPerWakeup = 64;  // then send what fell due meanwhile
// Busy-polling before a due time costs a core the parties need: at most this
// much per timer wake-up (measured against plain sleeps, docs/BENCHMARKS.md).
constexpr std::chrono::microseconds kMaxSpin{25};

struct Slot {
  Clock::time_point due;
  std::size_t offset;
  std::size_t size;
};

timespec to_timespec(Clock::duration wait) {
  const long long count =
      std::max<long long>(0, std::chrono::duration_cast<std::chrono::nanoseconds>(wait).count());
  return {static_cast<time_t>(count / 1000000000), static_cast<long>(count % 1000000000)};
}

}  // namespace

int open_tap_in_namespace(const std::string& netns, const std::string& ifname, bool offload) {
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
    request.ifr_flags = static_cast<short>(IFF_TAP | IFF_NO_PI | (offload ? IFF_VNET_HDR : 0));
    std::strncpy(request.ifr_name, ifname.c_str(), IFNAMSIZ - 1);
    if (ioctl(fd, TUNSETIFF, &request) != 0) {
      error = std::string("TUNSETIFF: ") + std::strerror(errno);
      close(fd);
      return;
    }
    if (offload) {
      const unsigned long features = TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6;
      if (ioctl(fd, TUNSETOFFLOAD, features) != 0) {
        error = std::string("TUNSETOFFLOAD: ") + std::strerror(errno);
        close(fd);
        return;
      }
    }
    tap_fd = fd;
  });
  helper.join();
  if (tap_fd < 0)
    throw NetError("network profile: TAP device " + ifname + " in namespace " + netns + ": " + error);
  return tap_fd;
}

DelayLine::DelayLine(int fd_a, int fd_b, std::chrono::nanoseconds a_to_b, std::chrono::nanoseconds b_to_a,
                     std::string label)
    : fd_a_(fd_a), fd_b_(fd_b), stop_fd_(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)), label_(std::move(label)) {
  if (stop_fd_ < 0) {
    close(fd_a_);
    close(fd_b_);
    throw NetError("network profile: eventfd for link " + label_ + ": " + std::strerror(errno));
  }
  a_to_b_ = std::thread([this, a_to_b] { relay(fd_a_, fd_b_, a_to_b); });
  b_to_a_ = std::thread([this, b_to_a] { relay(fd_b_, fd_a_, b_to_a); });
}

DelayLine::~DelayLine() {
  stop_.store(true, std::memory_order_relaxed);
  // Never read: the counter stays non-zero, so both threads see it.
  const std::uint64_t one = 1;
  if (write(stop_fd_, &one, sizeof one) < 0) {
    // Nothing else can wake a thread blocked in ppoll without a timeout.
    std::terminate();
  }
  a_to_b_.join();
  b_to_a_.join();
  close(stop_fd_);
  close(fd_a_);
  close(fd_b_);
}

void DelayLine::relay(int from, int to, std::chrono::nanoseconds delay) {
  // The default 50 us timer slack would swamp a 25 us LAN hop.
  prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
  // Frames wait back to back in a ring; each is read straight into it.
  const std::unique_ptr<std::uint8_t[]> ring(new std::uint8_t[kRingBytes]);
  const std::unique_ptr<std::uint8_t[]> scratch(new std::uint8_t[kMaxFrame]);  // frames to drop
  std::deque<Slot> queue;
  std::size_t head = 0;  // where the next frame goes
  // How late ppoll's timer wake-ups come (scheduling, VM timers): sleeps
  // end that much before the due time and the rest is spun, up to kMaxSpin.
  Clock::duration late{0};

  // Room for one more frame of kMaxFrame at `head`, or nullptr when full.
  // Live bytes run from the oldest frame's offset to `head`, maybe wrapped.
  auto room = [&]() -> std::uint8_t* {
    if (queue.empty()) {
      head = 0;
      return ring.get();
    }
    const std::size_t tail = queue.front().offset;
    if (head > tail) {  // not wrapped: free space after head, then before tail
      if (kRingBytes - head >= kMaxFrame) return ring.get() + head;
      if (tail <= kMaxFrame) return nullptr;
      head = 0;
      return ring.get();
    }
    return tail - head > kMaxFrame ? ring.get() + head : nullptr;
  };

  auto read_frames = [&] {
    for (int reads = 0; reads < kMaxReadsPerWakeup; ++reads) {
      std::uint8_t* place = room();
      const bool keep = place != nullptr;
      const ssize_t n = read(from, keep ? place : scratch.get(), kMaxFrame);
      if (n <= 0) return;  // EAGAIN: drained
      if (!keep) {
        dropped_.fetch_add(1, std::memory_order_relaxed);
        continue;
      }
      queue.push_back({Clock::now() + delay, head, static_cast<std::size_t>(n)});
      head += static_cast<std::size_t>(n);
    }
  };

  while (!stop_.load(std::memory_order_relaxed)) {
    const Clock::time_point now = Clock::now();
    while (!queue.empty() && queue.front().due <= now) {
      const Slot& slot = queue.front();
      // A TAP write hands the frame to the peer's stack; a failure means its
      // backlog is full, which a real link would also lose.
      if (write(to, ring.get() + slot.offset, slot.size) == static_cast<ssize_t>(slot.size)) {
        frames_.fetch_add(1, std::memory_order_relaxed);
      } else {
        dropped_.fetch_add(1, std::memory_order_relaxed);
      }
      queue.pop_front();
    }

    timespec timeout{};
    timespec* timeout_ptr = nullptr;
    Clock::time_point wake_target{};
    if (!queue.empty()) {
      const Clock::duration left = queue.front().due - Clock::now();
      if (left <= late) {  // a sleep would overshoot: spin the rest
        read_frames();
        continue;
      }
      wake_target = queue.front().due - late;
      timeout = to_timespec(left - late);
      timeout_ptr = &timeout;
    }
    pollfd fds[2] = {{from, POLLIN, 0}, {stop_fd_, POLLIN, 0}};
    const int ready = ppoll(fds, 2, timeout_ptr, nullptr);
    if (ready < 0 && errno != EINTR) return;
    if (ready == 0 && timeout_ptr) {
      // Timer wake-up: learn how late it came (average over ~8 wake-ups).
      const Clock::duration observed =
          std::clamp<Clock::duration>(Clock::now() - wake_target, Clock::duration(0), kMaxSpin);
      late += (observed - late) / 8;
    }
    if (fds[1].revents & POLLIN) return;
    if (fds[0].revents & POLLIN) read_frames();
  }
}

}  // namespace sqt::bench::netns
