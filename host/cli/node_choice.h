// A choice that node.toml and a job flag can both make (protocol, backend):
// node.toml's value holds unless the flag was given, and a given flag that
// contradicts node.toml is an error naming both, so an operator never runs
// another backend or model than the node's file says.
#pragma once

#include <fmt/core.h>

#include <string>

#include "host/core/error.h"

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

}  // namespace sqt::cli
