// Suite "train": seconds per training batch (forward, softmax-CE gradient,
// backward, SGD update) of each network under a model of the protocol
// registry (`sqt bench train --protocol rep3`) on its party mesh, with the
// bytes and rounds every party spends per batch. Baseline (same run): the
// same batch in the clear emulation, one process, same backend.
#include <fmt/core.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "bench/core/model_suite.h"
#include "bench/core/suites.h"
#include "host/backend/backend.h"
#include "host/cli/protocol_dispatch.h"
#include "host/core/error.h"
#include "host/net/network.h"
#include "host/nn/model.h"
#include "host/nn/model_instances.h"  // Model, Predictor: compiled once
#include "host/nn/optimizer.h"
#include "host/nn/protocol_extras.h"
#include "host/nn/softmax_ce.h"
#include "host/nn/update.h"
#include "host/nn/winograd.h"

namespace sqt::bench {
namespace {

struct BatchCost {
  double seconds = 0;  // per batch
  std::uint64_t bytes = 0, rounds = 0;
  std::vector<nn::LayerCost> layers;  // summed over the batches
  // Summed over the batches: the softmax-CE gradient (forward fields) and
  // the optimizer's own work, backward_and_update minus the layers'
  // backward (backward fields).
  nn::LayerCost softmax, optimizer;
};

// Adds the time, bytes and rounds of fn() to the given counters.
template <class P, class F>
void measure(const P& p, double& seconds, std::uint64_t& bytes, std::uint64_t& rounds, F&& fn) {
  const auto t0 = std::chrono::steady_clock::now();
  const mpc::CommStats before = p.stats();
  fn();
  seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  bytes += p.stats().bytes_sent - before.bytes_sent;
  rounds += p.stats().rounds - before.rounds;
}

// Runs `repeats` x `batches` SGD steps of `model` on random data owned by
// party 0; seconds per batch is the median over the repeats (one party's
// scheduling hiccup moves a single short run by tens of percent).
template <class P>
BatchCost time_batches(P& p, const std::string& model, std::size_t batch, int batches, int repeats,
                       nn::ConvAlgorithm conv = nn::ConvAlgorithm::kAuto) {
  const nn::Architecture arch = nn::make_architecture(model);
  nn::Model<P> m(p, arch, conv);
  m.set_public(nn::glorot_init(arch, 1));
  nn::Optimizer<P> opt({}, m.param_count());
  const std::size_t in_n = batch * arch.input.size(), out_n = batch * arch.classes;
  using R = typename P::Ring;
  std::vector<R> x, y;
  if (p.party() == 0) {
    std::mt19937_64 g(5);
    x.resize(in_n);
    y.assign(out_n, 0);
    for (R& v : x) v = R{g()} % (R{1} << p.fixed().f);
    for (std::size_t r = 0; r < batch; ++r) y[r * arch.classes + g() % arch.classes] = R{1} << p.fixed().f;
  }
  const auto xs = p.input(0, x, in_n), ys = p.input(0, y, out_n);
  nn::LayerCost softmax, update;  // update: all of backward_and_update
  auto step = [&] {
    const auto logits = m.forward(xs, batch, true);
    typename P::Share dlogits;
    measure(p, softmax.forward_s, softmax.forward_bytes, softmax.forward_rounds,
            [&] { dlogits = nn::softmax_ce_grad(p, logits, ys, batch, arch.classes); });
    measure(p, update.backward_s, update.backward_bytes, update.backward_rounds,
            [&] { nn::backward_and_update(p, m, opt, dlogits, batch); });
  };
  // One untimed batch first: a training run is thousands of batches, and the
  // first one pays for faulting in the heap (expensive on virtual machines).
  step();
  m.reset_layer_costs();
  softmax = update = {};
  const mpc::CommStats before = p.stats();
  std::vector<double> per_batch;
  for (int r = 0; r < repeats; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    for (int b = 0; b < batches; ++b) step();
    per_batch.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() /
                        batches);
  }
  std::nth_element(per_batch.begin(), per_batch.begin() + repeats / 2, per_batch.end());
  const auto total = static_cast<std::uint64_t>(batches) * static_cast<std::uint64_t>(repeats);
  for (const auto& l : m.layer_costs()) {
    update.backward_s -= l.backward_s;
    update.backward_bytes -= l.backward_bytes;
    update.backward_rounds -= l.backward_rounds;
  }
  return {per_batch[repeats / 2],
          (p.stats().bytes_sent - before.bytes_sent) / total,
          (p.stats().rounds - before.rounds) / total,
          m.layer_costs(),
          softmax,
          update};
}

// One process per party: the networks of the run under protocol object `p`
// of model `name` (results named "net_A/<name>_seconds_per_batch").
template <class P>
void run_networks(SuiteContext& context, P& p, const std::string& name, backend::Backend& be) {
  const bool quick = context.options.quick;
  std::vector<std::string> models =
      quick ? std::vector<std::string>{"A"} : std::vector<std::string>{"A", "C"};
  std::erase_if(models, [&](const std::string& m) { return !selected_by(context.options.only, "net_" + m); });
  const int repeats = std::max(1, context.options.repeats);
  const std::size_t batch = 128;
  for (const auto& model : models) {
    // Batches per repeat: about a second of work each on a 2-core machine.
    const int batches = quick ? 2 : model == "A" ? 16 : 2;
    const nlohmann::json params = {{"model", model},
                                   {"batch", batch},
                                   {"batches", batches},
                                   {"repeats", repeats},
                                   {"parties", p.parties()}};
    const BatchCost c = time_batches(p, model, batch, batches, repeats);
    const std::string prefix = "net_" + model + "/";
    context.writer.write(
        {"train", prefix + name + "_seconds_per_batch", "seconds", c.seconds, false, params});
    context.writer.write(
        {"train", prefix + name + "_bytes_per_batch", "bytes", static_cast<double>(c.bytes), false, params});
    context.writer.write({"train", prefix + name + "_rounds_per_batch", "rounds",
                          static_cast<double>(c.rounds), false, params});
    // Where a batch goes, layer by layer (party 0's view; informational rows).
    const nn::Architecture arch = nn::make_architecture(model);
    if (context.party == 0)
      fmt::print("net {} {}, per batch:  layer  forward s  backward s  MB sent  rounds\n", model, name);
    const double timed = static_cast<double>(batches) * repeats;
    auto row = [&](const std::string& layer, double fwd_s, double bwd_s, std::uint64_t bytes,
                   std::uint64_t rounds) {
      const double fwd = fwd_s / timed, bwd = bwd_s / timed;
      const double mb = static_cast<double>(bytes) / timed / 1e6;
      if (context.party == 0)
        fmt::print("  {:>10}  {:9.4f}  {:10.4f}  {:7.2f}  {:6.1f}\n", layer, fwd, bwd, mb,
                   static_cast<double>(rounds) / timed);
      nlohmann::json lp = params;
      lp["layer"] = layer;
      context.writer.write(
          {"train", prefix + "layer/" + layer + "/seconds_per_batch", "seconds", fwd + bwd, false, lp});
      context.writer.write(
          {"train", prefix + "layer/" + layer + "/bytes_per_batch", "bytes", mb * 1e6, false, lp});
    };
    for (std::size_t i = 0; i < c.layers.size(); ++i) {
      const nn::LayerCost& l = c.layers[i];
      row(fmt::format("{}{}", nn::layer_kind_name(arch.layers[i].kind), i), l.forward_s, l.backward_s,
          l.forward_bytes + l.backward_bytes, l.forward_rounds + l.backward_rounds);
    }
    row("softmax_ce", c.softmax.forward_s, 0, c.softmax.forward_bytes, c.softmax.forward_rounds);
    row("optimizer", 0, c.optimizer.backward_s, c.optimizer.backward_bytes, c.optimizer.backward_rounds);
    const auto plans = nn::winograd_plans(arch, nn::ConvAlgorithm::kAuto);
    if (std::any_of(plans.begin(), plans.end(), [](const auto& plan) { return plan.has_value(); })) {
      // The same batches with every convolution through im2col: the
      // baseline of the Winograd layers, measured in the same run.
      const BatchCost im2col = time_batches(p, model, batch, batches, repeats, nn::ConvAlgorithm::kIm2col);
      context.writer.write(
          {"train", prefix + "conv/im2col_seconds_per_batch", "seconds", im2col.seconds, true, params});
      context.writer.write(
          {"train", prefix + "conv/auto_seconds_per_batch", "seconds", c.seconds, false, params});
      context.writer.write({"train", prefix + "conv/im2col_bytes_per_batch", "bytes",
                            static_cast<double>(im2col.bytes), true, params});
      context.writer.write({"train", prefix + "conv/auto_bytes_per_batch", "bytes",
                            static_cast<double>(c.bytes), false, params});
    }
    if (context.party == 0) {
      // The clear emulation of the same ring, through the registry too.
      with_clear_emulation(context, be, [&](auto& clear) {
        const BatchCost b = time_batches(clear, model, batch, batches, repeats);
        context.writer.write(
            {"train", prefix + "clear_seconds_per_batch", "seconds", b.seconds, true, params});
      });
    }
  }
}

void run_train_suite(SuiteContext& context) {
  run_on_mesh_protocol(context, "train", [&](auto& p, const std::string& name, backend::Backend& be) {
    run_networks(context, p, name, be);
  });
}

}  // namespace

void register_train_suites(SuiteRegistry& registry) {
  Suite suite{"train", 3, run_train_suite};
  suite.per_protocol = true;
  registry.add(std::move(suite));
}

}  // namespace sqt::bench
