// Session binding and job agreement, the first exchange of every session
// after the mesh is up: each party contributes a fresh random nonce (the
// session id hashes them all, so no party alone fixes it and no two
// sessions share one), and every party checks that every other party runs
// the same job (protocol, model, epochs, ... as name/value pairs). A
// mismatch ends setup on every party, before any secret is shared, with an
// error naming the first differing parameter and both values: it catches
// the operator whose node.toml or flags differ on one machine.
//
// The parameters are sent in the clear to the peers (inside TLS): pass no
// secrets and no machine-local values (paths, thread counts).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "host/net/network.h"

namespace sqt::net {

struct JobParameter {
  std::string name;
  std::string value;
};

struct SessionBinding {
  std::array<std::uint8_t, 32> id{};  // SHA-256 over every party's nonce and the job
  std::string id_hex() const;
};

// Two rounds with every peer. Throws ConfigError naming the peer, the first
// differing parameter and both values when the jobs differ; NetError when a
// peer's message is malformed (too long, not name=value lines).
SessionBinding bind_session(Network& network, const std::vector<JobParameter>& job);

// Encoding of the job on the wire (name=value lines); exposed for tests.
std::string encode_job(const std::vector<JobParameter>& job);
std::vector<JobParameter> decode_job(const std::string& text, int from);

}  // namespace sqt::net
