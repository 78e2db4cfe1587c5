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

// Contents of node.toml (docs/DEPLOY.md describes every key).
struct NodeConfig {
  int party = 0;                     // this party's id
  std::vector<PeerAddress> parties;  // listen address of every party, by id (ours included)
  std::string ca_cert;               // PEM of the deployment's CA
  std::string cert;                  // this party's certificate (PEM, names the party id)
  std::string key;                   // this party's private key (PEM)
  std::string protocol = "rep3";
  std::string backend = "cpu";
  std::chrono::milliseconds timeout{60000};  // silence from a peer longer than this ends the session
  std::chrono::milliseconds connect_timeout{60000};
  std::size_t max_frame_bytes = std::size_t{1} << 32;  // larger frames are refused
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
