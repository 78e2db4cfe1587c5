// A sequential network written as TOML (`sqt train --model FILE.toml`), and
// the form the named networks are written in (host/nn/networks.cc):
//
//   input = { height = 28, width = 28, channels = 1 }
//   layers = [
//     { type = "conv", out = 20, kernel = 5 },       # stride 1, padding 0 by default
//     { type = "maxpool", window = 2 },              # stride = window by default
//     { type = "relu" },
//     { type = "flatten" },
//     { type = "dense", out = 10 },
//   ]
//
// Layer types and keys: conv (out, kernel, stride, padding), maxpool and
// avgpool (window, stride), relu, flatten, dense (out); `[[layers]]` tables
// are the same data. Errors (ConfigError) name the source, the line and the
// layer, and what is missing, unknown or out of range.
#pragma once

#include <string>
#include <string_view>

#include "host/nn/architecture.h"

namespace sqt::nn {

// `text` parsed as a network description; `source` names it in errors
// (a path, or "built-in network C"); the architecture is named `name`.
Architecture parse_network_toml(std::string_view text, const std::string& source, const std::string& name);

// The file at `path`, named by its path.
Architecture read_network_toml(const std::string& path);

bool is_toml_path(const std::string& path);

}  // namespace sqt::nn
