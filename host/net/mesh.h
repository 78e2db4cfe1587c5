// The party mesh behind sqt::net::Network.
//
// Connection rule: every ordered pair (i -> j) has its own TCP connection:
// party i dials party j's listen address for the frames i sends to j, and
// accepts from j the connection on which it receives j's frames. So each
// TLS session is used by one thread in one direction (the caller writes, a
// reader thread per peer reads), sends and receives run on different cores,
// and no dial order can deadlock. TLS 1.3 with mutual authentication: the
// dialer checks that the listener's certificate names the party it dialed;
// the listener checks the dialer's certificate against the HELLO frame.
//
// Threads: send_bytes() runs in the caller's thread (one lock per peer);
// each peer has a reader thread that drains its connection (so two parties
// sending large frames to each other never block) and, when a recv() is
// waiting with a buffer of the right size, decrypts straight into it. A large
// frame (>= 1 MiB) that arrives first is held back up to 2 ms for its recv()
// unless this party is itself sending; otherwise it is read into a pooled
// buffer (huge pages, reused for later frames) in 1 MiB chunks, and a recv()
// that arrives meanwhile takes what has arrived and the reader reads the rest
// straight into the caller's buffer. stats() may be called from any thread.
#pragma once

#include <memory>
#include <span>

#include "host/net/session.h"

namespace sqt::net {

struct MeshOptions {
  // Unencrypted, unauthenticated TCP with the same framing: only for the
  // network benchmark's baseline, never for a deployment.
  bool plain_tcp_for_benchmarks = false;
  std::chrono::milliseconds tick{100};  // how often blocked calls check deadlines
};

std::unique_ptr<Network> connect_mesh(const NodeConfig& config, const MeshOptions& options);

// Benchmarks only: a second, unencrypted mesh between the same parties (same
// hosts, fresh ports exchanged over `tls_mesh`), for the plain-TCP baseline
// measured in the same run. NetError when tls_mesh is not from connect_mesh.
std::unique_ptr<Network> open_plain_baseline_mesh(Network& tls_mesh);

// Test hook for tests/net: writes raw bytes (no framing) on the connection
// to `peer` of a mesh made by connect_mesh; then_close shuts it down.
void write_raw_bytes_for_tests(Network& net, int peer, std::span<const std::byte> bytes, bool then_close);

}  // namespace sqt::net
