#include "bench/simd/conv_transform_cases.h"

#include <benchmark/benchmark.h>

#include <memory>
#include <random>
#include <string>

#include "host/nn/conv_geometry.h"
#include "host/nn/winograd.h"

namespace sqt::bench::simd_suite {

void add_conv_transform_cases(bool quick, std::vector<TimedCase>& cases) {
  const std::size_t batch = quick ? 16 : 128;
  const nn::ConvGeometry g = nn::ConvGeometry::make(
      nn::Shape{12, 12, 20}, nn::LayerSpec{.kind = nn::LayerKind::kConv, .out = 50, .kernel = 5});
  const auto wino = std::make_shared<nn::WinogradConv>(*nn::WinogradConv::plan(g));
  const std::size_t rows = batch * g.positions(), tiles = wino->tiles(batch), points = wino->points();
  auto buffer = [](std::size_t n) {
    auto v = std::make_shared<std::vector<Ring>>(n);
    std::mt19937_64 rng(n);
    for (auto& x : *v) x = rng();
    return v;
  };
  auto x = buffer(batch * g.in_size()), cols = buffer(rows * g.patch()), dx = buffer(batch * g.in_size());
  auto v = buffer(points * tiles * g.in_c), z = buffer(points * tiles * g.out_c), y = buffer(rows * g.out_c);
  const TimedCaseFamily family{
      cases,
      "images_per_s",
      static_cast<double>(batch),
      {{"batch", batch}, {"layer", "C conv2 12x12x20 -> 8x8x50, 5x5"}, {"threads", 1}}};
  auto add = [&](const std::string& name, bool baseline, std::function<void()> body) {
    family.add("conv/" + name, baseline, std::move(body));
  };
  add("im2col", true, [=] {
    nn::im2col(g, batch, x->data(), cols->data());
    benchmark::DoNotOptimize(cols->data());
  });
  add("col2im", false, [=] {
    std::fill(dx->begin(), dx->end(), Ring{0});
    nn::col2im(g, batch, cols->data(), dx->data());
    benchmark::DoNotOptimize(dx->data());
  });
  add("winograd_input", false, [=] {
    wino->input(batch, x->data(), v->data());
    benchmark::DoNotOptimize(v->data());
  });
  add("winograd_output", false, [=] {
    wino->output(batch, z->data(), y->data());
    benchmark::DoNotOptimize(y->data());
  });
  add("winograd_output_adjoint", false, [=] {
    wino->output_adjoint(batch, y->data(), z->data());
    benchmark::DoNotOptimize(z->data());
  });
  add("winograd_input_adjoint", false, [=] {
    std::fill(dx->begin(), dx->end(), Ring{0});
    wino->input_adjoint(batch, v->data(), dx->data());
    benchmark::DoNotOptimize(dx->data());
  });
}

}  // namespace sqt::bench::simd_suite
