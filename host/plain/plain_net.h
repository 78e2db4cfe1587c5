// A network of host/plain layers for one batch size, over a parameter store
// that several nets (training batch, evaluation batch) share.
#pragma once

#include <memory>
#include <vector>

#include "host/nn/architecture.h"
#include "host/plain/layers.h"

namespace sqt::plain {

using ParamStore = std::vector<ParamSlot>;  // one slot per layer

// Float32 copies of float64 parameters (e.g. nn::glorot_init), zero gradients.
ParamStore to_float_params(const nn::Architecture& arch, const nn::ModelParams& params);
nn::ModelParams to_model_params(const ParamStore& store);

class PlainNet {
 public:
  PlainNet(DnnlContext& ctx, const nn::Architecture& arch, ParamStore& params, int batch);

  // x is [batch][input size] NHWC; returns the logits [batch][classes].
  const float* forward(const float* x);
  // Adds this batch's parameter gradients (summed over samples) to the store.
  void backward(const float* diff_logits);

  int batch() const { return batch_; }
  const nn::Architecture& architecture() const { return arch_; }

 private:
  nn::Architecture arch_;
  int batch_;
  std::vector<std::unique_ptr<Layer>> layers_;
};

}  // namespace sqt::plain
