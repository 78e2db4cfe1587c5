// `sqt train`: secure (rep3), emulated (clear) or float reference (plain)
// training, the model taken from the protocol registry (protocol_dispatch.h).
// Without --config, a networked model starts its --parties parties as local
// processes (each re-runs this command with --config); with --config this
// process is one party of the mesh.
#include <fmt/core.h>
#include <fmt/ranges.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "host/backend/backend.h"
#include "host/cli/commands.h"
#include "host/cli/node_choice.h"
#include "host/cli/party_job.h"
#include "host/cli/protocol_dispatch.h"
#include "host/cli/protocol_registry.h"
#include "host/core/error.h"
#include "host/data/data_dir.h"
#include "host/net/launcher.h"
#include "host/net/session.h"
#include "host/net/session_binding.h"
#include "host/nn/architecture.h"
#include "host/nn/checkpoint.h"
#include "host/nn/onnx_export.h"
#include "host/nn/onnx_import.h"
#include "host/nn/owned_sets.h"
#include "host/nn/trainer_instances.h"
#include "host/plain/trainer.h"

namespace sqt::cli {
namespace {

struct TrainFlags {
  std::string model = "A", protocol = "rep3", backend = "cpu", optimizer = "sgd", trunc = "probabilistic",
              lr_schedule = "constant", conv = "auto", init = "secret";
  int epochs = 1, threads = 0, export_party = 0, model_owner = 0;
  int ring = 64, parties = 0;  // parties 0: the model's minimum
  // The parties that hold data (each its own rows), and for the local
  // launcher each owner's own folder ("P=DIR"; a node passes --data).
  std::vector<int> data_owners{0};
  std::vector<std::string> data_for;
  std::size_t batch = 128, eval_batch = 256;
  double lr = -1, momentum = 0.9;
  std::uint64_t seed = 1;
  std::string data, metrics, checkpoint, export_path, config, init_from;
  long max_batches = -1;
  bool resume = false, loss = false, quiet = false, standardize = false;
};

nn::TrainOptions train_options(const TrainFlags& f) {
  nn::TrainOptions o;
  o.model = f.model;
  o.epochs = f.epochs;
  o.batch = f.batch;
  o.max_batches = f.max_batches;
  o.eval_batch = f.eval_batch;
  o.seed = f.seed;
  o.optimizer.kind = nn::parse_optimizer(f.optimizer);
  o.optimizer.lr = f.lr > 0 ? f.lr : (o.optimizer.kind == nn::OptimizerKind::kSgd ? 0.01 : 0.001);
  o.optimizer.schedule = nn::parse_lr_schedule(f.lr_schedule);
  o.optimizer.momentum = f.momentum;
  o.metrics = f.metrics;
  o.checkpoint = f.checkpoint;
  o.resume = f.resume;
  o.export_path = f.export_path;
  o.export_party = f.export_party;
  o.data_owner = f.data_owners.front();
  o.data_owners = f.data_owners;
  // One owner standardises its own sets before the run; several use the
  // union's statistics, inside the protocol.
  o.standardize_jointly = f.standardize && f.data_owners.size() > 1;
  o.conv = nn::parse_conv_algorithm(f.conv);
  o.init = nn::parse_init_mode(f.init);
  o.model_owner = f.model_owner;
  o.compute_loss = f.loss;
  o.quiet = f.quiet;
  o.standardize = f.standardize;
  return o;
}

// The model owner's weights from --init-from, checked against --model before
// any party connects (the error names the ONNX node and the mismatch).
void load_owner_params(const TrainFlags& f, nn::TrainOptions& o) {
  if (f.init != "owner") return;
  if (f.init_from.empty())
    throw ConfigError(
        fmt::format("--init owner: the model owner (party {}) needs --init-from FILE.onnx", f.model_owner));
  const nn::OnnxModel m = nn::read_onnx_model(f.init_from);
  o.owner_params = nn::onnx_params_for(m, nn::make_architecture(f.model));
  o.owner_input_map = m.input_map;
}

// A one-process model (the clear emulation): this process is every party.
template <class P>
void run_one_process(const TrainFlags& f, const ProtocolCase<P>& c) {
  const auto arch = nn::make_architecture(f.model);
  auto train = data::load_dataset(dataset_name(arch), data::Split::kTrain, f.data);
  auto test = data::load_dataset(dataset_name(arch), data::Split::kTest, f.data);
  if (f.standardize) data::standardize(train, test);
  auto be = backend::make_backend(f.backend, f.threads > 0 ? f.threads : default_threads());
  ProtocolEnv env;
  env.backend = be.get();
  env.trunc = trunc_mode(f.trunc);
  auto opt = train_options(f);
  load_owner_params(f, opt);  // one process: every party's, the owner's included
  nn::Trainer<P> t(opt, [&](std::uint64_t seed) {
    env.seed = seed;
    return c.make(env);
  });
  t.run(&train, &test);
}

// What every party must agree on before a secure run starts (bind_session):
// everything that changes the computation or what is revealed. Local
// choices (paths, threads, backend: the backends agree bit for bit) stay out.
std::vector<net::JobParameter> job_parameters(const TrainFlags& f, const nn::TrainOptions& o, int party) {
  const auto arch = nn::make_architecture(f.model);
  std::vector<net::JobParameter> job = {
      {"job", "train"},
      {"protocol", f.protocol},
      {"ring", fmt::format("Z_2^{}", f.ring)},
      {"data owner", fmt::format("{}", fmt::join(f.data_owners, ","))},
      {"fixed point", fmt::format("f={} k={}", fixed_for_ring(f.ring).f, fixed_for_ring(f.ring).k)},
      {"model", model_description(arch)},
      {"dataset", dataset_name(arch)},
      {"input shape", fmt::format("{}x{}x{}", arch.input.h, arch.input.w, arch.input.c)},
      {"epochs", std::to_string(f.epochs)},
      {"batch", std::to_string(f.batch)},
      {"eval batch", std::to_string(f.eval_batch)},
      {"max batches", std::to_string(f.max_batches)},
      {"seed", std::to_string(f.seed)},
      {"optimizer", f.optimizer},
      {"learning rate", fmt::format("{}", o.optimizer.lr)},
      {"learning-rate schedule", f.lr_schedule},
      {"momentum", fmt::format("{}", f.momentum)},
      {"truncation", f.trunc},
      {"conv algorithm", f.conv},
      {"standardize", f.standardize ? "yes" : "no"},
      {"loss", f.loss ? "yes" : "no"},
      {"export", f.export_path.empty() ? "no" : "yes"},
      {"export party", std::to_string(f.export_party)},
      {"initial weights", f.init},
      {"model owner", f.init == "owner" ? std::to_string(f.model_owner) : "-"},
  };
  std::string resume_epoch = "no";
  if (f.resume)
    resume_epoch = std::to_string(nn::read_checkpoint(nn::checkpoint_path(f.checkpoint, party)).epochs_done);
  job.push_back({"resume epoch", resume_epoch});
  return job;
}

// One party of a networked model over node.toml's mesh.
template <class P>
void run_party(const TrainFlags& f, const ProtocolCase<P>& c, const net::NodeConfig& cfg) {
  const auto arch = nn::make_architecture(f.model);
  std::optional<data::Dataset> train, test;
  if (std::find(f.data_owners.begin(), f.data_owners.end(), cfg.party) != f.data_owners.end()) {
    train = data::load_dataset(dataset_name(arch), data::Split::kTrain, f.data);
    test = data::load_dataset(dataset_name(arch), data::Split::kTest, f.data);
    if (f.standardize && f.data_owners.size() == 1) data::standardize(*train, *test);
  }
  // The backend first: a node without its card fails before it holds up the others' setup.
  auto be = backend::make_backend(f.backend, f.threads > 0 ? f.threads : 1);
  auto opt = train_options(f);
  if (cfg.party == f.model_owner) load_owner_params(f, opt);  // a bad file fails before the mesh
  auto network = net::connect_mesh(cfg);
  const net::SessionBinding session = net::bind_session(*network, job_parameters(f, opt, cfg.party));
  if (cfg.party == 0 && !f.quiet) fmt::print("session {}\n", session.id_hex().substr(0, 16));
  opt.quiet = f.quiet || cfg.party != 0;
  ProtocolEnv env;
  env.network = network.get();
  env.backend = be.get();
  env.trunc = trunc_mode(f.trunc);
  nn::Trainer<P> t(opt, [&](std::uint64_t) { return c.make(env); });
  t.run(train ? &*train : nullptr, test ? &*test : nullptr);
}

std::vector<std::string> party_argv(const TrainFlags& f) {
  PartyArgv a = job_argv("train", f);
  a.add("--data-owner", fmt::format("{}", fmt::join(f.data_owners, ",")))
      .add("--epochs", f.epochs)
      .add("--optimizer", f.optimizer)
      .add("--lr-schedule", f.lr_schedule)
      .add("--momentum", f.momentum)
      .add("--seed", f.seed)
      .add("--max-batches", f.max_batches)
      .add("--eval-batch", f.eval_batch)
      .add("--export-party", f.export_party)
      .add("--init", f.init);
  if (f.lr > 0) a.add("--lr", f.lr);
  // Paths become absolute: the parties may run in another directory.
  if (f.data_for.empty())
    a.add_if_set("--data", absolute_path(f.data));  // else each owner's own, launch_parties
  a.add_if_set("--metrics", absolute_path(f.metrics))
      .add_if_set("--export", absolute_path(f.export_path))
      .add_switch("--resume", f.resume)
      .add_switch("--loss", f.loss)
      .add_switch("--standardize", f.standardize);
  return a.take();
}

// --data-for P=DIR as (owner, folder) pairs; ConfigError naming an entry
// that is not P=DIR for a listed data owner, or an owner listed twice.
std::vector<std::pair<int, std::string>> owner_folders(const TrainFlags& f) {
  std::vector<std::pair<int, std::string>> out;
  for (const std::string& e : f.data_for) {
    const auto eq = e.find('=');
    int party = -1;
    if (eq != std::string::npos && eq > 0) {
      try {
        std::size_t used = 0;
        party = std::stoi(e.substr(0, eq), &used);
        if (used != eq) party = -1;
      } catch (const std::exception&) {
        party = -1;
      }
    }
    if (party < 0 || eq + 1 >= e.size()) throw ConfigError("--data-for '" + e + "': expected P=DIR");
    if (std::find(f.data_owners.begin(), f.data_owners.end(), party) == f.data_owners.end())
      throw ConfigError("--data-for '" + e + "': party " + std::to_string(party) + " is not a --data-owner");
    for (const auto& [seen, dir] : out)
      if (seen == party) throw ConfigError("--data-for: party " + std::to_string(party) + " given twice");
    out.emplace_back(party, e.substr(eq + 1));
  }
  return out;
}

// Without --config: the run's parties as local processes on loopback.
void launch_parties(const TrainFlags& f, int parties) {
  net::LaunchOptions lo;
  lo.protocol = f.protocol;
  lo.backend = f.backend;
  // Each local party gets its own checkpoint folder, as on separate nodes:
  // no party's shares sit in another party's folder.
  lo.party_args.resize(static_cast<std::size_t>(parties));
  for (int i = 0; i < parties && !f.checkpoint.empty(); ++i) {
    lo.party_args[i] = {"--checkpoint", nn::local_party_checkpoint_dir(absolute_path(f.checkpoint), i)};
  }
  // With --data-for, each owner reads only its own folder, as on its own node.
  for (const auto& [party, dir] : owner_folders(f)) {
    auto& args = lo.party_args[static_cast<std::size_t>(party)];
    args.insert(args.end(), {"--data", absolute_path(dir)});
  }
  // Only the model owner's process gets its file, as on its own node; a
  // file that does not fit fails here, before any party starts.
  if (!f.init_from.empty()) {
    nn::onnx_params_for(nn::read_onnx_model(f.init_from), nn::make_architecture(f.model));
    auto& own = lo.party_args[static_cast<std::size_t>(f.model_owner)];
    own.insert(own.end(), {"--init-from", absolute_path(f.init_from)});
  }
  run_local_parties("train", parties, party_argv(f), lo);
}

void run_plain(const TrainFlags& f) {
  plain::PlainOptions o;
  o.model = f.model;
  o.epochs = f.epochs;
  o.batch = static_cast<int>(f.batch);
  o.optimizer = f.optimizer;
  o.lr = f.lr > 0 ? f.lr : (f.optimizer == "sgd" ? 0.01 : 0.001);
  o.lr_schedule = f.lr_schedule;
  o.momentum = f.momentum;
  o.standardize = f.standardize;
  o.seed = f.seed;
  o.data_dir = f.data;
  o.max_batches = f.max_batches < 0 ? 0 : f.max_batches;
  o.metrics_path = f.metrics;
  o.export_path = f.export_path;
  o.init_from = f.init_from;
  plain::train(o);
}

}  // namespace

void add_train_command(CLI::App& app) {
  auto f = std::make_shared<TrainFlags>();
  CLI::App* cmd =
      app.add_subcommand("train", "train a network: secure (rep3), emulated (clear) or float (plain)");
  cmd->footer(
      "Several data owners (docs/TRAINING.md): nodes 1 and 2 hold the data, node 0 only computes; every\n"
      "node runs the same job, each owner with its own folder:\n"
      "  node 0: sqt train --config party-0.toml --model A --data-owner 1,2 --standardize\n"
      "  node 1: sqt train --config party-1.toml --model A --data-owner 1,2 --standardize --data /data/a\n"
      "  node 2: sqt train --config party-2.toml --model A --data-owner 1,2 --standardize --data /data/b\n"
      "On one machine: sqt train --model A --data-owner 1,2 --data-for 1=/data/a --data-for 2=/data/b");
  cmd->add_option("--model", f->model,
                  "network: A, B, C, D (MNIST), alexnet or cifar (CIFAR-10), a sequential FILE.onnx, or a "
                  "network description FILE.toml (docs/TRAINING.md)")
      ->capture_default_str();
  cmd->add_option("--protocol", f->protocol,
                  "rep3 (secure, 3 parties), clear (emulation) or plain (float); `sqt protocols` lists all")
      ->check(CLI::Validator(
          [](std::string& v) {
            find_built_protocol(v);  // ConfigError: unknown, or planned but not built
            return std::string();
          },
          "PROTOCOL"))
      ->capture_default_str();
  cmd->add_option("--ring", f->ring,
                  "ring of the secret shares: Z_2^BITS (`sqt protocols` lists each model's)")
      ->capture_default_str();
  cmd->add_option("--parties", f->parties,
                  "parties of the run, within the model's range (default: its minimum; with --config: "
                  "node.toml's [[parties]])")
      ->check(kNonNegative);
  cmd->add_option("--data-owner", f->data_owners,
                  "parties that hold data and secret-share it, comma-separated (each its own rows: "
                  "training runs on their union; 0 to the run's parties - 1)")
      ->delimiter(',')
      ->check(kNonNegative)
      ->capture_default_str();
  cmd->add_option("--data-for", f->data_for,
                  "P=DIR: data owner P's own dataset folder, for the local launcher (repeat per owner; "
                  "a node of a deployment passes --data)");
  cmd->add_option("--backend", f->backend, "cpu, fpga or fpga-sim")
      ->check(CLI::IsMember({"cpu", "fpga", "fpga-sim"}))
      ->capture_default_str();
  cmd->add_option("--epochs", f->epochs, "epochs")->check(kPositive)->capture_default_str();
  cmd->add_option("--batch", f->batch, "batch size (a power of two is cheapest)")
      ->check(kPositive)
      ->capture_default_str();
  cmd->add_option("--optimizer", f->optimizer, "sgd, adam or amsgrad")
      ->check(CLI::IsMember({"sgd", "adam", "amsgrad"}))
      ->capture_default_str();
  cmd->add_option("--lr", f->lr, "learning rate (default 0.01 for sgd, 0.001 for adam/amsgrad)")
      ->check(kPositive);
  cmd->add_option("--lr-schedule", f->lr_schedule,
                  "constant, or linear: decays from --lr to --lr/T over the run's T steps")
      ->check(CLI::IsMember({"constant", "linear"}))
      ->capture_default_str();
  cmd->add_option("--momentum", f->momentum, "SGD momentum")
      ->check(CLI::Range(0.0, 0.999))
      ->capture_default_str();
  cmd->add_flag(
      "--standardize", f->standardize,
      "inputs shifted and scaled to mean 0 and deviation 1 over the training set (by the data owner)");
  cmd->add_option("--seed", f->seed, "seed of the initialisation and the batch order")->capture_default_str();
  cmd->add_option("--data", f->data, "dataset directory (default: SQT_DATA, ./data, ../shared/data)");
  cmd->add_option("--max-batches", f->max_batches, "at most this many batches per epoch (-1: all)")
      ->capture_default_str();
  cmd->add_option("--eval-batch", f->eval_batch,
                  "test samples per secure forward pass of the accuracy count (memory grows with it)")
      ->check(kPositive)
      ->capture_default_str();
  cmd->add_option("--metrics", f->metrics, "append one JSON line per epoch to FILE");
  cmd->add_option("--checkpoint", f->checkpoint, "write each party's shares to DIR after every epoch");
  cmd->add_flag("--resume", f->resume, "continue from the checkpoint in --checkpoint DIR");
  cmd->add_option(
      "--export", f->export_path,
      "reveal the trained model to --export-party and write FILE (FILE.onnx: an ONNX graph, opset 13)");
  cmd->add_option("--export-party", f->export_party,
                  "party that receives the exported model (0 to the protocol's parties - 1)")
      ->check(kNonNegative)
      ->capture_default_str();
  cmd->add_option("--threads", f->threads,
                  "GEMM threads per party (default: 1 per local party, else all cores)")
      ->check(kNonNegative);
  cmd->add_option("--trunc", f->trunc, "probabilistic or exact truncation")
      ->check(CLI::IsMember({"probabilistic", "exact"}))
      ->capture_default_str();
  cmd->add_option("--conv", f->conv,
                  "convolution algorithm: auto (Winograd for stride-1 layers over 8+ channels) or im2col")
      ->check(CLI::IsMember({"auto", "im2col"}))
      ->capture_default_str();
  cmd->add_option("--init", f->init,
                  "initial weights: secret (Glorot-uniform drawn inside the protocol, no party learns them) "
                  "or public (from --seed, reproducible; plain uses these), or owner (--init-from)")
      ->check(CLI::IsMember({"secret", "public", "owner"}))
      ->capture_default_str();
  cmd->add_option(
         "--init-from", f->init_from,
         "the model owner's ONNX model (implies --init owner): its weights enter as that party's secret "
         "input, for secure fine-tuning; checked against --model node by node, and its input map (first "
         "Mul/Add) against the run's (--standardize or not); plain reads it directly")
      ->check(CLI::ExistingFile);
  cmd->add_option("--model-owner", f->model_owner,
                  "party that holds --init-from (the others pass --init owner and learn nothing of it)")
      ->check(kNonNegative)
      ->capture_default_str();
  cmd->add_option("--config", f->config, "node.toml: run as one party of a deployment");
  cmd->add_flag("--loss", f->loss, "also compute the training loss (secure log; one sum per epoch revealed)");
  cmd->add_flag("--quiet", f->quiet, "no progress bar");
  cmd->callback([f, cmd] {
    // The parties may run in another directory.
    if (nn::is_network_file(f->model)) f->model = absolute_path(f->model);
    nn::make_architecture(f->model);  // validates --model early
    std::optional<net::NodeConfig> cfg;
    if (!f->config.empty()) {
      // node.toml's protocol, backend and [[parties]] hold on this node (a contradicting flag is an error).
      cfg = net::load_node_config(f->config);
      f->protocol = node_choice("--protocol", f->protocol, cmd->count("--protocol") > 0, "protocol",
                                cfg->protocol, f->config);
      f->backend = node_choice("--backend", f->backend, cmd->count("--backend") > 0, "backend", cfg->backend,
                               f->config);
    }
    if (f->resume && f->checkpoint.empty()) throw ConfigError("--resume needs --checkpoint DIR");
    if (!f->init_from.empty()) {
      if (cmd->count("--init") > 0 && f->init != "owner")
        throw ConfigError("--init-from: the initial weights are the owner's, not --init " + f->init);
      f->init = "owner";
    }
    const ProtocolInfo& protocol = find_built_protocol(f->protocol);
    check_ring(protocol, f->ring, cmd->count("--ring") > 0);
    const bool mesh = protocol.networked() && cfg.has_value();
    if (mesh) f->parties = node_parties(f->parties, *cfg, f->config);
    const int parties = checked_parties(
        protocol, f->parties, mesh ? fmt::format("{} lists {} [[parties]]", f->config, f->parties) : "");
    check_party_id(protocol, parties, "--export-party", f->export_party);
    for (const int owner : f->data_owners) check_party_id(protocol, parties, "--data-owner", owner);
    nn::check_data_owners(f->data_owners, parties);
    if (!f->data_for.empty() && (mesh || !protocol.networked()))
      throw ConfigError("--data-for: only for local parties of a networked model (a node passes --data)");
    owner_folders(*f);  // validates --data-for
    check_party_id(protocol, parties, "--model-owner", f->model_owner);
    if (protocol.name == "plain") return run_plain(*f);
    if (protocol.networked() && !mesh) return launch_parties(*f, parties);
    dispatch_protocol(protocol, f->ring, [&](auto c) {
      if (mesh) return run_party(*f, c, *cfg);
      run_one_process(*f, c);
    });
  });
}

}  // namespace sqt::cli
