#include "host/plain/plain_net.h"

#include "host/core/error.h"

namespace sqt::plain {

ParamStore to_float_params(const nn::Architecture& arch, const nn::ModelParams& params) {
  if (params.size() != arch.layers.size())
    throw ShapeError("parameters for " + std::to_string(params.size()) + " layers, network " + arch.name +
                     " has " + std::to_string(arch.layers.size()));
  ParamStore store(params.size());
  for (std::size_t i = 0; i < params.size(); ++i) {
    if (params[i].weight.size() != nn::weight_count(arch, i) ||
        params[i].bias.size() != nn::bias_count(arch, i))
      throw ShapeError("layer " + std::to_string(i) + " of network " + arch.name + ": parameter counts " +
                       std::to_string(params[i].weight.size()) + "+" + std::to_string(params[i].bias.size()) +
                       " do not match the architecture");
    store[i].weight.assign(params[i].weight.begin(), params[i].weight.end());
    store[i].bias.assign(params[i].bias.begin(), params[i].bias.end());
    store[i].grad_weight.assign(store[i].weight.size(), 0.0f);
    store[i].grad_bias.assign(store[i].bias.size(), 0.0f);
  }
  return store;
}

nn::ModelParams to_model_params(const ParamStore& store) {
  nn::ModelParams params(store.size());
  for (std::size_t i = 0; i < store.size(); ++i) {
    params[i].weight.assign(store[i].weight.begin(), store[i].weight.end());
    params[i].bias.assign(store[i].bias.begin(), store[i].bias.end());
  }
  return params;
}

PlainNet::PlainNet(DnnlContext& ctx, const nn::Architecture& arch, ParamStore& params, int batch)
    : arch_(arch), batch_(batch) {
  if (params.size() != arch.layers.size())
    throw ShapeError("parameter store does not match network " + arch.name);
  const auto shapes = nn::layer_output_shapes(arch);
  bool params_before = false;  // no input gradient is needed before the first parameter
  for (std::size_t i = 0; i < arch.layers.size(); ++i) {
    const nn::Shape in = nn::layer_input_shape(arch, i);
    layers_.push_back(make_layer(ctx, arch.layers[i], in, shapes[i], batch, params[i], params_before));
    params_before = params_before || !params[i].weight.empty();
  }
}

const float* PlainNet::forward(const float* x) {
  for (auto& layer : layers_) x = layer->forward(x);
  return x;
}

void PlainNet::backward(const float* diff) {
  for (std::size_t i = layers_.size(); i-- > 0 && diff != nullptr;) diff = layers_[i]->backward(diff);
}

}  // namespace sqt::plain
