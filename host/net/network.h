// The party network as protocols see it: blocking, typed, counted.
//
// Contract (every implementation keeps it):
// - One send() is one frame to one peer; frames to the same peer arrive in
//   order. send() may return before the bytes are on the wire (the buffer is
//   copied or fully written before return, so the caller may reuse it).
// - recv() blocks until the next frame from that peer has arrived and copies
//   it into `out`; the frame's size must equal out.size(), otherwise NetError
//   naming the peer and both sizes (a protocol out of step is a bug, not data).
// - Sends to and receives from different peers proceed concurrently: sending
//   to A never waits for a receive from B.
// - Any failure (peer gone, abort frame, timeout, bad frame) throws NetError
//   naming the peer and the problem. abort() tells every peer to stop.
// - Counters: bytes_sent counts payload bytes this party sent; a round is
//   counted at the first recv() after one or more send() calls, so a protocol
//   step "send to all, then receive from all" is one round.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "host/core/ring.h"

namespace sqt::net {

struct TrafficStats {
  std::uint64_t bytes_sent = 0;
  std::uint64_t bytes_received = 0;
  std::uint64_t messages_sent = 0;
  std::uint64_t rounds = 0;
};

class Network {
 public:
  virtual ~Network() = default;

  virtual int party() const = 0;    // this party's id, 0-based
  virtual int parties() const = 0;  // number of parties in the session

  virtual void send_bytes(int peer, std::span<const std::byte> data) = 0;
  virtual void recv_bytes(int peer, std::span<std::byte> out) = 0;

  // Ends the session on every peer: sends an abort frame with the reason to
  // all peers (best effort) and closes the connections.
  virtual void abort(const std::string& reason) = 0;

  virtual TrafficStats stats() const = 0;

  // Typed helpers for ring elements and bit-packed words.
  void send(int peer, std::span<const Ring> data) { send_bytes(peer, std::as_bytes(data)); }
  void recv(int peer, std::span<Ring> out) { recv_bytes(peer, std::as_writable_bytes(out)); }

  // Sends `out` to `to` and receives `in` from `from` (the replicated-sharing
  // neighbour pattern); both directions proceed concurrently.
  void exchange(int to, std::span<const Ring> out, int from, std::span<Ring> in) {
    send(to, out);
    recv(from, in);
  }
  // The same for Z_2^128 elements (16 bytes each, little endian).
  void send(int peer, std::span<const Ring128> data) { send_bytes(peer, std::as_bytes(data)); }
  void recv(int peer, std::span<Ring128> out) { recv_bytes(peer, std::as_writable_bytes(out)); }
  void exchange(int to, std::span<const Ring128> out, int from, std::span<Ring128> in) {
    send(to, out);
    recv(from, in);
  }

  int next_party() const { return (party() + 1) % parties(); }
  int prev_party() const { return (party() + parties() - 1) % parties(); }
};

}  // namespace sqt::net
