// The float reference trainer (`sqt train --protocol plain`) and inference of
// exported models. Same networks, Glorot initialisation (float64 from the
// seed, cast to float) and batch order as the secure trainer.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "host/data/dataset.h"
#include "host/plain/optimizer.h"
#include "host/plain/plain_net.h"

namespace sqt::plain {

struct PlainOptions {
  std::string model = "C";  // A B C D alexnet cifar
  int epochs = 1;
  int batch = 128;
  std::string optimizer = "sgd";  // sgd adam amsgrad
  double lr = 0.01;
  std::string lr_schedule = "constant";  // constant linear
  double momentum = 0.9;                 // SGD
  bool standardize = false;              // inputs to zero mean, unit variance (data::standardize)
  std::uint64_t seed = 0;
  std::string data_dir;       // --data; empty: the documented search order
  long long max_batches = 0;  // per epoch; 0: every full batch
  std::string metrics_path;   // JSON lines, one per epoch; empty: none
  std::string export_path;    // model file (host/nn/model_file.h); empty: none
  std::string init_from;      // ONNX model whose weights start the run (its input map must be the run's)
  int eval_batch = 1000;
  bool print = true;  // one line per epoch on stdout
};

// One epoch's results; the fields of the secure trainer's metrics lines.
struct EpochMetrics {
  int epoch = 0;  // 1-based; the batch order uses epoch - 1
  std::size_t batches = 0;
  double test_accuracy = 0;  // 0..1 on the full test set
  double train_loss = 0;     // mean cross-entropy over this epoch's batches
  double elapsed_s = 0;      // since training started
};

// The dataset a network trains on: "mnist" (28x28x1) or "cifar10" (32x32x3).
std::string dataset_for(const nn::Architecture& arch);

// One training step at a time, for the trainer and the tests.
class PlainTrainer {
 public:
  PlainTrainer(const nn::Architecture& arch, const nn::ModelParams& init, const OptimizerConfig& opt,
               int batch);

  // x [batch][input] NHWC, labels [batch]; returns the mean loss of the batch
  // before the update.
  double train_step(const float* x, std::span<const std::uint8_t> labels);
  // Samples `indices` of d (any count) through forward only.
  std::size_t count_correct(const data::Dataset& d, int eval_batch);

  ParamStore& params() { return params_; }
  const nn::Architecture& architecture() const { return arch_; }

 private:
  nn::Architecture arch_;
  DnnlContext ctx_;
  ParamStore params_;
  int batch_;
  PlainNet net_;
  Optimizer opt_;
  std::vector<float> grad_;
};

// Trains as configured, prints one line per epoch, appends metrics lines,
// exports the model when asked. Returns the per-epoch metrics.
std::vector<EpochMetrics> train(const PlainOptions& options);

// Test accuracy (0..1) of a model file written by `sqt train --export`.
double evaluate_model_file(const std::string& model_path, const std::string& data_dir = "",
                           int eval_batch = 1000);

}  // namespace sqt::plain
