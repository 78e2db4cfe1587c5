#include "host/backend/cpu_backend.h"

#include <algorithm>
#include <vector>

#include "host/backend/checks.h"
#include "host/backend/wide_kernels.h"
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

// Triples per piece of the cpu triple generator (even: whole AES blocks).
constexpr std::size_t kTripleChunk = 4096;

// Pieces of kTripleChunk triples keep the streams in L2. A stream whose block
// count would pass 2^64 is filled in one piece, so simd's 128-bit counter
// carries exactly as on the card.
std::size_t triple_chunk(std::uint64_t counter, std::size_t n) {
  const std::uint64_t blocks = (kTripleWords * n + 1) / 2;
  return counter + blocks < counter ? n : std::min(n, kTripleChunk);
}

}  // namespace

CpuBackend::CpuBackend(int threads) : threads_(std::max(1, threads)) {}

void CpuBackend::gemm(Trans ta, Trans tb, std::size_t m, std::size_t n, std::size_t k, const Ring* a,
                      const Ring* b, Ring* c, bool accumulate) {
  simd::gemm(to_simd(ta), to_simd(tb), m, n, k, {a, m * k}, {b, k * n}, {c, m * n}, accumulate, threads_);
}

void CpuBackend::gemm(Trans ta, Trans tb, std::size_t m, std::size_t n, std::size_t k, const Ring128* a,
                      const Ring128* b, Ring128* c, bool accumulate) {
  wide_gemm(ta, tb, m, n, k, a, b, c, accumulate, threads_);
}

void CpuBackend::cross_mul_add(std::span<const Ring> x0, std::span<const Ring> x1, std::span<const Ring> y0,
                               std::span<const Ring> y1, std::span<const Ring> mask, std::span<Ring> out) {
  check_cross_mul_add_sizes(x0, x1, y0, y1, mask, out);
  simd::cross_mul_add(x0, x1, y0, y1, mask, out);
}

void CpuBackend::prg_fill(const PrgSeed& seed, std::uint64_t counter, std::span<Ring> out) {
  simd::AesCtrPrg(seed).fill(counter, out);
}

TripleShares CpuBackend::own_triples(const PrgSeed& own_seed, std::uint64_t counter, std::size_t n) {
  TripleShares own{std::vector<Ring>(n), std::vector<Ring>(n), std::vector<Ring>(n)};
  const simd::AesCtrPrg prg(own_seed);
  const std::size_t chunk = triple_chunk(counter, n);
  std::vector<Ring> stream(kTripleWords * chunk);
  for (std::size_t t0 = 0; t0 < n; t0 += chunk) {
    const std::size_t len = std::min(chunk, n - t0);
    const std::span<Ring> words(stream.data(), kTripleWords * len);
    prg.fill(counter + kTripleWords * t0 / 2, words);
    deinterleave(words, {own.a.data() + t0, len}, {own.b.data() + t0, len}, {own.c.data() + t0, len});
  }
  return own;
}

std::vector<Ring> CpuBackend::dealer_correction(std::span<const PrgSeed> seeds, std::uint64_t counter,
                                                std::size_t n) {
  check_dealer_seeds(seeds);
  std::vector<Ring> correction(n);
  std::vector<simd::AesCtrPrg> prgs(seeds.begin(), seeds.end());
  const std::size_t chunk = triple_chunk(counter, n);
  std::vector<Ring> stream(kTripleWords * chunk), sum_a(chunk), sum_b(chunk), sum_c(chunk), a(chunk),
      b(chunk), c(chunk);
  for (std::size_t t0 = 0; t0 < n; t0 += chunk) {
    const std::size_t len = std::min(chunk, n - t0);
    const std::span<Ring> words(stream.data(), kTripleWords * len), sa(sum_a.data(), len),
        sb(sum_b.data(), len), sc(sum_c.data(), len), aj(a.data(), len), bj(b.data(), len), cj(c.data(), len);
    std::fill(sa.begin(), sa.end(), 0);
    std::fill(sb.begin(), sb.end(), 0);
    std::fill(sc.begin(), sc.end(), 0);
    for (const simd::AesCtrPrg& prg : prgs) {
      prg.fill(counter + kTripleWords * t0 / 2, words);
      deinterleave(words, aj, bj, cj);
      simd::add(sa, aj, sa);
      simd::add(sb, bj, sb);
      simd::add(sc, cj, sc);
    }
    // d = (sum a)(sum b) - sum c
    const std::span<Ring> d(correction.data() + t0, len);
    simd::mul(sa, sb, d);
    simd::sub(d, sc, d);
  }
  return correction;
}

}  // namespace sqt::backend
