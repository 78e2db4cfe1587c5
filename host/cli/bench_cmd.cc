// `sqt bench SUITE... --json FILE`: runs benchmark suites (bench/) and writes
// their results as JSON lines. Single-process suites run here; a suite that
// needs parties runs either as one party of a deployment (--config) or as
// local party processes on loopback (the launcher re-runs this command with
// --config per party). Party 0 writes the JSON. The suites that measure a
// model (protocol, train) take it from the protocol registry: --protocol,
// --ring and --parties are checked there, and so is node.toml's protocol.
#include <fmt/core.h>
#include <fmt/ranges.h>

#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bench/core/suites.h"
#include "bench/netns/bench_network.h"
#include "bench/report/report_command.h"
#include "host/cli/commands.h"
#include "host/cli/node_choice.h"
#include "host/cli/protocol_registry.h"
#include "host/core/error.h"
#include "host/net/launcher.h"
#include "host/net/session.h"

namespace sqt::cli {
namespace {

struct BenchFlags {
  std::vector<std::string> suites;
  std::string json;
  bool quick = false;
  std::string backend = "cpu";
  std::string protocol = "rep3";
  int ring = 64;
  int parties = 0;  // 0: the model's minimum
  int threads = 0;
  int repeats = 0;  // 0: 5, or 3 with --quick
  std::vector<std::string> only;
  std::string config;
  bool append = false;       // set for the party processes the local launcher starts
  std::string extra_fields;  // JSON object added to every line (the network profile, for the parties)
  bench::netns::NetworkFlags network;
};

nlohmann::json run_fields(const BenchFlags& flags, const bench::BenchOptions& options) {
  nlohmann::json fields = {{"quick", options.quick}, {"backend", options.backend}};
  if (!flags.extra_fields.empty()) {
    const auto extra = nlohmann::json::parse(flags.extra_fields, nullptr, false);
    if (!extra.is_object()) throw ConfigError("sqt bench: --extra-fields is not a JSON object");
    fields.update(extra);
  }
  return fields;
}

bench::BenchOptions options_from(const BenchFlags& flags) {
  bench::BenchOptions options;
  options.quick = flags.quick;
  options.backend = flags.backend;
  options.threads = flags.threads;
  options.repeats = flags.repeats > 0 ? flags.repeats : (flags.quick ? 3 : 5);
  options.only = flags.only;
  options.protocol = flags.protocol;
  options.ring_bits = flags.ring;
  return options;
}

// The command line a party process gets (the launcher appends --config).
std::vector<std::string> party_argv(const BenchFlags& flags, const std::vector<std::string>& suites,
                                    const nlohmann::json& extra_fields) {
  std::vector<std::string> argv = {"bench"};
  argv.insert(argv.end(), suites.begin(), suites.end());
  argv.insert(argv.end(), {"--json", flags.json, "--append", "--backend", flags.backend, "--protocol",
                           flags.protocol, "--ring", std::to_string(flags.ring), "--threads",
                           std::to_string(flags.threads), "--repeats", std::to_string(flags.repeats)});
  if (flags.quick) argv.push_back("--quick");
  for (const std::string& part : flags.only) argv.insert(argv.end(), {"--only", part});
  argv.insert(argv.end(), {"--extra-fields", extra_fields.dump()});
  return argv;
}

// This process is one party (--config): run the party suites over the mesh.
void run_as_party(const BenchFlags& flags, const std::vector<const bench::Suite*>& suites) {
  const net::NodeConfig config = net::load_node_config(flags.config);
  const std::unique_ptr<net::Network> network = net::connect_mesh(config);
  const bench::BenchOptions options = options_from(flags);
  const bool writes = network->party() == 0;
  bench::ResultWriter writer(writes ? flags.json : "", bench::detect_machine(), run_fields(flags, options),
                             flags.append);
  for (const bench::Suite* suite : suites) {
    // A per-protocol suite runs with the mesh's parties (checked in run_bench).
    if (!suite->per_protocol && suite->parties != network->parties()) {
      throw ConfigError(fmt::format("benchmark suite '{}' needs {} parties but '{}' configures {}",
                                    suite->name, suite->parties == 0 ? 1 : suite->parties, flags.config,
                                    network->parties()));
    }
    bench::SuiteContext context{options, writer, network.get(), network->party()};
    suite->run(context);
  }
  if (writes) writer.print_table(std::cout);
}

// Result lines of benchmark cases in a results file (not the link probe's).
std::size_t count_case_lines(const std::string& path) {
  std::ifstream in(path);
  std::size_t n = 0;
  for (std::string line; std::getline(in, line);) {
    const auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_object() && j.value("suite", "") != "netprofile") ++n;
  }
  return n;
}

void run_bench(const BenchFlags& flags) {
  if (flags.json.empty()) throw ConfigError("sqt bench: --json FILE is required");
  const bench::SuiteRegistry registry = bench::all_suites();
  std::vector<const bench::Suite*> suites;
  // No suite named, or `all`: every suite of the build, in registry order.
  std::vector<std::string> names = flags.suites;
  if (names.empty() || (names.size() == 1 && names.front() == "all")) names = registry.names();
  for (const std::string& name : names) suites.push_back(&registry.find(name));
  // The model of the per-protocol suites, checked before anything runs.
  int model_parties = 0;
  for (const bench::Suite* suite : suites) {
    if (!suite->per_protocol) continue;
    const ProtocolInfo& model = find_built_protocol(flags.protocol);
    check_ring(model, flags.ring);
    model_parties = checked_parties(
        model, flags.parties,
        flags.config.empty() ? "" : fmt::format("{} lists {} [[parties]]", flags.config, flags.parties));
    if (!model.networked()) {
      throw ConfigError(
          fmt::format("sqt bench {}: --protocol {} runs in one process; the suite measures a "
                      "model over its party mesh",
                      suite->name, model.name));
    }
  }

  if (!flags.config.empty()) {
    run_as_party(flags, suites);
    return;
  }
  const bench::BenchOptions options = options_from(flags);
  bench::ResultWriter writer(flags.json, bench::detect_machine(), run_fields(flags, options), flags.append);
  std::map<int, std::vector<std::string>> by_parties;  // party suites, by party count
  for (const bench::Suite* suite : suites) {
    if (suite->parties > 0) {
      by_parties[suite->per_protocol ? model_parties : suite->parties].push_back(suite->name);
      continue;
    }
    bench::SuiteContext context{options, writer, nullptr, 0};
    suite->run(context);
  }
  for (const auto& [parties, names] : by_parties) {
    // The network profile (--net): namespaces for the parties, and the link
    // they got, measured once and recorded next to the results.
    bench::netns::BenchNetwork network(flags.network, parties, std::cerr);
    net::LaunchOptions launch;
    launch.backend = flags.backend;
    launch.protocol = flags.protocol;
    network.apply(launch);
    network.measure(options.quick);
    for (const auto& row : network.link_rows()) {
      bench::Result r{"netprofile", row.name, row.metric, row.value, row.baseline, network.run_fields()};
      writer.write(r);
    }
    writer.close();  // party 0 appends its rows to the same file
    const int status =
        net::launch_local_parties(parties, party_argv(flags, names, network.run_fields()), launch);
    if (status != 0) throw Error(fmt::format("benchmark parties exited with status {}", status));
    writer.reopen_for_append();
  }
  writer.print_table(std::cout);
  if (!flags.only.empty() && count_case_lines(flags.json) == 0) {
    throw ConfigError(fmt::format("sqt bench: --only {}: no case of the suites run ({}) matched",
                                  fmt::join(flags.only, ", "), fmt::join(names, ", ")));
  }
}

}  // namespace

void add_bench_command(CLI::App& app) {
  auto flags = std::make_shared<BenchFlags>();
  CLI::App* cmd = app.add_subcommand("bench", "Run benchmark suites and write their results as JSON lines");
  std::string suite_names;
  for (const std::string& name : bench::all_suites().names())
    suite_names += (suite_names.empty() ? "" : ", ") + name;
  cmd->add_option("suites", flags->suites, "Suites to run (" + suite_names + "); none or `all`: every suite");
  cmd->add_option("--json", flags->json, "Write one JSON object per result line to this file");
  cmd->add_flag("--quick", flags->quick, "A few small sizes only");
  cmd->add_option("--backend", flags->backend, "Compute backend")
      ->check(CLI::IsMember({"cpu", "fpga", "fpga-sim"}))
      ->capture_default_str();
  cmd->add_option("--protocol", flags->protocol,
                  "Model of the protocol and train suites (a built row of `sqt protocols`)")
      ->capture_default_str();
  cmd->add_option("--ring", flags->ring, "Ring of the protocol and train suites: Z_2^BITS")
      ->capture_default_str();
  cmd->add_option("--parties", flags->parties,
                  "Parties of the protocol and train suites (default: the model's minimum)")
      ->check(kNonNegative);
  cmd->add_option("--threads", flags->threads, "Threads for the kernels (default: each suite's own set)")
      ->check(kNonNegative);
  cmd->add_option("--repeats", flags->repeats,
                  "Repetitions per case; rows report the median (default 5, quick 3)")
      ->check(kNonNegative);
  cmd->add_option("--only", flags->only,
                  "Run only the cases whose name contains this (repeatable; e.g. softmax, net_C)")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  cmd->add_option("--config", flags->config, "node.toml: run as this party of a deployment");
  cmd->add_flag("--append", flags->append, "Append to the JSON file instead of replacing it")->group("");
  cmd->add_option("--extra-fields", flags->extra_fields, "JSON object added to every result line")->group("");
  bench::netns::add_network_flags(*cmd, flags->network);
  CLI::App* report = bench::report::add_report_subcommand(*cmd);
  cmd->callback([flags, report, cmd] {
    if (report->parsed()) return;
    if (!flags->config.empty()) {
      const auto cfg = net::load_node_config(flags->config);
      flags->backend = node_choice("--backend", flags->backend, cmd->count("--backend") > 0, "backend",
                                   cfg.backend, flags->config);
      flags->protocol = node_choice("--protocol", flags->protocol, cmd->count("--protocol") > 0, "protocol",
                                    cfg.protocol, flags->config);
      flags->parties = node_parties(flags->parties, cfg, flags->config);
    }
    run_bench(*flags);
  });
}

}  // namespace sqt::cli
