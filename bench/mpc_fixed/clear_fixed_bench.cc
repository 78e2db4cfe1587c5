// Throughput of the clear emulation protocol running the fixed-point
// algorithms, each next to a float64 baseline measured in the same run (the
// ratio is what to read; the machine is shared and noisy).
//   build-fixed/bench/mpc_fixed/sqt_bench_clear_fixed --benchmark_counters_tabular=true
#include <benchmark/benchmark.h>
#include <malloc.h>

#include <cmath>
#include <cstdint>
#include <memory>
#include <random>
#include <vector>

#include "host/backend/backend.h"
#include "host/mpc/clear/clear.h"
#include "host/mpc/fixed/fixed.h"

namespace {

using sqt::Ring;
using sqt::mpc::Clear;
namespace fx = sqt::mpc::fx;

constexpr int kF = 16;

std::vector<double> uniform(std::size_t n, double lo, double hi) {
  std::mt19937_64 rng(n);
  std::uniform_real_distribution<double> d(lo, hi);
  std::vector<double> v(n);
  for (auto& x : v) x = d(rng);
  return v;
}

struct Fixture {
  std::unique_ptr<sqt::backend::Backend> backend = sqt::backend::make_backend("cpu", 1);
  Clear p{*backend, {kF, 31}, sqt::mpc::TruncMode::kProbabilistic, 1};
  std::vector<double> values;
  Clear::Share x;

  Fixture(std::size_t n, double lo, double hi) : values(uniform(n, lo, hi)) {
    std::vector<Ring> enc(n);
    for (std::size_t i = 0; i < n; ++i) enc[i] = sqt::encode_fixed(values[i], kF);
    x = p.input(0, enc, n);
  }
};

template <class Op>
void run_clear(benchmark::State& state, double lo, double hi, Op op) {
  Fixture fix(static_cast<std::size_t>(state.range(0)), lo, hi);
  for (auto _ : state) benchmark::DoNotOptimize(op(fix.p, fix.x));
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

template <class Op>
void run_float(benchmark::State& state, double lo, double hi, Op op) {
  const auto v = uniform(static_cast<std::size_t>(state.range(0)), lo, hi);
  std::vector<double> out(v.size());
  for (auto _ : state) {
    for (std::size_t i = 0; i < v.size(); ++i) out[i] = op(v[i]);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
  state.SetLabel("baseline");
}

constexpr std::int64_t kN = 1 << 16;

void clear_mul(benchmark::State& s) {
  run_clear(s, -50, 50, [](Clear& p, const Clear::Share& x) { return fx::mul(p, x, x); });
}
void clear_mul_baseline_float64(benchmark::State& s) {
  run_float(s, -50, 50, [](double v) { return v * v; });
}
void clear_exp(benchmark::State& s) {
  run_clear(s, -10, 5, [](Clear& p, const Clear::Share& x) { return fx::exp(p, x); });
}
void clear_exp_baseline_float64(benchmark::State& s) {
  run_float(s, -10, 5, [](double v) { return std::exp(v); });
}
void clear_invsqrt(benchmark::State& s) {
  run_clear(s, 0.01, 1000, [](Clear& p, const Clear::Share& x) { return fx::invsqrt(p, x); });
}
void clear_invsqrt_baseline_float64(benchmark::State& s) {
  run_float(s, 0.01, 1000, [](double v) { return 1.0 / std::sqrt(v); });
}
void clear_reciprocal(benchmark::State& s) {
  run_clear(s, 0.01, 1000, [](Clear& p, const Clear::Share& x) { return fx::reciprocal(p, x); });
}
void clear_reciprocal_baseline_float64(benchmark::State& s) {
  run_float(s, 0.01, 1000, [](double v) { return 1.0 / v; });
}
void clear_relu(benchmark::State& s) {
  run_clear(s, -5, 5, [](Clear& p, const Clear::Share& x) { return fx::relu(p, x).y; });
}
void clear_relu_baseline_float64(benchmark::State& s) {
  run_float(s, -5, 5, [](double v) { return v > 0 ? v : 0.0; });
}
void clear_softmax10(benchmark::State& s) {
  run_clear(s, -5, 5, [](Clear& p, const Clear::Share& x) { return fx::softmax(p, x, x.size() / 10, 10); });
}
void clear_softmax10_baseline_float64(benchmark::State& s) {
  const auto v = uniform(static_cast<std::size_t>(s.range(0)), -5, 5);
  std::vector<double> out(v.size());
  for (auto _ : s) {
    for (std::size_t r = 0; r + 10 <= v.size(); r += 10) {
      double mx = v[r], sum = 0;
      for (int c = 1; c < 10; ++c) mx = std::max(mx, v[r + c]);
      for (int c = 0; c < 10; ++c) sum += out[r + c] = std::exp(v[r + c] - mx);
      for (int c = 0; c < 10; ++c) out[r + c] /= sum;
    }
    benchmark::DoNotOptimize(out.data());
  }
  s.SetItemsProcessed(s.iterations() * s.range(0));
  s.SetLabel("baseline");
}

// A layer-sized fixed-point matrix product against the bare ring GEMM it
// runs on (the baseline).
void clear_matmul_128(benchmark::State& s) {
  Fixture a(128 * 128, -2, 2);
  for (auto _ : s) {
    benchmark::DoNotOptimize(
        fx::matmul(a.p, sqt::mpc::Trans::kNo, sqt::mpc::Trans::kNo, 128, 128, 128, a.x, a.x));
  }
  s.SetItemsProcessed(s.iterations() * 128 * 128 * 128);
}
void clear_matmul_128_baseline_gemm(benchmark::State& s) {
  Fixture a(128 * 128, -2, 2);
  std::vector<Ring> c(128 * 128);
  for (auto _ : s) {
    a.backend->gemm(sqt::mpc::Trans::kNo, sqt::mpc::Trans::kNo, 128, 128, 128, a.x.part[0].data(),
                    a.x.part[0].data(), c.data(), false);
    benchmark::DoNotOptimize(c.data());
  }
  s.SetItemsProcessed(s.iterations() * 128 * 128 * 128);
  s.SetLabel("baseline");
}

BENCHMARK(clear_mul)->Arg(kN);
BENCHMARK(clear_mul_baseline_float64)->Arg(kN);
BENCHMARK(clear_relu)->Arg(kN);
BENCHMARK(clear_relu_baseline_float64)->Arg(kN);
BENCHMARK(clear_exp)->Arg(kN);
BENCHMARK(clear_exp_baseline_float64)->Arg(kN);
BENCHMARK(clear_reciprocal)->Arg(kN);
BENCHMARK(clear_reciprocal_baseline_float64)->Arg(kN);
BENCHMARK(clear_invsqrt)->Arg(kN);
BENCHMARK(clear_invsqrt_baseline_float64)->Arg(kN);
BENCHMARK(clear_softmax10)->Arg(1280);
BENCHMARK(clear_softmax10_baseline_float64)->Arg(1280);
BENCHMARK(clear_matmul_128);
BENCHMARK(clear_matmul_128_baseline_gemm);

}  // namespace

// glibc returns large freed blocks to the kernel (mmap threshold, heap
// trimming), so every call of an algorithm with multi-megabyte temporaries
// (exp, the normalisations) page-faults its memory in again: measured 10-17x
// slower on this VM. Keep freed memory in the process, as a long training
// run would want too.
int main(int argc, char** argv) {
  mallopt(M_MMAP_THRESHOLD, 256 << 20);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
