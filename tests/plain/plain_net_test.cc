// Whole networks of the float reference against the float64 reference
// network (tests/common/reference_net.h), from the shared Glorot
// initialisation.
#include "host/plain/plain_net.h"

#include <gtest/gtest.h>

#include "host/data/batches.h"
#include "tests/common/reference_net.h"
#include "tests/plain/random_fill.h"

namespace sqt::plain {
namespace {

namespace ref = sqt::testing::ref;

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
  ref::ReferenceNet want(arch, p);
  const ref::Vec want_logits = want.forward(x, n);

  DnnlContext ctx;
  ParamStore store = to_float_params(arch, init);
  PlainNet net(ctx, arch, store, n);
  const auto xf = testing::to_float(x);
  const float* logits = net.forward(xf.data());
  double scale = 1e-3;
  for (double v : want_logits) scale = std::max(scale, std::abs(v));
  for (std::size_t i = 0; i < want_logits.size(); ++i)
    ASSERT_NEAR(logits[i], want_logits[i], 1e-4 * scale) << name << " logit " << i;

  // Backward from a random logit gradient: the first layer's weight gradient
  // needs every layer's backward to be right.
  const ref::Vec dlogits = testing::random_vec(want_logits.size(), 8);
  want.backward(dlogits, n);
  net.backward(testing::to_float(dlogits).data());
  for (std::size_t i = 0; i < arch.layers.size(); ++i) {
    const ref::Vec& dw = want.grads[i].weight;
    const ref::Vec& db = want.grads[i].bias;
    ASSERT_EQ(dw.size(), p[i].weight.size()) << name << " layer " << i;
    ASSERT_EQ(db.size(), p[i].bias.size()) << name << " layer " << i;
    double s = 1e-3;
    for (double v : dw) s = std::max(s, std::abs(v));
    for (std::size_t k = 0; k < dw.size(); ++k)
      ASSERT_NEAR(store[i].grad_weight[k], dw[k], 2e-4 * s) << name << " layer " << i << " dw " << k;
    for (std::size_t k = 0; k < db.size(); ++k)
      ASSERT_NEAR(store[i].grad_bias[k], db[k], 2e-4 * s) << name << " layer " << i << " db " << k;
  }
}

TEST(PlainNet, NetworkAMatchesReference) { check_network("A", 3); }
TEST(PlainNet, NetworkBMatchesReference) { check_network("B", 3); }
TEST(PlainNet, NetworkCMatchesReference) { check_network("C", 2); }
TEST(PlainNet, NetworkDMatchesReference) { check_network("D", 3); }
TEST(PlainNet, AlexNetMatchesReference) { check_network("alexnet", 2); }
TEST(PlainNet, CifarNetMatchesReference) { check_network("cifar", 2); }

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
