// A full-duplex Ethernet cable with a fixed one-way delay, made of two TAP
// devices and one relay thread. It stands in for tc netem where the kernel
// lacks sch_netem (this sandbox's kernel has tbf and htb but no netem): the
// parties' kernels still run real TCP over it, and tbf on the TAPs shapes
// the rate. Frames keep their order; each leaves exactly `delay` after it
// was read.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <thread>

namespace sqt::bench::netns {

// Opens a TAP device named `ifname` inside the network namespace
// /run/netns/<netns> (from a helper thread, so the caller's namespace never
// changes) and returns its non-blocking file descriptor. The device lives
// while the descriptor is open. Throws sqt::NetError naming the device.
int open_tap_in_namespace(const std::string& netns, const std::string& ifname);

class DelayLine {
 public:
  // Takes ownership of both descriptors (closed by the destructor).
  DelayLine(int fd_a, int fd_b, std::chrono::nanoseconds one_way_delay, std::string label);
  ~DelayLine();
  DelayLine(const DelayLine&) = delete;
  DelayLine& operator=(const DelayLine&) = delete;

  std::uint64_t frames_forwarded() const { return frames_.load(std::memory_order_relaxed); }

 private:
  void run();

  int fd_a_;
  int fd_b_;
  int stop_fd_;  // eventfd: wakes the relay thread for shutdown
  std::chrono::nanoseconds delay_;
  std::string label_;
  std::atomic<std::uint64_t> frames_{0};
  std::thread thread_;
};

}  // namespace sqt::bench::netns
