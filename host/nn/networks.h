// The named networks as network descriptions (host/nn/network_toml.h): the
// one place their layers are written down.
#pragma once

#include <optional>
#include <string_view>

namespace sqt::nn {

struct NamedNetwork {
  std::string_view name;         // as the model file and the session name it
  std::string_view description;  // TOML
};

// The description of `lower_name` (a, b, c, d, alexnet, cifar), or none.
std::optional<NamedNetwork> named_network(std::string_view lower_name);

}  // namespace sqt::nn
