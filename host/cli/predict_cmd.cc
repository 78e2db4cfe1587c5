// `sqt predict` and `sqt evaluate`: a secret model classifies the images
// of one party (--data-owner) under a model of the protocol registry
// (host/nn/predictor.h). The model is each party's checkpoint shares
// (--checkpoint DIR) or a model file that its owner secret-shares
// (--model-file FILE --model-owner P). predict reveals the labels (and
// with --scores the logits) to the data owner, which writes them to --out;
// evaluate reveals the count of correct labels to the data owner, which
// prints the accuracy. Without --config a networked model's parties run as
// local processes, each told only its own files: the data owner gets
// --data and --out, the model owner --model-file, each party its own
// checkpoint folder.
#include <fmt/core.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "host/backend/backend.h"
#include "host/cli/commands.h"
#include "host/cli/party_job.h"
#include "host/cli/protocol_dispatch.h"
#include "host/core/error.h"
#include "host/data/data_dir.h"
#include "host/net/launcher.h"
#include "host/net/session.h"
#include "host/net/session_binding.h"
#include "host/nn/architecture.h"
#include "host/nn/checkpoint.h"
#include "host/nn/model_file.h"
#include "host/nn/model_instances.h"  // Model, Predictor: compiled once
#include "host/nn/predictor.h"

namespace sqt::cli {
namespace {

struct InferFlags {
  bool evaluate = false;  // the command: evaluate (accuracy) or predict (labels)
  std::string model = "A", protocol = "rep3", backend = "cpu", trunc = "probabilistic", conv = "auto",
              split = "test";
  int ring = 64, parties = 0, data_owner = 0, model_owner = 0, threads = 0;
  std::size_t batch = 128;
  std::string data, out, checkpoint, model_file, config;
  bool scores = false, quiet = false;

  const char* name() const { return evaluate ? "evaluate" : "predict"; }
};

// What this party holds of the job: its checkpoint, the model owner's file,
// the data owner's images and output file. Read before the mesh is set up,
// so a wrong file fails before it holds up the other parties.
struct PartyInputs {
  std::optional<nn::CheckpointData> checkpoint;
  std::string checkpoint_path;
  std::optional<nn::ModelFile> model_file;
  std::optional<data::Dataset> images;
  std::unique_ptr<std::ofstream> out;
};

// Party `party`'s files, read and checked; `checkpoint_dir` is its own
// checkpoint folder. The output file is opened by the caller.
PartyInputs read_inputs(const InferFlags& f, const nn::Architecture& arch, int party,
                        const std::string& checkpoint_dir) {
  PartyInputs in;
  if (!checkpoint_dir.empty()) {
    in.checkpoint_path = nn::checkpoint_path(checkpoint_dir, party);
    if (!std::filesystem::exists(in.checkpoint_path)) {
      throw FileError(
          fmt::format("--checkpoint: party {} has no checkpoint {} (written by sqt train "
                      "--checkpoint DIR)",
                      party, in.checkpoint_path));
    }
    in.checkpoint = nn::read_checkpoint(in.checkpoint_path);
    if (in.checkpoint->model != arch.name) {
      throw ConfigError(fmt::format("--checkpoint: {} holds network {}, --model is {}", in.checkpoint_path,
                                    in.checkpoint->model, arch.name));
    }
    if (in.checkpoint->ring_bits != f.ring) {
      throw ConfigError(fmt::format("--checkpoint: {} holds Z_2^{} shares, --ring is {}", in.checkpoint_path,
                                    in.checkpoint->ring_bits, f.ring));
    }
  } else if (party == f.model_owner) {
    if (f.model_file.empty()) {
      throw ConfigError(
          fmt::format("give the model as --checkpoint DIR or as --model-file FILE on the model "
                      "owner (party {})",
                      f.model_owner));
    }
    in.model_file = nn::read_model_file(f.model_file);
    if (in.model_file->arch.name != arch.name) {
      throw ConfigError(fmt::format("--model-file: {} holds network {}, --model is {}", f.model_file,
                                    in.model_file->arch.name, arch.name));
    }
    if (!in.model_file->input) {
      throw FileError(
          fmt::format("--model-file: {} has no input map (pixel scale and offset); export the model "
                      "again with sqt train --export",
                      f.model_file));
    }
  }
  return in;
}

data::Dataset load_images(const InferFlags& f, const nn::Architecture& arch) {
  return data::load_dataset(dataset_name(arch), f.split == "train" ? data::Split::kTrain : data::Split::kTest,
                            f.data);
}

std::unique_ptr<std::ofstream> open_out(const std::string& path) {
  auto out = std::make_unique<std::ofstream>(path, std::ios::trunc);
  if (!*out) throw FileError("--out: cannot write " + path);
  return out;
}

// Everything every party must agree on (net::bind_session): what is
// computed and who learns what. Paths, threads and the backend stay local.
std::vector<net::JobParameter> job_parameters(const InferFlags& f, const nn::Architecture& arch,
                                              const PartyInputs& in) {
  const FixedParams fx = fixed_for_ring(f.ring);
  std::vector<net::JobParameter> job = {
      {"job", f.name()},
      {"protocol", f.protocol},
      {"ring", fmt::format("Z_2^{}", f.ring)},
      {"fixed point", fmt::format("f={} k={}", fx.f, fx.k)},
      {"model", model_description(arch)},
      {"dataset", dataset_name(arch) + "/" + f.split},
      {"input shape", fmt::format("{}x{}x{}", arch.input.h, arch.input.w, arch.input.c)},
      {"data owner", std::to_string(f.data_owner)},
      {"batch", std::to_string(f.batch)},
      {"truncation", f.trunc},
      {"conv algorithm", f.conv},
      {"scores", f.scores ? "yes" : "no"},
  };
  if (in.checkpoint) {
    // Every party's shares must come from the same epoch of the same run.
    job.push_back(
        {"model source", fmt::format("checkpoint of seed {} after epoch {} ({} steps)", in.checkpoint->seed,
                                     in.checkpoint->epochs_done, in.checkpoint->optimizer_steps)});
  } else {
    job.push_back({"model source", fmt::format("model file of party {}", f.model_owner)});
  }
  return job;
}

// The predictions as text, one line per image: the label, then with
// --scores the logits (shortest exact decimal of each fixed-point value).
void write_predictions(std::ofstream& out, const nn::Predictions& pr, int classes, const std::string& path) {
  const std::size_t c = static_cast<std::size_t>(classes);
  for (std::size_t i = 0; i < pr.labels.size(); ++i) {
    out << pr.labels[i];
    if (!pr.scores.empty())
      for (std::size_t j = 0; j < c; ++j) out << ' ' << fmt::format("{}", pr.scores[i * c + j]);
    out << '\n';
  }
  out.flush();
  if (!out) throw FileError("--out: cannot write " + path);
}

// One party (or, for a one-process model, all of them) with protocol object `p`.
template <class P>
void infer(const InferFlags& f, P& p, const nn::Architecture& arch, PartyInputs& in) {
  nn::Model<P> model(p, arch, nn::parse_conv_algorithm(f.conv));
  nn::InferenceOptions o;
  o.data_owner = f.data_owner;
  o.batch = f.batch;
  o.scores = f.scores;
  o.quiet = f.quiet;
  nn::Predictor<P> predictor(p, model, o);
  if (in.checkpoint)
    predictor.load_checkpoint(*in.checkpoint, in.checkpoint_path);
  else
    predictor.input_model(f.model_owner, in.model_file ? &*in.model_file : nullptr);
  const data::Dataset* images = in.images ? &*in.images : nullptr;
  if (f.evaluate) {
    const auto correct = predictor.evaluate(images);
    if (correct) {
      const std::size_t n = images->count;
      fmt::print("accuracy {:.2f} % ({} of {} images correct)\n",
                 n == 0 ? 0.0 : 100.0 * static_cast<double>(*correct) / static_cast<double>(n), *correct, n);
    }
    return;
  }
  const nn::Predictions pr = predictor.predict(images);
  if (p.party() != f.data_owner) return;
  write_predictions(*in.out, pr, arch.classes, f.out);
  fmt::print("{} predictions written to {}\n", pr.labels.size(), f.out);
}

ProtocolEnv make_env(const InferFlags& f, backend::Backend& be, net::Network* network) {
  ProtocolEnv env;
  env.network = network;
  env.backend = &be;
  env.trunc = trunc_mode(f.trunc);
  return env;
}

// The party's own flags when the local launcher runs it (its files come per party).
std::vector<std::string> party_argv(const InferFlags& f) {
  return job_argv(f.name(), f)
      .add("--data-owner", f.data_owner)
      .add("--split", f.split)
      .add_switch("--scores", f.scores)
      .take();
}

void launch_parties(const InferFlags& f, int parties) {
  net::LaunchOptions lo;
  lo.protocol = f.protocol;
  lo.backend = f.backend;
  lo.party_args.resize(static_cast<std::size_t>(parties));
  for (int i = 0; i < parties; ++i) {
    auto& a = lo.party_args[static_cast<std::size_t>(i)];
    if (!f.checkpoint.empty())
      a.insert(a.end(), {"--checkpoint", nn::local_party_checkpoint_dir(absolute_path(f.checkpoint), i)});
    if (i == f.model_owner && !f.model_file.empty())
      a.insert(a.end(), {"--model-file", absolute_path(f.model_file)});
    if (i == f.data_owner) {
      if (!f.data.empty()) a.insert(a.end(), {"--data", absolute_path(f.data)});
      if (!f.out.empty()) a.insert(a.end(), {"--out", absolute_path(f.out)});
    }
  }
  run_local_parties(f.name(), parties, party_argv(f), lo);
}

// The flags that only one party may hold, against this process's role
// (`one_process`: it starts or plays every party).
void check_roles(const InferFlags& f, bool one_process, int party) {
  if (!f.checkpoint.empty() && !f.model_file.empty())
    throw ConfigError("give the model as one of --checkpoint DIR or --model-file FILE, not both");
  if (one_process && f.checkpoint.empty() && f.model_file.empty())
    throw ConfigError("give the model as --checkpoint DIR or as --model-file FILE");
  const bool data_owner = one_process || party == f.data_owner;
  if (!f.evaluate && data_owner && f.out.empty())
    throw ConfigError("predict: --out FILE is required (the data owner writes one line per image there)");
  if (!f.evaluate && !data_owner && !f.out.empty()) {
    throw ConfigError(
        fmt::format("--out: party {} is not the data owner (party {}); only the data owner "
                    "receives the predictions",
                    party, f.data_owner));
  }
  if (!one_process && !f.model_file.empty() && party != f.model_owner) {
    throw ConfigError(
        fmt::format("--model-file: party {} is not the model owner (party {}); only the "
                    "model owner reads the model file",
                    party, f.model_owner));
  }
}

// Before the local launcher starts the parties: every party's files, so a
// wrong one is named at once instead of after the others' connect timeout.
void check_local_files(const InferFlags& f, const nn::Architecture& arch, int parties) {
  for (int i = 0; i < parties; ++i) {
    const std::string dir =
        f.checkpoint.empty() ? "" : nn::local_party_checkpoint_dir(absolute_path(f.checkpoint), i);
    read_inputs(f, arch, i, dir);
  }
  data::find_dataset_dir(dataset_name(arch), f.data);
  if (f.evaluate) return;
  const auto parent = std::filesystem::absolute(f.out).parent_path();
  if (!std::filesystem::is_directory(parent))
    throw FileError(fmt::format("--out: {} is not a directory", parent.string()));
}

void run(InferFlags& f, const CLI::App& cmd) {
  if (nn::is_network_file(f.model)) f.model = absolute_path(f.model);  // the parties may run elsewhere
  const nn::Architecture arch = nn::make_architecture(f.model);
  nn::parse_conv_algorithm(f.conv);
  const JobPlace place = place_job(cmd, f.protocol, f.backend, f.ring, f.parties, f.config);
  if (!place.protocol->has_ring())
    throw ConfigError(
        fmt::format("--protocol {}: {} runs on secret shares; pick a model with a ring "
                    "(`sqt protocols`)",
                    place.protocol->name, f.name()));
  check_party_id(*place.protocol, place.parties, "--data-owner", f.data_owner);
  check_party_id(*place.protocol, place.parties, "--model-owner", f.model_owner);
  if (place.launch()) {
    check_roles(f, true, 0);
    check_local_files(f, arch, place.parties);
    return launch_parties(f, place.parties);
  }
  const int party = place.mesh() ? place.node->party : 0;
  check_roles(f, !place.mesh(), party);
  // This party's files before the mesh: a wrong one fails before it holds up the others.
  PartyInputs in = read_inputs(f, arch, party, f.checkpoint);
  if (!place.mesh() || party == f.data_owner) {
    in.images = load_images(f, arch);
    if (!f.evaluate) in.out = open_out(f.out);
  }
  auto be =
      backend::make_backend(f.backend, f.threads > 0 ? f.threads : (place.mesh() ? 1 : default_threads()));
  if (!place.mesh()) {
    dispatch_protocol(*place.protocol, f.ring, [&](auto c) {
      const auto p = c.make(make_env(f, *be, nullptr));
      infer(f, *p, arch, in);
    });
    return;
  }
  auto network = net::connect_mesh(*place.node);
  const net::SessionBinding session = net::bind_session(*network, job_parameters(f, arch, in));
  if (party == f.data_owner && !f.quiet) {
    fmt::print("session {}\n", session.id_hex().substr(0, 16));
    std::fflush(stdout);
  }
  dispatch_protocol(*place.protocol, f.ring, [&](auto c) {
    const auto p = c.make(make_env(f, *be, network.get()));
    infer(f, *p, arch, in);
  });
}

void add_inference_command(CLI::App& app, bool evaluate) {
  auto f = std::make_shared<InferFlags>();
  f->evaluate = evaluate;
  CLI::App* cmd = app.add_subcommand(
      f->name(),
      evaluate ? "accuracy of a secret model on a data owner's labelled images (opened to the data owner)"
               : "labels of a data owner's images from a secret model (revealed to the data owner)");
  cmd->add_option("--model", f->model,
                  "network of the model: A, B, C, D (MNIST), alexnet or cifar (CIFAR-10), or a network "
                  "file (FILE.onnx, FILE.toml)")
      ->capture_default_str();
  cmd->add_option("--checkpoint", f->checkpoint,
                  "the model as each party's shares in DIR (sqt train --checkpoint DIR; the local launcher "
                  "reads DIR/party-<i>)");
  cmd->add_option("--model-file", f->model_file,
                  "the model as a model file (sqt train --export) that --model-owner secret-shares");
  cmd->add_option("--model-owner", f->model_owner, "party that holds --model-file")
      ->check(kNonNegative)
      ->capture_default_str();
  cmd->add_option("--data-owner", f->data_owner, "party that holds the images and receives the results")
      ->check(kNonNegative)
      ->capture_default_str();
  cmd->add_option("--data", f->data,
                  "the data owner's dataset directory (default: SQT_DATA, ./data, ../shared/data)");
  cmd->add_option("--split", f->split, "which images of the dataset: test or train")
      ->check(CLI::IsMember({"test", "train"}))
      ->capture_default_str();
  if (!evaluate) {
    cmd->add_option("--out", f->out, "the data owner writes one line per image to FILE: the label");
    cmd->add_flag("--scores", f->scores, "also reveal the 10 logits to the data owner (after the label)");
  }
  cmd->add_option("--protocol", f->protocol, "model of the protocol registry (`sqt protocols`)")
      ->check(CLI::Validator(
          [](std::string& v) {
            find_built_protocol(v);
            return std::string();
          },
          "PROTOCOL"))
      ->capture_default_str();
  cmd->add_option("--ring", f->ring, "ring of the secret shares: Z_2^BITS (the checkpoint's ring)")
      ->capture_default_str();
  cmd->add_option("--parties", f->parties, "parties of the run (default: the model's minimum)")
      ->check(kNonNegative);
  cmd->add_option("--batch", f->batch, "images per secure forward pass")
      ->check(kPositive)
      ->capture_default_str();
  cmd->add_option("--trunc", f->trunc, "probabilistic or exact truncation")
      ->check(CLI::IsMember({"probabilistic", "exact"}))
      ->capture_default_str();
  cmd->add_option("--conv", f->conv, "convolution algorithm: auto or im2col")
      ->check(CLI::IsMember({"auto", "im2col"}))
      ->capture_default_str();
  cmd->add_option("--backend", f->backend, "cpu, fpga or fpga-sim")
      ->check(CLI::IsMember({"cpu", "fpga", "fpga-sim"}))
      ->capture_default_str();
  cmd->add_option("--threads", f->threads, "GEMM threads per party (default: 1 per local party)")
      ->check(kNonNegative);
  cmd->add_option("--config", f->config, "node.toml: run as one party of a deployment");
  cmd->add_flag("--quiet", f->quiet, "no progress line");
  cmd->callback([f, cmd] { run(*f, *cmd); });
}

}  // namespace

void add_predict_command(CLI::App& app) { add_inference_command(app, false); }
void add_evaluate_command(CLI::App& app) { add_inference_command(app, true); }

}  // namespace sqt::cli
