// Whole networks of the float reference against the composed float64
// reference layers, from the shared Glorot initialisation.
#include "host/plain/plain_net.h"

#include <gtest/gtest.h>

#include "host/data/batches.h"
#include "tests/common/float_reference.h"
#include "tests/plain/random_fill.h"

namespace sqt::plain {
namespace {

namespace ref = sqt::testing::ref;

struct RefRun {
  std::vector<ref::Vec> inputs;  // input of every layer
  std::vector<std::vector<std::size_t>> argmax;
  ref::Vec logits;
};

RefRun reference_forward(const nn::Architecture& arch, const nn::ModelParams& p, const ref::Vec& x, int n) {
  RefRun run;
  ref::Vec a = x;
  run.argmax.resize(arch.layers.size());
  for (std::size_t i = 0; i < arch.layers.size(); ++i) {
    run.inputs.push_back(a);
    const auto& l = arch.layers[i];
    const nn::Shape in = nn::layer_input_shape(arch, i);
    const ref::Dims xd{n, in.h, in.w, in.c};
    ref::Dims yd;
    switch (l.kind) {
      case nn::LayerKind::kDense:
        a = ref::dense_forward(a, p[i].weight, p[i].bias, n, static_cast<int>(in.size()), l.out);
        break;
      case nn::LayerKind::kConv:
        a = ref::conv_forward(a, xd, p[i].weight, p[i].bias, l.kernel, l.out, l.stride, l.padding, yd);
        break;
      case nn::LayerKind::kMaxPool:
        a = ref::maxpool_forward(a, xd, l.window, l.stride, yd, run.argmax[i]);
        break;
      case nn::LayerKind::kRelu:
        a = ref::relu_forward(a);
        break;
      case nn::LayerKind::kFlatten:
        break;
    }
  }
  run.logits = a;
  return run;
}

void check_network(const std::string& name, int n) {
  const nn::Architecture arch = nn::make_architecture(name);
  const nn::ModelParams init = nn::glorot_init(arch, 5);
  // Cast the float64 initialisation to float and back, as the trainer does.
  nn::ModelParams p = init;
  for (auto& l : p) {
    for (auto& v : l.weight) v = static_cast<float>(v);
    for (auto& v : l.bias) v = static_cast<float>(v);
  }
  const ref::Vec x = testing::random_vec(static_cast<std::size_t>(n) * arch.input.size(), 7, 0.0, 1.0);
  const RefRun want = reference_forward(arch, p, x, n);

  DnnlContext ctx;
  ParamStore store = to_float_params(arch, init);
  PlainNet net(ctx, arch, store, n);
  const auto xf = testing::to_float(x);
  const float* logits = net.forward(xf.data());
  double scale = 1e-3;
  for (double v : want.logits) scale = std::max(scale, std::abs(v));
  for (std::size_t i = 0; i < want.logits.size(); ++i)
    ASSERT_NEAR(logits[i], want.logits[i], 1e-4 * scale) << name << " logit " << i;

  // Backward from a random logit gradient: the first layer's weight gradient
  // needs every layer's backward to be right.
  const ref::Vec dlogits = testing::random_vec(want.logits.size(), 8);
  ref::Vec d = dlogits;
  std::vector<ref::Vec> dw(arch.layers.size()), db(arch.layers.size());
  for (std::size_t i = arch.layers.size(); i-- > 0;) {
    const auto& l = arch.layers[i];
    const nn::Shape in = nn::layer_input_shape(arch, i), out = nn::layer_output_shapes(arch)[i];
    const ref::Dims xd{n, in.h, in.w, in.c}, yd{n, out.h, out.w, out.c};
    dw[i].assign(p[i].weight.size(), 0.0);
    db[i].assign(p[i].bias.size(), 0.0);
    switch (l.kind) {
      case nn::LayerKind::kDense:
        d = ref::dense_backward(want.inputs[i], p[i].weight, d, n, static_cast<int>(in.size()), l.out, dw[i],
                                db[i]);
        break;
      case nn::LayerKind::kConv:
        d = ref::conv_backward(want.inputs[i], xd, p[i].weight, d, yd, l.kernel, l.stride, l.padding, dw[i],
                               db[i]);
        break;
      case nn::LayerKind::kMaxPool:
        d = ref::maxpool_backward(d, want.argmax[i], xd.size());
        break;
      case nn::LayerKind::kRelu:
        d = ref::relu_backward(want.inputs[i], d);
        break;
      case nn::LayerKind::kFlatten:
        break;
    }
  }
  net.backward(testing::to_float(dlogits).data());
  for (std::size_t i = 0; i < arch.layers.size(); ++i) {
    double s = 1e-3;
    for (double v : dw[i]) s = std::max(s, std::abs(v));
    for (std::size_t k = 0; k < dw[i].size(); ++k)
      ASSERT_NEAR(store[i].grad_weight[k], dw[i][k], 2e-4 * s) << name << " layer " << i << " dw " << k;
    for (std::size_t k = 0; k < db[i].size(); ++k)
      ASSERT_NEAR(store[i].grad_bias[k], db[i][k], 2e-4 * s) << name << " layer " << i << " db " << k;
  }
}

TEST(PlainNet, NetworkAMatchesReference) { check_network("A", 3); }
TEST(PlainNet, NetworkBMatchesReference) { check_network("B", 3); }
TEST(PlainNet, NetworkCMatchesReference) { check_network("C", 2); }
TEST(PlainNet, NetworkDMatchesReference) { check_network("D", 3); }
TEST(PlainNet, AlexNetMatchesReference) { check_network("alexnet", 2); }

TEST(PlainNet, ParamsRoundTripThroughFloat) {
  const nn::Architecture arch = nn::make_architecture("B");
  const nn::ModelParams init = nn::glorot_init(arch, 1);
  const nn::ModelParams back = to_model_params(to_float_params(arch, init));
  ASSERT_EQ(back.size(), init.size());
  for (std::size_t i = 0; i < init.size(); ++i)
    for (std::size_t k = 0; k < init[i].weight.size(); ++k)
      ASSERT_EQ(back[i].weight[k], static_cast<double>(static_cast<float>(init[i].weight[k])));
}

TEST(PlainNet, BatchOrderIsTheSecureTrainersOrder) {
  // host/data/batches.h and host/nn/architecture.h must give the same order.
  for (std::uint64_t seed : {0ull, 1ull, 12345ull})
    for (int epoch : {0, 1, 24})
      EXPECT_EQ(data::epoch_order(seed, epoch, 60000), nn::epoch_order(60000, seed, epoch));
}

}  // namespace
}  // namespace sqt::plain
