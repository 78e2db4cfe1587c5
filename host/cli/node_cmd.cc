// `sqt node --config node.toml JOB [JOB ARGS...]`: one party of a
// multi-machine deployment. It validates node.toml, then runs the job
// subcommand exactly as `sqt JOB [JOB ARGS...] --config node.toml` would: a
// fresh CLI::App with the job subcommands parses the extended argument list
// (so every job flag, check and --help behaves the same). `JOB --help`
// prints the job's help without reading node.toml. node.toml's protocol is
// checked against the protocol registry first; the job then dispatches
// through it (protocol_dispatch.h).
#include <fmt/core.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "host/cli/commands.h"
#include "host/cli/protocol_registry.h"
#include "host/core/error.h"
#include "host/net/session.h"

namespace sqt::cli {
namespace {

struct NodeFlags {
  std::string config;
};

// True when the job's own arguments ask for its help (before a `--`).
bool wants_help(const std::vector<std::string>& job) {
  for (const auto& a : job) {
    if (a == "--") return false;
    if (a == "--help" || a == "-h") return true;
  }
  return false;
}

// node.toml's protocol (when it names one) against the registry.
void check_node_model(const net::NodeConfig& config, const std::string& path) {
  if (config.protocol.empty()) return;
  const int parties = static_cast<int>(config.parties.size());
  try {
    checked_parties(find_built_protocol(config.protocol), parties, fmt::format("{} [[parties]]", parties));
  } catch (const ConfigError& e) {
    throw ConfigError(fmt::format("{}: protocol = \"{}\": {}", path, config.protocol, e.what()));
  }
}

void run_node(const NodeFlags& flags, std::vector<std::string> job) {
  if (job.empty())
    throw ConfigError("sqt node: name the job to run, e.g. `sqt node --config node.toml train`");
  const std::vector<std::string> known = {"train", "bench", "predict", "evaluate"};
  if (std::find(known.begin(), known.end(), job.front()) == known.end() && !job.front().starts_with("-"))
    throw ConfigError("sqt node: unknown job '" + job.front() + "' (jobs: train, bench, predict, evaluate)");
  const bool help = wants_help(job);
  if (!help) {
    if (flags.config.empty())
      throw ConfigError("sqt node: --config node.toml is required (this party's settings, docs/DEPLOY.md)");
    std::error_code ec;
    if (!std::filesystem::is_regular_file(flags.config, ec))
      throw ConfigError("sqt node: --config " + flags.config + ": file does not exist");
    // A bad file, or a model it names that is not built or not for its
    // party count, is reported before the job starts.
    check_node_model(net::load_node_config(flags.config), flags.config);
    job.push_back("--config");
    job.push_back(flags.config);
  }

  CLI::App jobs{"sqt node job"};
  jobs.name("sqt node --config node.toml");  // usage line of the job's help
  jobs.require_subcommand(1);
  jobs.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);  // as in main()
  add_train_command(jobs);
  add_bench_command(jobs);
  add_predict_command(jobs);
  add_evaluate_command(jobs);
  std::reverse(job.begin(), job.end());  // CLI11 consumes a reversed argument vector
  try {
    jobs.parse(job);
  } catch (const CLI::ParseError& e) {
    // The job's own help or usage error (the enclosing app would print its own).
    throw ExitRequest{jobs.exit(e)};
  }
}

}  // namespace

void add_node_command(CLI::App& app) {
  auto flags = std::make_shared<NodeFlags>();
  CLI::App* cmd = app.add_subcommand("node",
                                     "Run one party of a deployment: sqt node --config node.toml JOB [JOB "
                                     "ARGS...] (JOB: train, bench, predict, evaluate)");
  cmd->add_option("--config", flags->config,
                  "node.toml of this party (docs/DEPLOY.md); required to run a job");
  cmd->footer(
      "Jobs (JOB ARGS are the job's own flags; --config is appended):\n"
      "  train   secure training as this party: options in `sqt train --help`\n"
      "  bench   benchmark suites as this party: options in `sqt bench --help`\n"
      "  predict   secure inference as this party: options in `sqt predict --help`\n"
      "  evaluate  secure accuracy of a model as this party: options in `sqt evaluate --help`\n"
      "`sqt node [--config node.toml] JOB --help` prints the same help without reading node.toml.");
  cmd->prefix_command();  // everything from JOB on is the job's command line
  cmd->callback([flags, cmd] { run_node(*flags, cmd->remaining()); });
}

}  // namespace sqt::cli
