#include "bench/backend/backend_suite.h"

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "bench/core/timed_cases.h"
#include "host/backend/backend.h"

namespace sqt::bench {
namespace {

using backend::Backend;
using backend::Trans;

std::vector<Ring> random_ring(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<Ring> v(n);
  for (auto& x : v) x = rng();
  return v;
}

struct GemmShape {
  const char* name;
  Trans ta, tb;
  std::size_t m, n, k;
};

std::vector<GemmShape> gemm_shapes(bool quick) {
  const Trans N = Trans::kNo, T = Trans::kYes;
  if (quick) return {{"square128", N, N, 128, 128, 128}, {"c_dense2_fwd", N, N, 128, 10, 500}};
  return {{"square256", N, N, 256, 256, 256},          {"square512", N, N, 512, 512, 512},
          {"c_dense1_fwd", N, N, 128, 500, 800},       {"c_dense1_bwd_weight", T, N, 800, 500, 128},
          {"c_conv2_fwd", N, N, 128 * 8 * 8, 50, 500}, {"c_conv2_bwd_cols", N, T, 128 * 8 * 8, 500, 50}};
}

// The same shapes in Z_2^128 (--ring 128): host kernels in every backend, so
// the cpu backend's rows are the figures; next to gemm/<shape>/cpu they give
// the wide ring's cost per multiply-add.
void add_wide_cases(const std::shared_ptr<Backend>& be, bool quick, std::vector<TimedCase>& cases) {
  for (const GemmShape& s : gemm_shapes(quick)) {
    auto wide = [](std::size_t n, std::uint64_t seed) {
      const auto lo = random_ring(n, seed), hi = random_ring(n, seed + 10);
      std::vector<Ring128> v(n);
      for (std::size_t i = 0; i < n; ++i) v[i] = (Ring128{hi[i]} << 64) | lo[i];
      return v;
    };
    auto a = std::make_shared<std::vector<Ring128>>(wide(s.m * s.k, 1));
    auto b = std::make_shared<std::vector<Ring128>>(wide(s.k * s.n, 2));
    auto c = std::make_shared<std::vector<Ring128>>(s.m * s.n);
    cases.push_back({"gemm_z128/" + std::string(s.name) + "/" + std::string(be->name()),
                     "mac_per_s",
                     double(s.m) * s.n * s.k,
                     [=] { be->gemm(s.ta, s.tb, s.m, s.n, s.k, a->data(), b->data(), c->data(), false); },
                     {{"m", s.m}, {"n", s.n}, {"k", s.k}, {"backend", be->name()}, {"ring", 128}},
                     false});
  }
}

// Cases for one backend; `baseline` marks the cpu rows.
void add_cases(const std::shared_ptr<Backend>& be, bool baseline, bool quick, std::vector<TimedCase>& cases) {
  std::string tag = "/";  // appended, not "/" + name: g++ 12 warns falsely (-Wrestrict)
  tag += be->name();
  for (const GemmShape& s : gemm_shapes(quick)) {
    auto a = std::make_shared<std::vector<Ring>>(random_ring(s.m * s.k, 1));
    auto b = std::make_shared<std::vector<Ring>>(random_ring(s.k * s.n, 2));
    auto c = std::make_shared<std::vector<Ring>>(s.m * s.n);
    cases.push_back({"gemm/" + std::string(s.name) + tag,
                     "mac_per_s",
                     double(s.m) * s.n * s.k,
                     [=] { be->gemm(s.ta, s.tb, s.m, s.n, s.k, a->data(), b->data(), c->data(), false); },
                     {{"m", s.m}, {"n", s.n}, {"k", s.k}, {"backend", be->name()}},
                     baseline});
  }
  const std::size_t n = quick ? 1 << 16 : 1 << 20;
  auto in = std::make_shared<std::vector<Ring>>(random_ring(5 * n, 3));
  auto out = std::make_shared<std::vector<Ring>>(n);
  cases.push_back({"cross_mul_add" + tag,
                   "elements_per_s",
                   double(n),
                   [=] {
                     const std::span<const Ring> v(*in);
                     be->cross_mul_add(v.subspan(0, n), v.subspan(n, n), v.subspan(2 * n, n),
                                       v.subspan(3 * n, n), v.subspan(4 * n, n), *out);
                   },
                   {{"n", n}, {"backend", be->name()}},
                   baseline});
  cases.push_back({"prg_fill" + tag,
                   "bytes_per_s",
                   double(n) * sizeof(Ring),
                   [=] {
                     be->prg_fill(backend::PrgSeed{1, 2, 3}, 0, *out);
                   },
                   {{"words", n}, {"backend", be->name()}},
                   baseline});
  const std::size_t triples = quick ? 1 << 14 : 1 << 18;
  auto seeds = std::make_shared<std::vector<backend::PrgSeed>>(3);
  for (int j = 0; j < 3; ++j) (*seeds)[j][0] = static_cast<std::uint8_t>(j + 1);
  // A party expands its own seed; the dealer (outside the computation)
  // expands all three streams for the correction.
  cases.push_back({"own_triples" + tag,
                   "triples_per_s",
                   double(triples),
                   [=] { be->own_triples((*seeds)[0], 0, triples); },
                   {{"n", triples}, {"backend", be->name()}},
                   baseline});
  cases.push_back({"dealer_correction/3pc" + tag,
                   "triples_per_s",
                   double(triples),
                   [=] { be->dealer_correction(*seeds, 0, triples); },
                   {{"n", triples}, {"parties", 3}, {"backend", be->name()}},
                   baseline});
}

void run_backend_suite(SuiteContext& context) {
  const bool quick = context.options.quick;
  const std::string under_test = context.options.backend == "cpu" ? "fpga-sim" : context.options.backend;
  std::shared_ptr<Backend> cpu = backend::make_backend("cpu", 1);
  std::shared_ptr<Backend> other = backend::make_backend(under_test, 1);
  std::vector<TimedCase> cases;
  add_cases(cpu, true, quick, cases);
  add_wide_cases(cpu, quick, cases);
  add_cases(other, false, quick, cases);
  run_timed_cases(context, "backend", cases);
}

}  // namespace

void register_backend_suites(SuiteRegistry& registry) { registry.add({"backend", 0, run_backend_suite}); }

}  // namespace sqt::bench
