// The training loop, protocol-generic: the data owner (--data-owner) secret-shares
// the training and test sets once; every batch is then gathered locally
// (Protocol::linear) in the seeded epoch order; after each epoch the test
// accuracy is computed securely and only the count of correct predictions is
// revealed, one value per epoch (and one loss sum per epoch with --loss). The
// initial weights are drawn inside the protocol by default (no party learns
// them); `--init public` takes them from --seed. Progress goes to stderr,
// one line per epoch to stdout (party 0), metrics as JSON lines, checkpoints
// per party, export to one named party. One protocol object and one model
// serve the whole run.
#pragma once

#include <fmt/core.h>

#include <algorithm>
#include <bit>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "host/core/error.h"
#include "host/data/batches.h"
#include "host/data/dataset.h"
#include "host/nn/architecture.h"
#include "host/nn/checkpoint.h"
#include "host/nn/checkpoint_shares.h"
#include "host/nn/input_map_check.h"
#include "host/nn/model.h"
#include "host/nn/model_file.h"
#include "host/nn/optimizer.h"
#include "host/nn/owned_sets.h"
#include "host/nn/progress.h"
#include "host/nn/protocol_extras.h"
#include "host/nn/softmax_ce.h"
#include "host/nn/update.h"

namespace sqt::nn {

// Where the initial weights come from: drawn jointly inside the protocol
// (Model::set_secret_glorot, no party learns them), or computed by every
// party from --seed (glorot_init; reproducible, what the float reference uses),
// or a model owner's weights (--init-from), its secret input.
enum class InitMode : std::uint8_t { kSecret, kPublic, kOwner };

inline InitMode parse_init_mode(std::string_view s) {
  if (s == "secret") return InitMode::kSecret;
  if (s == "public") return InitMode::kPublic;
  if (s == "owner") return InitMode::kOwner;
  throw ConfigError("--init: unknown mode '" + std::string(s) + "' (expected secret or public)");
}

inline const char* init_mode_name(InitMode m) {
  return m == InitMode::kSecret ? "secret" : m == InitMode::kPublic ? "public" : "owner";
}

struct TrainOptions {
  std::string model = "A";
  int epochs = 1;
  std::size_t batch = 128;
  long max_batches = -1;  // per epoch; -1 = all
  std::uint64_t seed = 1;
  OptimizerConfig optimizer;
  std::string metrics;     // JSON lines file (party 0 writes it)
  std::string checkpoint;  // directory
  bool resume = false;
  std::string export_path;
  int export_party = 0;
  int data_owner = 0;  // the party that holds the datasets and shares them
  // Several owners, each holding its own rows (a horizontal split); empty:
  // data_owner alone. The first is the owner whose input map is exported.
  std::vector<int> data_owners;
  // With several owners: standardise with the union's statistics (only the
  // totals of the owners' pixel sums are opened). One owner standardises
  // its own sets before the run (data::standardize).
  bool standardize_jointly = false;
  bool compute_loss = false;
  std::size_t eval_batch = 1000;
  bool quiet = false;  // no progress bar
  ConvAlgorithm conv = ConvAlgorithm::kAuto;
  InitMode init = InitMode::kSecret;
  // kOwner: the party whose weights are input, and those weights (set in
  // that party's process only; host/nn/onnx_import.h reads them).
  int model_owner = 0;
  std::optional<ModelParams> owner_params;
  // The input map of the owner's graph (its first Mul/Add), checked against
  // the first data owner's before training (host/nn/input_map_check.h).
  std::optional<InputMap> owner_input_map;
  bool standardize = false;  // --standardize (named in that check's error)
};

struct EpochResult {
  int epoch = 0;
  long batches = 0;
  double test_accuracy = 0;
  std::optional<double> train_loss;
  double elapsed_s = 0;
  double train_s = 0, test_s = 0;  // this epoch's batches and its secure test
  std::uint64_t bytes_sent = 0, rounds = 0;
  // Inputs outside the protocol's exact ranges during this epoch (the first
  // epoch of a run also counts the setup and initialisation), for protocols
  // that can count them (the clear emulation); empty for secure ones.
  std::optional<mpc::RangeViolations> range_violations;
};

// Seed of the clear emulation's PRG stream for epoch `epoch` (-1: setup and
// initialisation); the trainer reseeds its one protocol object with it at
// every epoch start, so a resumed run draws what an uninterrupted one does.
inline std::uint64_t epoch_protocol_seed(std::uint64_t seed, int epoch) {
  data::SplitMix64 r(seed * 0x2545F4914F6CDD1DULL + static_cast<std::uint64_t>(epoch) + 1);
  return r.next();
}

// `make_protocol(seed)` builds this party's protocol object, once per run
// (host/mpc/protocol.h: shares, keys and preprocessing belong to the object
// that made them); `train`/`test` are the datasets on the data owner
// (opt.data_owner), nullptr elsewhere. Protocol::verify() runs before every value
// the trainer opens (set sizes, accuracy count, loss sum, export), before
// every checkpoint and at the end of the run.
template <mpc::Protocol P>
class Trainer {
 public:
  using S = typename P::Share;
  using Ring = typename P::Ring;  // the protocol's ring
  using Factory = std::function<std::unique_ptr<P>(std::uint64_t seed)>;

  Trainer(TrainOptions opt, Factory make_protocol) : opt_(std::move(opt)), make_(std::move(make_protocol)) {}

  // Defined below the class, not inline: see host/nn/model_instances.h.
  std::vector<EpochResult> run(const data::Dataset* train, const data::Dataset* test);

 private:
  long batches_per_epoch(std::size_t n_train) const {
    const long batches = static_cast<long>(n_train / opt_.batch);
    return opt_.max_batches >= 0 ? std::min(batches, opt_.max_batches) : batches;
  }

  std::vector<int> owners() const {
    return opt_.data_owners.empty() ? std::vector<int>{opt_.data_owner} : opt_.data_owners;
  }

  // The first data owner's pixel-to-value map (its bit patterns as ring
  // elements), revealed to the party that receives the exported model:
  // inference needs the same input map as training.
  InputMap input_map(P& p, const OwnedSets<P>& sets) {
    std::vector<Ring> c;
    if (p.party() == sets.first_owner()) {
      const data::Dataset* train = sets.own_train();
      c = {static_cast<Ring>(std::bit_cast<std::uint64_t>(static_cast<double>(train->scale))),
           static_cast<Ring>(std::bit_cast<std::uint64_t>(static_cast<double>(train->offset)))};
    }
    const S shared = p.input(sets.first_owner(), c, 2);
    verify(p, "the input map is exported");
    const auto v = p.reveal_to(opt_.export_party, shared);
    if (p.party() != opt_.export_party) return {};
    return {std::bit_cast<double>(static_cast<std::uint64_t>(v[0])),
            std::bit_cast<double>(static_cast<std::uint64_t>(v[1]))};
  }

  // The first data owner's input map at f bits, shared: the checkpoints
  // carry it for `sqt predict` (no party learns it).
  S input_map_shares(P& p, const OwnedSets<P>& sets) {
    std::vector<Ring> c;
    if (p.party() == sets.first_owner()) {
      const int f = p.fixed().f;
      c = {encode_fixed<Ring>(sets.own_train()->scale, f), encode_fixed<Ring>(sets.own_train()->offset, f)};
    }
    return p.input(sets.first_owner(), c, 2);
  }

  // The slices' correct counts are added as shares: one value is opened.
  std::size_t evaluate(P& p, Model<P>& m, const OwnedSets<P>& sets, std::size_t n, int classes, int epoch) {
    S correct = p.zeros(1);
    for (std::size_t start = 0; start < n; start += opt_.eval_batch) {
      const std::size_t b = std::min(opt_.eval_batch, n - start);
      std::vector<std::uint32_t> idx(b);
      for (std::size_t i = 0; i < b; ++i) idx[i] = static_cast<std::uint32_t>(start + i);
      const S logits = m.forward(OwnedSets<P>::gather(p, sets.test_x(), idx), b, false);
      correct =
          p.add(std::move(correct),
                correct_count_share(p, logits, OwnedSets<P>::gather(p, sets.test_y(), idx), b, classes));
    }
    verify(p, fmt::format("the test accuracy of epoch {} is opened", epoch));
    return decode_count(p.reveal(correct)[0], p.fixed().f);
  }

  // Protocol::verify, its failure extended by where the trainer stood.
  static void verify(P& p, const std::string& before) {
    try {
      p.verify();
    } catch (const VerificationError& e) {
      throw VerificationError(std::string(e.what()) + " (checked before " + before + ")");
    }
  }

  void progress(int epoch, long done, long total, std::chrono::steady_clock::time_point start) {
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double rate = static_cast<double>(done * opt_.batch) / std::max(s, 1e-9);
    const double eta = static_cast<double>(total - done) * s / static_cast<double>(done);
    progress_.update(fmt::format("epoch {} batch {}/{}  {:.0f} samples/s  ETA {:.0f} s", epoch + 1, done,
                                 total, rate, eta),
                     done == total);
  }

  void report(int party, const EpochResult& r) {
    if (party != 0) return;
    const auto& v = r.range_violations;
    // Only when non-zero: a clean run's line stays as it was.
    const std::string overflow = v && v->total() > 0
                                     ? fmt::format(", range violations: ltz {}, bit_decompose {}, trunc {}",
                                                   v->ltz, v->bit_decompose, v->trunc)
                                     : std::string();
    fmt::print(
        "epoch {}: test accuracy {:.2f} %, loss {}, elapsed {:.1f} s (batches {:.1f} s, test {:.1f} s), "
        "bytes sent "
        "{}, rounds {}{}\n",
        r.epoch, 100 * r.test_accuracy, r.train_loss ? fmt::format("{:.4f}", *r.train_loss) : "-",
        r.elapsed_s, r.train_s, r.test_s, r.bytes_sent, r.rounds, overflow);
    std::fflush(stdout);
    if (opt_.metrics.empty()) return;
    nlohmann::json j{{"epoch", r.epoch},
                     {"batches", r.batches},
                     {"test_accuracy", r.test_accuracy},
                     {"elapsed_s", r.elapsed_s},
                     {"train_s", r.train_s},
                     {"test_s", r.test_s},
                     {"bytes_sent", r.bytes_sent},
                     {"rounds", r.rounds},
                     {"model", opt_.model},
                     {"protocol", std::string(P::kName)},
                     {"seed", opt_.seed},
                     {"batch", opt_.batch},
                     {"lr", opt_.optimizer.lr},
                     {"momentum", opt_.optimizer.momentum},
                     {"init", init_mode_name(opt_.init)},
                     {"lr_schedule", opt_.optimizer.schedule == LrSchedule::kLinear ? "linear" : "constant"}};
    j["train_loss"] = r.train_loss ? nlohmann::json(*r.train_loss) : nlohmann::json(nullptr);
    // null: the protocol cannot see its inputs, so it cannot count.
    j["range_violations"] =
        v ? nlohmann::json{{"ltz", v->ltz}, {"bit_decompose", v->bit_decompose}, {"trunc", v->trunc}}
          : nlohmann::json(nullptr);
    std::ofstream out(opt_.metrics, std::ios::app);
    if (!out) throw FileError("--metrics: cannot write " + opt_.metrics);
    out << j.dump() << "\n";
  }

  void save(int party, Model<P>& model, Optimizer<P>& optim, int epochs_done) {
    CheckpointData c;
    c.model = model.arch().name;
    c.seed = opt_.seed;
    c.epochs_done = epochs_done;
    c.optimizer_steps = optim.steps();
    c.components = S::kComponents;
    c.ring_bits = sqt::ring_bits<Ring>;
    constexpr int kWords = sqt::ring_bits<Ring> / 64;  // per element, low word first
    auto add = [&](const S& s) {
      for (const auto& part : s.part) {
        auto& words = c.vectors.emplace_back(part.size() * kWords);
        for (std::size_t e = 0; e < part.size(); ++e)
          for (int w = 0; w < kWords; ++w)
            words[e * kWords + w] = static_cast<std::uint64_t>(part[e] >> (64 * w));
      }
    };
    add(model.params());
    for (const S& s : optim.state()) add(s);
    if (map_shares_) {
      c.input_map = static_cast<std::int64_t>(1 + optim.state().size());
      add(*map_shares_);
    }
    write_checkpoint(checkpoint_path(opt_.checkpoint, party), c);
  }

  static S from_parts(const CheckpointData& c, std::size_t index) {
    return shares_from_checkpoint<S>(c, index);
  }

  TrainOptions opt_;
  Factory make_;
  std::optional<S> map_shares_;  // input_map_shares, when the run writes checkpoints
  ProgressDisplay progress_{stderr, ProgressDisplay::is_terminal(stderr)};
};

template <mpc::Protocol P>
std::vector<EpochResult> Trainer<P>::run(const data::Dataset* train, const data::Dataset* test) {
  // Declared before the model, so the model (which refers to it) goes first.
  const std::unique_ptr<P> protocol = make_(epoch_protocol_seed(opt_.seed, -1));
  if (!protocol) throw Error("train: the protocol factory returned no protocol");
  P& p = *protocol;
  const Architecture arch = make_architecture(opt_.model);
  Model<P> model(p, arch, opt_.conv);
  Optimizer<P> optim(opt_.optimizer, model.param_count());
  const int party = p.party();
  const int f = p.fixed().f;

  // Shapes and counts are public; the data owners announce them and
  // share their rows (host/nn/owned_sets.h).
  const OwnedSets<P> sets(p, owners(), train, test, arch, opt_.standardize_jointly,
                          [&](const std::string& before) { verify(p, before); });
  const std::size_t n_train = sets.train_rows(), n_test = sets.test_rows();
  if (!opt_.checkpoint.empty()) map_shares_ = input_map_shares(p, sets);

  int start_epoch = 0;
  if (opt_.resume) {
    const CheckpointData c = read_checkpoint(checkpoint_path(opt_.checkpoint, party));
    if (c.model != arch.name || c.seed != opt_.seed)
      throw ConfigError("--resume: checkpoint is for model " + c.model + " seed " + std::to_string(c.seed));
    start_epoch = static_cast<int>(c.epochs_done);
    optim.init(p);
    model.params() = from_parts(c, 0);
    for (std::size_t i = 0; i < optim.state().size(); ++i) optim.state()[i] = from_parts(c, i + 1);
    optim.set_steps(c.optimizer_steps);
  } else if (opt_.init == InitMode::kPublic) {
    model.set_public(glorot_init(arch, opt_.seed));
  } else if (opt_.init == InitMode::kOwner) {
    if (opt_.model_owner < 0 || opt_.model_owner >= p.parties())
      throw ConfigError("--model-owner " + std::to_string(opt_.model_owner) +
                        ": not a party of this protocol");
    if (party == opt_.model_owner && !opt_.owner_params)
      throw ConfigError("--init owner: the model owner (party " + std::to_string(party) +
                        ") has no --init-from");
    // Only the owner's process holds the weights; the others learn nothing.
    const std::vector<Ring> w = opt_.owner_params ? model.encode(*opt_.owner_params) : std::vector<Ring>{};
    model.params() = p.input(opt_.model_owner, w, model.param_count());
    std::optional<InputMap> data_map;
    if (party == sets.first_owner()) data_map = InputMap{sets.own_train()->scale, sets.own_train()->offset};
    check_owner_input_map(p, opt_.model_owner, sets.first_owner(), opt_.owner_input_map, data_map,
                          opt_.standardize, [&](const std::string& before) { verify(p, before); });
  } else {
    model.set_secret_glorot();
  }

  optim.set_total_steps(static_cast<long>(opt_.epochs) * batches_per_epoch(n_train));

  std::vector<EpochResult> results;
  const auto t0 = std::chrono::steady_clock::now();
  for (int epoch = start_epoch; epoch < opt_.epochs; ++epoch) {
    // The emulation's randomness depends only on (seed, epoch); rep3 ignores this.
    reseed_if_emulated(p, epoch_protocol_seed(opt_.seed, epoch));
    const auto order = epoch_order(n_train, opt_.seed, epoch);
    const long batches = batches_per_epoch(n_train);
    const auto te = std::chrono::steady_clock::now();
    S loss_sum = p.zeros(1);  // opened once, after the epoch
    for (long b = 0; b < batches; ++b) {
      const std::span<const std::uint32_t> idx(order.data() + b * opt_.batch, opt_.batch);
      const S x = OwnedSets<P>::gather(p, sets.train_x(), idx);
      const S y = OwnedSets<P>::gather(p, sets.train_y(), idx);
      const S logits = model.forward(x, opt_.batch, true);
      S probs;
      const S g = softmax_ce_grad(p, logits, y, opt_.batch, arch.classes, &probs);
      if (opt_.compute_loss) loss_sum = p.add(std::move(loss_sum), cross_entropy_share(p, probs, y));
      backward_and_update(p, model, optim, g, opt_.batch);
      if (party == 0 && !opt_.quiet) progress(epoch, b + 1, batches, te);
    }
    const auto tt = std::chrono::steady_clock::now();
    EpochResult r;
    r.epoch = epoch + 1;
    r.batches = batches;
    r.train_s = std::chrono::duration<double>(tt - te).count();
    r.test_accuracy = static_cast<double>(evaluate(p, model, sets, n_test, arch.classes, epoch + 1)) /
                      static_cast<double>(std::max<std::size_t>(n_test, 1));
    if (opt_.compute_loss && batches > 0) {
      verify(p, fmt::format("the training loss of epoch {} is opened", epoch + 1));
      r.train_loss = decode_fixed(p.reveal(loss_sum)[0], f) / static_cast<double>(batches * opt_.batch);
    }
    const auto tend = std::chrono::steady_clock::now();
    r.test_s = std::chrono::duration<double>(tend - tt).count();
    r.elapsed_s = std::chrono::duration<double>(tend - t0).count();
    const mpc::CommStats traffic = p.stats();
    r.bytes_sent = traffic.bytes_sent;
    r.rounds = traffic.rounds;
    r.range_violations = take_range_violations_if_counted(p);
    if (!opt_.checkpoint.empty()) {
      verify(p, fmt::format("the checkpoint of epoch {} is written", epoch + 1));
      save(party, model, optim, epoch + 1);
    }
    report(party, r);
    results.push_back(r);
  }
  if (!opt_.export_path.empty()) {
    verify(p, "the model is exported");
    const auto v = p.reveal_to(opt_.export_party, model.params());
    const InputMap input = input_map(p, sets);
    if (party == opt_.export_party) write_model_file(opt_.export_path, arch, model.decode(v), input);
  }
  verify(p, "the run ends");
  return results;
}

}  // namespace sqt::nn
