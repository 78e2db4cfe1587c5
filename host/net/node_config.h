// node.toml: reading (load_node_config, declared in session.h) and writing
// (used by the local launcher). docs/DEPLOY.md lists every key.
#pragma once

#include <string>

#include "host/net/session.h"

namespace sqt::net {

inline constexpr int kMinParties = 2;
inline constexpr int kMaxParties = 10;

// TOML text that load_node_config reads back into the same NodeConfig.
std::string format_node_config(const NodeConfig& config);

}  // namespace sqt::net
