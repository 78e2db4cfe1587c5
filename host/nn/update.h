// The backward pass and the parameter update of one training step. SGD folds
// its momentum into the backward pass's truncations (Model::backward with a
// MomentumFold): one truncation of every parameter per step fewer than
// backward followed by Optimizer::step. Adam and AMSGrad take the gradient.
#pragma once

#include <cstddef>
#include <utility>

#include "host/nn/model.h"
#include "host/nn/optimizer.h"

namespace sqt::nn {

template <class P>
void backward_and_update(P& p, Model<P>& model, Optimizer<P>& optim, const typename P::Share& dlogits,
                         std::size_t batch) {
  if (const auto fold = optim.momentum_fold(p)) {
    model.backward(dlogits, batch, false, &*fold);
    optim.step_folded(p, model.params(), model.take_grads(), batch, model.param_runs());
    return;
  }
  model.backward(dlogits, batch);
  optim.step(p, model.params(), model.grads(), batch, model.param_runs());
}

}  // namespace sqt::nn
