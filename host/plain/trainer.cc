#include "host/plain/trainer.h"

#include <fmt/core.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>

#include "host/core/error.h"
#include "host/data/batches.h"
#include "host/data/data_dir.h"
#include "host/nn/input_map_check.h"
#include "host/nn/onnx_import.h"
#include "host/nn/model_file.h"
#include "host/plain/softmax_ce.h"

namespace sqt::plain {
namespace {

void check_input(const nn::Architecture& arch, const data::Dataset& d) {
  if (d.height != arch.input.h || d.width != arch.input.w || d.channels != arch.input.c)
    throw ShapeError("dataset " + d.name + " has samples " + std::to_string(d.height) + "x" +
                     std::to_string(d.width) + "x" + std::to_string(d.channels) + ", network " + arch.name +
                     " expects " + std::to_string(arch.input.h) + "x" + std::to_string(arch.input.w) + "x" +
                     std::to_string(arch.input.c));
}

// Forward-only accuracy count over the whole dataset, in slices of eval_batch
// (and one net for the remainder, when there is one).
std::size_t count_correct_all(DnnlContext& ctx, const nn::Architecture& arch, ParamStore& params,
                              const data::Dataset& d, int eval_batch) {
  check_input(arch, d);
  std::size_t correct = 0;
  const std::size_t full = d.count / eval_batch, rest = d.count % eval_batch;
  std::vector<float> x(static_cast<std::size_t>(eval_batch) * d.sample_size());
  std::vector<std::uint32_t> idx;
  auto run = [&](PlainNet& net, std::size_t first, std::size_t n) {
    idx.resize(n);
    for (std::size_t k = 0; k < n; ++k) idx[k] = static_cast<std::uint32_t>(first + k);
    d.gather_float(idx, x.data());
    const float* logits = net.forward(x.data());
    correct += sqt::plain::count_correct(logits, std::span(d.labels).subspan(first, n), arch.classes);
  };
  if (full > 0) {
    PlainNet net(ctx, arch, params, eval_batch);
    for (std::size_t b = 0; b < full; ++b) run(net, b * eval_batch, eval_batch);
  }
  if (rest > 0) {
    PlainNet net(ctx, arch, params, static_cast<int>(rest));
    run(net, full * eval_batch, rest);
  }
  return correct;
}

}  // namespace

std::string dataset_for(const nn::Architecture& arch) { return arch.input.c == 3 ? "cifar10" : "mnist"; }

PlainTrainer::PlainTrainer(const nn::Architecture& arch, const nn::ModelParams& init,
                           const OptimizerConfig& opt, int batch)
    : arch_(arch),
      params_(to_float_params(arch, init)),
      batch_(batch),
      net_(ctx_, arch_, params_, batch),
      opt_(opt, params_),
      grad_(static_cast<std::size_t>(batch) * arch.classes) {}

double PlainTrainer::train_step(const float* x, std::span<const std::uint8_t> labels) {
  if (labels.size() != static_cast<std::size_t>(batch_))
    throw ShapeError("training step got " + std::to_string(labels.size()) + " labels for a batch of " +
                     std::to_string(batch_));
  const float* logits = net_.forward(x);
  const double loss = softmax_cross_entropy(logits, labels, arch_.classes, grad_.data());
  net_.backward(grad_.data());
  opt_.step(batch_);
  return loss / batch_;
}

std::size_t PlainTrainer::count_correct(const data::Dataset& d, int eval_batch) {
  return count_correct_all(ctx_, arch_, params_, d, eval_batch);
}

std::vector<EpochMetrics> train(const PlainOptions& o) {
  if (o.batch <= 0) throw ConfigError("--batch must be positive, got " + std::to_string(o.batch));
  if (o.epochs <= 0) throw ConfigError("--epochs must be positive, got " + std::to_string(o.epochs));
  const nn::Architecture arch = nn::make_architecture(o.model);
  const std::string dataset = dataset_for(arch);
  data::Dataset train_set = data::load_dataset(dataset, data::Split::kTrain, o.data_dir);
  data::Dataset test_set = data::load_dataset(dataset, data::Split::kTest, o.data_dir);
  check_input(arch, train_set);
  if (o.standardize) data::standardize(train_set, test_set);

  OptimizerConfig opt;
  opt.kind = parse_optimizer(o.optimizer);
  opt.lr = o.lr;
  opt.schedule = nn::parse_lr_schedule(o.lr_schedule);
  opt.momentum = o.momentum;
  std::size_t steps_per_epoch = data::batches_per_epoch(train_set.count, o.batch);
  if (o.max_batches > 0) steps_per_epoch = std::min<std::size_t>(steps_per_epoch, o.max_batches);
  opt.total_steps = static_cast<long>(steps_per_epoch) * o.epochs;
  nn::ModelParams init;
  if (o.init_from.empty()) {
    init = nn::glorot_init(arch, o.seed);
  } else {
    const nn::OnnxModel m = nn::read_onnx_model(o.init_from);
    init = nn::onnx_params_for(m, arch);
    nn::check_input_maps(m.input_map, {train_set.scale, train_set.offset}, o.standardize);
  }
  PlainTrainer trainer(arch, std::move(init), opt, o.batch);

  std::ofstream metrics;
  if (!o.metrics_path.empty()) {
    metrics.open(o.metrics_path, std::ios::app);
    if (!metrics) throw FileError("metrics file " + o.metrics_path + " cannot be opened for writing");
  }
  if (o.print)
    fmt::print(
        "plain: network {} ({} parameters) on {} ({} train, {} test), batch {}, {} lr {} ({}), seed {}\n",
        arch.name, nn::parameter_count(arch), dataset, train_set.count, test_set.count, o.batch, o.optimizer,
        o.lr, o.lr_schedule, o.seed);

  const auto start = std::chrono::steady_clock::now();
  std::vector<EpochMetrics> results;
  std::vector<float> x(static_cast<std::size_t>(o.batch) * train_set.sample_size());
  std::vector<std::uint8_t> labels(o.batch);
  for (int e = 1; e <= o.epochs; ++e) {
    const auto order = data::epoch_order(o.seed, static_cast<std::uint64_t>(e - 1), train_set.count);
    std::size_t batches = data::batches_per_epoch(train_set.count, o.batch);
    if (o.max_batches > 0) batches = std::min<std::size_t>(batches, static_cast<std::size_t>(o.max_batches));
    double loss_sum = 0;
    for (std::size_t b = 0; b < batches; ++b) {
      const auto idx = data::batch_indices(order, b, o.batch);
      train_set.gather_float(idx, x.data());
      for (std::size_t k = 0; k < idx.size(); ++k) labels[k] = train_set.labels[idx[k]];
      loss_sum += trainer.train_step(x.data(), labels);
    }
    EpochMetrics m;
    m.epoch = e;
    m.batches = batches;
    m.train_loss = batches ? loss_sum / static_cast<double>(batches) : 0.0;
    m.test_accuracy = static_cast<double>(trainer.count_correct(test_set, o.eval_batch)) / test_set.count;
    m.elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    results.push_back(m);
    if (o.print)
      fmt::print("epoch {:3d}  batches {:5d}  train_loss {:.4f}  test_accuracy {:.4f}  elapsed {:.1f} s\n", e,
                 batches, m.train_loss, m.test_accuracy, m.elapsed_s);
    std::fflush(stdout);
    if (metrics.is_open()) {
      const nlohmann::json line = {{"epoch", m.epoch},
                                   {"batches", m.batches},
                                   {"test_accuracy", m.test_accuracy},
                                   {"train_loss", m.train_loss},
                                   {"elapsed_s", m.elapsed_s},
                                   {"bytes_sent", 0},
                                   {"rounds", 0},
                                   {"protocol", "plain"},
                                   {"model", arch.name},
                                   {"optimizer", o.optimizer},
                                   {"seed", o.seed}};
      metrics << line.dump() << '\n' << std::flush;
    }
  }
  if (!o.export_path.empty()) {
    nn::write_model_file(o.export_path, arch, to_model_params(trainer.params()),
                         {train_set.scale, train_set.offset});
  }
  return results;
}

double evaluate_model_file(const std::string& model_path, const std::string& data_dir, int eval_batch) {
  const nn::ModelFile model = nn::read_model_file(model_path);
  data::Dataset test_set = data::load_dataset(dataset_for(model.arch), data::Split::kTest, data_dir);
  if (model.input) {  // the input map the model was trained with (e.g. --standardize)
    test_set.scale = static_cast<float>(model.input->scale);
    test_set.offset = static_cast<float>(model.input->offset);
  }
  DnnlContext ctx;
  ParamStore params = to_float_params(model.arch, model.params);
  return static_cast<double>(count_correct_all(ctx, model.arch, params, test_set, eval_batch)) /
         test_set.count;
}

}  // namespace sqt::plain
