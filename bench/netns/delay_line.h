// A full-duplex Ethernet cable with a fixed one-way delay, made of two TAP
// devices and one relay thread per direction. It stands in for tc netem where
// the kernel lacks sch_netem (this sandbox's kernel has tbf and htb but no
// netem): the parties' kernels still run real TCP over it, and tbf on the
// TAPs shapes the rate. Frames keep their order; each leaves no earlier than
// `delay` after the relay read it (later by the relay's own wake-up and copy
// time, which the link probe measures and reports).
//
// Speed: the TAPs carry virtio-net headers with checksum and TSO offload, so
// the kernel hands the relay whole TCP segments of up to 64 KiB (GSO) instead
// of MTU-sized frames, and one read/write pair moves up to 64 KiB. Frames wait
// in a byte ring (no allocation per frame). Until a frame falls due the
// thread sleeps in ppoll with a 1 ns timer slack, ending the sleep early by
// the lateness it has seen in its recent timer wake-ups (at most 25 us) and
// busy-polling the rest. Busy-polling the whole hold instead gave a lower
// idle round trip but slowed the parties down on a 2-core machine
// (docs/BENCHMARKS.md).
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
// while the descriptor is open. With `offload`, frames carry a virtio-net
// header and the device accepts and delivers checksum-offloaded TSO
// segments (GSO). Throws sqt::NetError naming the device.
int open_tap_in_namespace(const std::string& netns, const std::string& ifname, bool offload = false);

class DelayLine {
 public:
  // Takes ownership of both descriptors (closed by the destructor). Both must
  // have been opened with the same `offload` setting (the relay copies frames
  // verbatim, virtio-net header included). Frames from a to b wait
  // `a_to_b`, frames from b to a wait `b_to_a`; a zero delay relays a frame as
  // soon as it is read.
  DelayLine(int fd_a, int fd_b, std::chrono::nanoseconds a_to_b, std::chrono::nanoseconds b_to_a,
            std::string label);
  ~DelayLine();
  DelayLine(const DelayLine&) = delete;
  DelayLine& operator=(const DelayLine&) = delete;

  std::uint64_t frames_forwarded() const { return frames_.load(std::memory_order_relaxed); }
  // Frames lost because the ring was full or the receiving TAP's backlog was.
  std::uint64_t frames_dropped() const { return dropped_.load(std::memory_order_relaxed); }

  // Bytes each direction can hold in flight; beyond it frames are dropped,
  // as a NIC ring would drop them.
  static constexpr std::size_t kRingBytes = std::size_t{16} << 20;

 private:
  void relay(int from, int to, std::chrono::nanoseconds delay);

  int fd_a_;
  int fd_b_;
  int stop_fd_;  // eventfd: wakes the relay threads for shutdown
  std::string label_;
  std::atomic<bool> stop_{false};
  std::atomic<std::uint64_t> frames_{0};
  std::atomic<std::uint64_t> dropped_{0};
  std::thread a_to_b_;
  std::thread b_to_a_;
};

}  // namespace sqt::bench::netns
