// What the secure jobs (`sqt train`, `sqt predict`, `sqt evaluate`) share:
// where a job runs (one process, the local launcher, or one party of
// node.toml's mesh), the truncation and ring parameters every party binds
// into the session, and small flag conversions.
#pragma once

#include <fmt/core.h>

#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "host/cli/protocol_registry.h"
#include "host/core/ring.h"
#include "host/mpc/protocol.h"
#include "host/net/launcher.h"
#include "host/net/session.h"
#include "host/nn/architecture.h"

namespace sqt::cli {

// "mnist" or "cifar10": the dataset a network's input shape takes.
std::string dataset_name(const nn::Architecture& arch);

// What the parties agree on as the network (bound into the session): its
// name, or for a network file (named by its path, which may differ between
// nodes) its input shape and layers.
std::string model_description(const nn::Architecture& arch);

// --trunc probabilistic | exact; ConfigError otherwise.
mpc::TruncMode trunc_mode(const std::string& s);

// The machine's cores (at least 1).
int default_threads();

// The fixed-point parameters a run in Z_2^bits uses (dispatch_protocol's
// defaults), bound into the session as "fixed point".
FixedParams fixed_for_ring(int bits);

// An absolute path (empty stays empty): local parties may run elsewhere.
std::string absolute_path(const std::string& path);

// A party's command line for the local launcher (which appends --config).
class PartyArgv {
 public:
  explicit PartyArgv(std::string command) { argv_.push_back(std::move(command)); }
  PartyArgv& add(std::string_view flag, std::string value) {
    argv_.emplace_back(flag);
    argv_.push_back(std::move(value));
    return *this;
  }
  template <class T>
  requires std::is_arithmetic_v<T> PartyArgv& add(std::string_view flag, T value) {
    return add(flag, fmt::format("{}", value));
  }
  // Left out when unset: an empty value, a false switch.
  PartyArgv& add_if_set(std::string_view flag, std::string value) {
    return value.empty() ? *this : add(flag, std::move(value));
  }
  PartyArgv& add_switch(std::string_view flag, bool on) {
    if (on) argv_.emplace_back(flag);
    return *this;
  }
  std::vector<std::string> take() { return std::move(argv_); }

 private:
  std::vector<std::string> argv_;
};

// The flags `sqt train`, `predict` and `evaluate` pass their local parties
// alike (F: the command's flags, with these members).
template <class F>
PartyArgv job_argv(std::string command, const F& f) {
  PartyArgv a(std::move(command));
  a.add("--model", f.model)
      .add("--protocol", f.protocol)
      .add("--ring", f.ring)
      .add("--backend", f.backend)
      .add("--batch", f.batch)
      .add("--trunc", f.trunc)
      .add("--conv", f.conv)
      .add("--model-owner", f.model_owner)
      .add_switch("--quiet", f.quiet);
  if (f.threads > 0) a.add("--threads", f.threads);
  return a;
}

// Runs the local launcher; Error naming the command when a party fails.
int run_local_parties(std::string_view command, int parties, std::vector<std::string> argv,
                      const net::LaunchOptions& options);

// Where a job runs, from its --protocol, --backend, --ring, --parties and
// --config flags (of `cmd`) and node.toml.
struct JobPlace {
  const ProtocolInfo* protocol = nullptr;
  std::optional<net::NodeConfig> node;  // with --config
  int parties = 0;
  // This process is one party of node.toml's mesh.
  bool mesh() const { return protocol->networked() && node.has_value(); }
  // The local launcher starts `parties` processes.
  bool launch() const { return protocol->networked() && !node.has_value(); }
};

// Reads node.toml (its protocol and backend hold on the node: a
// contradicting flag is an error naming both; `protocol` and `backend` are
// updated), checks the ring and the party count against the registry.
JobPlace place_job(const CLI::App& cmd, std::string& protocol, std::string& backend, int ring, int parties,
                   const std::string& config);

}  // namespace sqt::cli
