// The party mesh behind sqt::net::Network.
//
// Setup (mesh_setup.h): one TLS 1.3 connection per ordered pair of parties,
// mutually authenticated, each carrying one direction.
//
// Session: the calling thread does all network I/O of the party; there are
// no reader threads. A recv() reads its frame from the socket straight into
// its buffer (TLS records decrypted in place) and meanwhile reads whatever
// other peers send (inbound.h), so a peer blocked on sending to this party
// always makes progress; a send that finds the socket full reads every peer
// while it waits, so two parties sending large frames to each other never
// block. A waiting call polls the sockets for NodeConfig::spin, yielding the
// CPU, and then sleeps in poll(). Large frames nobody waits for yet stay in
// the socket buffers for up to 2 ms, for their recv() to take them without
// a copy. A failure (peer gone, ABORT, bad frame, timeout) sends ABORT with
// the reason to every peer and closes every connection. stats() may be
// called from any thread, everything else from one thread at a time.
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

// Test hook for tests/net: the bytes of frames from `peer` waiting for
// their recv() now, and the most there ever were (NodeConfig::max_queued_bytes).
struct InboundQueueStats {
  std::size_t queued_bytes = 0;
  std::size_t peak_queued_bytes = 0;
};
InboundQueueStats inbound_queue_for_tests(Network& net, int peer);

}  // namespace sqt::net
