#include "host/cli/party_job.h"

#include <fmt/core.h>

#include <algorithm>
#include <filesystem>
#include <thread>

#include "host/cli/node_choice.h"
#include "host/core/error.h"

namespace sqt::cli {

std::string dataset_name(const nn::Architecture& arch) { return arch.input.c == 3 ? "cifar10" : "mnist"; }

mpc::TruncMode trunc_mode(const std::string& s) {
  if (s == "probabilistic") return mpc::TruncMode::kProbabilistic;
  if (s == "exact") return mpc::TruncMode::kExact;
  throw ConfigError("--trunc: unknown mode '" + s + "' (expected probabilistic or exact)");
}

int default_threads() { return static_cast<int>(std::max(1u, std::thread::hardware_concurrency())); }

FixedParams fixed_for_ring(int bits) {
  return bits == 128 ? default_fixed<Ring128>() : default_fixed<Ring64>();
}

std::string model_description(const nn::Architecture& arch) {
  if (!nn::is_network_file(arch.name)) return arch.name;
  std::string d = fmt::format("layers on {}x{}x{}:", arch.input.h, arch.input.w, arch.input.c);
  for (const nn::LayerSpec& l : arch.layers)
    d += fmt::format(" {}:{}/{}/{}/{}/{}", nn::layer_kind_name(l.kind), l.out, l.kernel, l.stride, l.padding,
                     l.window);
  return d;
}

int run_local_parties(std::string_view command, int parties, std::vector<std::string> argv,
                      const net::LaunchOptions& options) {
  const int rc = net::launch_local_parties(parties, std::move(argv), options);
  if (rc != 0) throw Error(fmt::format("{}: a party exited with status {}", command, rc));
  return rc;
}

std::string absolute_path(const std::string& path) {
  return path.empty() ? path : std::filesystem::absolute(path).string();
}

JobPlace place_job(const CLI::App& cmd, std::string& protocol, std::string& backend, int ring, int parties,
                   const std::string& config) {
  JobPlace place;
  if (!config.empty()) {
    place.node = net::load_node_config(config);
    protocol = node_choice("--protocol", protocol, cmd.count("--protocol") > 0, "protocol",
                           place.node->protocol, config);
    backend =
        node_choice("--backend", backend, cmd.count("--backend") > 0, "backend", place.node->backend, config);
  }
  place.protocol = &find_built_protocol(protocol);
  check_ring(*place.protocol, ring, cmd.count("--ring") > 0);
  if (place.mesh()) parties = node_parties(parties, *place.node, config);
  place.parties = checked_parties(
      *place.protocol, parties, place.mesh() ? fmt::format("{} lists {} [[parties]]", config, parties) : "");
  return place;
}

}  // namespace sqt::cli
