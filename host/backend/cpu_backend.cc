#include "host/backend/cpu_backend.h"

#include <algorithm>
#include <vector>

#include "host/backend/checks.h"
#include "simd/gemm.h"
#include "simd/prg.h"
#include "simd/ring_ops.h"

namespace sqt::backend {

namespace {

simd::Transpose to_simd(Trans t) { return t == Trans::kYes ? simd::Transpose::kYes : simd::Transpose::kNo; }

// Splits an interleaved stream (a0 b0 c0 a1 b1 c1 ...) into its three parts.
void deinterleave(std::span<const Ring> words, std::span<Ring> a, std::span<Ring> b, std::span<Ring> c) {
  for (std::size_t i = 0; i < a.size(); ++i) {
    a[i] = words[kTripleWords * i];
    b[i] = words[kTripleWords * i + 1];
    c[i] = words[kTripleWords * i + 2];
  }
}

}  // namespace

CpuBackend::CpuBackend(int threads) : threads_(std::max(1, threads)) {}

void CpuBackend::gemm(Trans ta, Trans tb, std::size_t m, std::size_t n, std::size_t k, const Ring* a,
                      const Ring* b, Ring* c, bool accumulate) {
  simd::gemm(to_simd(ta), to_simd(tb), m, n, k, {a, m * k}, {b, k * n}, {c, m * n}, accumulate, threads_);
}

void CpuBackend::rep3_mul(std::span<const Ring> x0, std::span<const Ring> x1, std::span<const Ring> y0,
                          std::span<const Ring> y1, std::span<const Ring> mask, std::span<Ring> out) {
  check_rep3_mul_sizes(x0, x1, y0, y1, mask, out);
  simd::rep3_mul(x0, x1, y0, y1, mask, out);
}

void CpuBackend::prg_fill(const PrgSeed& seed, std::uint64_t counter, std::span<Ring> out) {
  simd::AesCtrPrg(seed).fill(counter, out);
}

TripleShares CpuBackend::beaver_triples(std::span<const PrgSeed> seeds, int party, std::uint64_t counter,
                                        std::size_t n) {
  check_triple_parties(seeds, party);
  TripleShares own{std::vector<Ring>(n), std::vector<Ring>(n), std::vector<Ring>(n)};
  std::vector<Ring> stream(kTripleWords * n);
  simd::AesCtrPrg(seeds[party]).fill(counter, stream);
  deinterleave(stream, own.a, own.b, own.c);
  const int last = static_cast<int>(seeds.size()) - 1;
  if (party != last) return own;

  // The dealer's correction: c_last = (sum a)(sum b) - sum_{j < last} c_j.
  std::vector<Ring> sum_a = own.a, sum_b = own.b, sum_c(n, 0), a(n), b(n), c(n);
  for (int j = 0; j < last; ++j) {
    simd::AesCtrPrg(seeds[j]).fill(counter, stream);
    deinterleave(stream, a, b, c);
    simd::add(sum_a, a, sum_a);
    simd::add(sum_b, b, sum_b);
    simd::add(sum_c, c, sum_c);
  }
  simd::mul(sum_a, sum_b, own.c);
  simd::sub(own.c, sum_c, own.c);
  return own;
}

}  // namespace sqt::backend
