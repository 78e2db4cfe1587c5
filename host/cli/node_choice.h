// A choice that node.toml and a job flag can both make (protocol, backend,
// the party count):
// node.toml's value holds unless the flag was given, and a given flag that
// contradicts node.toml is an error naming both, so an operator never runs
// another backend or model than the node's file says.
#pragma once

#include <fmt/core.h>

#include <string>

#include "host/core/error.h"
#include "host/net/session.h"

namespace sqt::cli {

inline std::string node_choice(const std::string& flag, const std::string& flag_value, bool flag_given,
                               const std::string& key, const std::string& node_value,
                               const std::string& path) {
  if (node_value.empty()) return flag_value;
  if (flag_given && flag_value != node_value) {
    throw ConfigError(fmt::format("{} {} contradicts {} = \"{}\" in {}; drop the flag or change the file",
                                  flag, flag_value, key, node_value, path));
  }
  return node_value;
}

// The party count of a job run as one party of node.toml: its [[parties]]
// entries; --parties (0: not given) must agree.
inline int node_parties(int flag_value, const net::NodeConfig& config, const std::string& path) {
  const int listed = static_cast<int>(config.parties.size());
  if (flag_value != 0 && flag_value != listed) {
    throw ConfigError(
        fmt::format("--parties {} contradicts the {} [[parties]] entries in {}; drop the flag or "
                    "change the file",
                    flag_value, listed, path));
  }
  return listed;
}

}  // namespace sqt::cli
