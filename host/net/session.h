// One party's view of a deployment: its node configuration (node.toml) and
// the TLS mesh it opens from it.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "host/net/network.h"

namespace sqt::net {

struct PeerAddress {
  std::string host;  // name or IP literal
  unsigned short port = 0;
};

inline constexpr std::chrono::microseconds kDefaultSpin{1000};

// The largest DATA frame accepted by default. A training step's frames
// hold a few tensors of one batch (estimated, docs/DEPLOY.md: about 12 MB
// per activation tensor of network C at batch 128); 1 GiB leaves room for
// larger batches and models, and no peer makes this party allocate more
// for one frame.
inline constexpr std::size_t kDefaultMaxFrameBytes = std::size_t{1} << 30;
// Bytes of frames from one peer that may wait for their recv() (inbound.h).
inline constexpr std::size_t kDefaultMaxQueuedBytes = std::size_t{256} << 20;

// Contents of node.toml (docs/DEPLOY.md describes every key).
struct NodeConfig {
  int party = 0;                     // this party's id
  std::vector<PeerAddress> parties;  // listen address of every party, by id (ours included)
  std::string ca_cert;               // PEM of the deployment's CA
  std::string cert;                  // this party's certificate (PEM, names the party id)
  std::string key;                   // this party's private key (PEM)
  // The job's security model and compute backend when node.toml names them;
  // empty when it does not (then the job's flag or its default decides). A
  // flag that contradicts a value named here is an error (host/cli).
  std::string protocol;
  std::string backend;
  std::chrono::milliseconds timeout{60000};  // silence from a peer longer than this ends the session
  std::chrono::milliseconds connect_timeout{60000};
  std::size_t max_frame_bytes = kDefaultMaxFrameBytes;  // larger frames are refused
  // Frames from one peer waiting for their recv(): beyond this the party
  // stops reading that peer (TCP throttles it). One frame is always taken
  // when none waits, so a peer holds at most max(this, max_frame_bytes).
  std::size_t max_queued_bytes = kDefaultMaxQueuedBytes;
  // During setup, accept connections only from the addresses the other
  // parties' [[parties]] hosts resolve to (others are dropped and logged).
  bool accept_only_listed_hosts = false;
  // A waiting receive polls this long (yielding the CPU) before it sleeps:
  // waking a sleeping thread costs 50-100 us on some virtual machines, more
  // than a protocol round on loopback. 0 sleeps at once.
  std::chrono::microseconds spin{kDefaultSpin};
};

// Parses and validates node.toml; ConfigError names the file and the key.
NodeConfig load_node_config(const std::string& path);

// Opens the authenticated TLS mesh to every other party (blocking until all
// are connected or connect_timeout passes).
std::unique_ptr<Network> connect_mesh(const NodeConfig& config);

}  // namespace sqt::net
