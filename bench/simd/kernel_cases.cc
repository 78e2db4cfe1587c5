#include "bench/simd/kernel_cases.h"

#include <benchmark/benchmark.h>

#include <memory>
#include <random>

#include "simd/bits.h"
#include "simd/peak.h"
#include "simd/prg.h"
#include "simd/ring_ops.h"

namespace sqt::bench::simd_suite {
namespace {

using simd::u64;

std::shared_ptr<std::vector<u64>> random_vector(std::size_t n, std::uint64_t seed) {
  auto v = std::make_shared<std::vector<u64>>(n);
  std::mt19937_64 rng(seed);
  for (auto& x : *v) x = rng();
  return v;
}

}  // namespace

void add_prg_cases(bool quick, std::vector<TimedCase>& cases) {
  const std::size_t bytes = quick ? (std::size_t{1} << 20) : (std::size_t{1} << 24);
  const std::array<std::uint8_t, 16> key = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
  auto out = std::make_shared<std::vector<std::uint8_t>>(bytes);
  for (auto impl : {simd::AesImpl::kHighway, simd::AesImpl::kOpenSsl}) {
    auto prg = std::make_shared<simd::AesCtrPrg>(key, impl);
    TimedCase c;
    c.baseline = impl == simd::AesImpl::kOpenSsl;
    c.name = std::string("prg/aes128_ctr/") + (c.baseline ? "openssl_evp" : "highway");
    c.metric = "bytes_per_s";
    c.work_per_iteration = static_cast<double>(bytes);
    c.params = {{"bytes", bytes}, {"threads", 1}, {"is_default", impl == simd::default_aes_impl()}};
    c.body = [prg, out] {
      prg->fill_bytes(7, *out);
      benchmark::DoNotOptimize(out->data());
    };
    cases.push_back(std::move(c));
  }
}

void add_elementwise_cases(bool quick, std::vector<TimedCase>& cases) {
  const std::size_t n = quick ? (std::size_t{1} << 14) : (std::size_t{1} << 18);
  auto x0 = random_vector(n, 1), x1 = random_vector(n, 2), y0 = random_vector(n, 3), y1 = random_vector(n, 4);
  auto mask = random_vector(n, 5), out = random_vector(n, 6);
  const TimedCaseFamily family{
      cases, "elements_per_s", static_cast<double>(n), {{"elements", n}, {"threads", 1}}};
  auto add = [&](std::string name, bool baseline, std::function<void()> body) {
    family.add(std::move(name), baseline, std::move(body));
  };
  add("elementwise/mul_add/simd", false, [=] { simd::mul_add(*x0, *y0, *out); });
  add("elementwise/mul_add/plain_loop", true, [=] {
    u64* acc = out->data();
    const u64 *a = x0->data(), *b = y0->data();
    for (std::size_t i = 0; i < n; ++i) acc[i] += a[i] * b[i];
    benchmark::ClobberMemory();
  });
  add("elementwise/cross_mul_add/simd", false, [=] { simd::cross_mul_add(*x0, *x1, *y0, *y1, *mask, *out); });
  add("elementwise/cross_mul_add/plain_loop", true, [=] {
    u64* o = out->data();
    for (std::size_t i = 0; i < n; ++i) {
      o[i] = (*x0)[i] * (*y0)[i] + (*x0)[i] * (*y1)[i] + (*x1)[i] * (*y0)[i] + (*mask)[i];
    }
    benchmark::ClobberMemory();
  });
}

void add_transpose_cases(bool quick, std::vector<TimedCase>& cases) {
  const std::size_t blocks = quick ? 64 : 4096;
  auto words = random_vector(64 * blocks, 9);
  TimedCase c;
  c.name = "bits/transpose64_batch/simd";
  c.metric = "bytes_per_s";
  c.work_per_iteration = static_cast<double>(blocks * 64 * sizeof(u64));
  c.params = {{"blocks", blocks}, {"threads", 1}};
  c.body = [words] { simd::transpose64_batch(*words); };
  cases.push_back(std::move(c));
}

void add_peak_case(std::vector<TimedCase>& cases) {
  constexpr std::uint64_t kIterations = 1 << 16;
  const double macs = static_cast<double>(simd::mul_add_peak_loop(1).multiply_adds) * kIterations;
  TimedCase c;
  c.name = "peak/mul_add_registers";
  c.metric = "mac_per_s";
  c.work_per_iteration = macs;
  c.params = {
      {"threads", 1},
      {"note", "register-only vector loop acc = acc * x + y (vpmullq + vpaddq on AVX-512), 12 chains"}};
  c.body = [] { benchmark::DoNotOptimize(simd::mul_add_peak_loop(kIterations).checksum); };
  cases.push_back(std::move(c));
}

}  // namespace sqt::bench::simd_suite
