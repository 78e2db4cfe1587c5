// Opening the party mesh: TCP connections, TLS handshakes and HELLO frames.
// Internal to host/net (the session itself is in mesh.cc).
//
// Connection rule: every ordered pair (i -> j) has its own TCP connection:
// party i dials party j's listen address for the frames i sends to j, and
// accepts from j the connection on which it receives j's frames. So each
// TLS session carries one direction only, and no dial order can deadlock.
// TLS 1.3 with mutual authentication: the dialer checks that the listener's
// certificate names the party it dialed; the listener checks the dialer's
// certificate against the HELLO frame.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "host/net/session.h"
#include "host/net/stream.h"

namespace sqt::net {

// "party 2 (host:port)", the name of a peer in every message.
std::string describe_party(int party, const PeerAddress& address);

// Both directions to one peer, established and past the HELLO exchange.
struct PeerStreams {
  std::unique_ptr<Stream> out;  // this party's frames to the peer
  std::unique_ptr<Stream> in;   // the peer's frames to this party
};

// Connects to every peer before config.connect_timeout (null streams at our
// own index). plain: unencrypted TCP for the network benchmark's baseline.
// NetError names the peer and the problem (refused certificate, wrong
// party, timeout, port in use).
std::vector<PeerStreams> establish_links(const NodeConfig& config, bool plain,
                                         std::chrono::milliseconds tick);

// A listening socket on `address` (port 0: any free port); NetError names
// the address, and for a port in use, the node.toml key to change.
int listen_on(const PeerAddress& address, int me);

}  // namespace sqt::net
