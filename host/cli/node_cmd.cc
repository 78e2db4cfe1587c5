// `sqt node --config node.toml JOB [JOB ARGS...]`: one party of a
// multi-machine deployment. It validates node.toml, then runs the job
// subcommand exactly as `sqt JOB [JOB ARGS...] --config node.toml` would: a
// fresh CLI::App with the job subcommands parses the extended argument list
// (so every job flag, check and --help behaves the same).
#include <fmt/core.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "host/cli/commands.h"
#include "host/core/error.h"
#include "host/net/session.h"

namespace sqt::cli {
namespace {

struct NodeFlags {
  std::string config;
};

void run_node(const NodeFlags& flags, std::vector<std::string> job) {
  if (job.empty())
    throw ConfigError("sqt node: name the job to run, e.g. `sqt node --config node.toml train`");
  net::load_node_config(flags.config);  // a bad file is reported before the job starts
  job.push_back("--config");
  job.push_back(flags.config);

  CLI::App jobs{"sqt node job"};
  jobs.require_subcommand(1);
  add_train_command(jobs);
  add_bench_command(jobs);
  std::reverse(job.begin(), job.end());  // CLI11 consumes a reversed argument vector
  jobs.parse(job);
}

}  // namespace

void add_node_command(CLI::App& app) {
  auto flags = std::make_shared<NodeFlags>();
  CLI::App* cmd = app.add_subcommand(
      "node",
      "Run one party of a deployment: sqt node --config node.toml JOB [JOB ARGS...] (JOB: train, bench)");
  cmd->add_option("--config", flags->config, "node.toml of this party (docs/DEPLOY.md)")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->prefix_command();  // everything from JOB on is the job's command line
  cmd->callback([flags, cmd] { run_node(*flags, cmd->remaining()); });
}

}  // namespace sqt::cli
