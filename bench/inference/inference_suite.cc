// Suite "inference": secure inference throughput (`sqt bench inference
// --protocol rep3`): images per second and the bytes each party sends per
// image when a model owner's secret model (party 1, input as `sqt predict
// --model-file` does) classifies a data owner's images (party 0), networks
// A and C at batch 1 and 128. Each measurement is Predictor::predict over
// the whole set: the images' sharing, the forward passes, the arg-max and
// the labels revealed to the data owner, verify() included. Baseline (same
// run): the same set in the clear emulation of the ring, one process.
#include <fmt/core.h>

#include <algorithm>
#include <chrono>
#include <random>
#include <string>
#include <vector>

#include "bench/core/model_suite.h"
#include "bench/core/suites.h"
#include "host/backend/backend.h"
#include "host/cli/protocol_dispatch.h"
#include "host/core/error.h"
#include "host/data/dataset.h"
#include "host/nn/model.h"
#include "host/nn/model_file.h"
#include "host/nn/model_instances.h"  // Model, Predictor: compiled once
#include "host/nn/predictor.h"

namespace sqt::bench {
namespace {

struct Throughput {
  double images_per_s = 0;
  double bytes_per_image = 0;  // this party's
};

// `n` random images of the network's input shape (the data owner's).
data::Dataset random_images(const nn::Architecture& arch, std::size_t n) {
  data::Dataset d;
  d.name = "random";
  d.count = n;
  d.height = arch.input.h;
  d.width = arch.input.w;
  d.channels = arch.input.c;
  d.scale = 1.0f / 256.0f;
  d.pixels.resize(n * d.sample_size());
  std::mt19937 g(3);
  for (auto& v : d.pixels) v = static_cast<std::uint8_t>(g());
  d.labels.assign(n, 0);
  return d;
}

// Median over `repeats` runs of predict() on `n` images; the model's
// weights are input by `model_owner` (0 in one-process models).
template <class P>
Throughput measure(P& p, const std::string& name, std::size_t batch, std::size_t n, int repeats,
                   int model_owner) {
  const nn::Architecture arch = nn::make_architecture(name);
  nn::Model<P> model(p, arch);
  nn::Predictor<P> predictor(p, model, {.data_owner = 0, .batch = batch, .scores = false, .quiet = true});
  const nn::ModelFile file{arch, nn::glorot_init(arch, 1), nn::InputMap{1.0 / 256, 0}};
  predictor.input_model(model_owner, p.party() == model_owner ? &file : nullptr);
  const data::Dataset images = random_images(arch, n);
  const data::Dataset* mine = p.party() == 0 ? &images : nullptr;
  std::vector<double> seconds;
  const mpc::CommStats before = p.stats();
  for (int r = 0; r < repeats; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    predictor.predict(mine);
    seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  std::nth_element(seconds.begin(), seconds.begin() + repeats / 2, seconds.end());
  const double images_run = static_cast<double>(n) * repeats;
  return {static_cast<double>(n) / seconds[repeats / 2],
          static_cast<double>(p.stats().bytes_sent - before.bytes_sent) / images_run};
}

template <class P>
void run_cases(SuiteContext& context, P& p, const std::string& protocol, backend::Backend& be) {
  const bool quick = context.options.quick;
  const int repeats = std::max(1, quick ? 1 : std::min(context.options.repeats, 3));
  for (const std::string model : {"A", "C"}) {
    if (!selected_by(context.options.only, "net_" + model)) continue;
    for (const std::size_t batch : {std::size_t{1}, std::size_t{128}}) {
      // About a second of work per repeat on a 2-core machine.
      const std::size_t batches = quick ? 1 : batch == 1 ? (model == "A" ? 16 : 4) : (model == "A" ? 4 : 1);
      const std::size_t n = batch * batches;
      const nlohmann::json params = {{"model", model},     {"batch", batch},         {"images", n},
                                     {"repeats", repeats}, {"parties", p.parties()}, {"model_owner", 1},
                                     {"data_owner", 0}};
      const std::string prefix = fmt::format("net_{}/batch_{}/", model, batch);
      const Throughput t = measure(p, model, batch, n, repeats, 1);
      context.writer.write(
          {"inference", prefix + protocol + "_images_per_s", "images_per_s", t.images_per_s, false, params});
      context.writer.write(
          {"inference", prefix + protocol + "_bytes_per_image", "bytes", t.bytes_per_image, false, params});
      if (context.party != 0) continue;
      // The clear emulation of the same ring, through the registry too.
      with_clear_emulation(context, be, [&](auto& clear) {
        const Throughput b = measure(clear, model, batch, n, repeats, 0);
        context.writer.write(
            {"inference", prefix + "clear_images_per_s", "images_per_s", b.images_per_s, true, params});
      });
    }
  }
}

void run_inference_suite(SuiteContext& context) {
  run_on_mesh_protocol(context, "inference", [&](auto& p, const std::string& name, backend::Backend& be) {
    run_cases(context, p, name, be);
  });
}

}  // namespace

void register_inference_suites(SuiteRegistry& registry) {
  Suite suite{"inference", 3, run_inference_suite};
  suite.per_protocol = true;
  registry.add(std::move(suite));
}

}  // namespace sqt::bench
