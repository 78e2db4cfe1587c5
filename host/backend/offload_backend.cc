#include "host/backend/offload_backend.h"

#include <algorithm>
#include <array>
#include <string>

#include "host/backend/checks.h"
#include "host/core/error.h"

namespace sqt::backend {

namespace {

using hw::kLanes;
using hw::words_for;

std::size_t ceil_div(std::size_t a, std::size_t b) { return (a + b - 1) / b; }

// Runs jobs 0..count-1 alternating between the slots: job t reuses the slot
// of job t-2, which is waited for and finished (its results unpacked) just
// before job t is packed and started. While the device works on job t-1, the
// host therefore finishes t-2 and prepares t. Jobs finish in order.
template <class Submit, class Finish>
void ping_pong(TileDevice& dev, KernelId kernel, std::size_t count, Submit&& submit, Finish&& finish) {
  std::array<bool, kSlots> in_flight{};
  auto retire = [&](std::size_t t) {
    const int slot = static_cast<int>(t % kSlots);
    in_flight[slot] = false;
    dev.wait(kernel, slot);
    finish(t, slot);
  };
  try {
    for (std::size_t t = 0; t < count; ++t) {
      const int slot = static_cast<int>(t % kSlots);
      if (in_flight[slot]) retire(t - kSlots);
      submit(t, slot);
      in_flight[slot] = true;
    }
    for (std::size_t t = count > kSlots ? count - kSlots : 0; t < count; ++t) retire(t);
  } catch (...) {
    // Never leave a run writing into buffers we are about to reuse or free.
    for (int slot = 0; slot < kSlots; ++slot) {
      if (!in_flight[slot]) continue;
      try {
        dev.wait(kernel, slot);
      } catch (...) {
      }
    }
    throw;
  }
}

// One output tile and one slice of the inner dimension.
struct GemmJob {
  std::size_t i0, j0, p0, mt, nt, kt;
};

void pack_a(Trans ta, const Ring* a, std::size_t m, std::size_t k, const GemmJob& job, std::uint64_t* dst) {
  const std::size_t stride = std::size_t{words_for(job.kt)} * kLanes;
  if (ta == Trans::kNo) {
    for (std::size_t i = 0; i < job.mt; ++i)
      std::copy_n(a + (job.i0 + i) * k + job.p0, job.kt, dst + i * stride);
    return;
  }
  for (std::size_t p = 0; p < job.kt; ++p) {  // stored k x m
    const Ring* src = a + (job.p0 + p) * m + job.i0;
    for (std::size_t i = 0; i < job.mt; ++i) dst[i * stride + p] = src[i];
  }
}

void pack_b(Trans tb, const Ring* b, std::size_t n, std::size_t k, const GemmJob& job, std::uint64_t* dst) {
  const std::size_t stride = std::size_t{words_for(job.nt)} * kLanes;
  if (tb == Trans::kNo) {
    for (std::size_t p = 0; p < job.kt; ++p)
      std::copy_n(b + (job.p0 + p) * n + job.j0, job.nt, dst + p * stride);
    return;
  }
  for (std::size_t j = 0; j < job.nt; ++j) {  // stored n x k
    const Ring* src = b + (job.j0 + j) * k + job.p0;
    for (std::size_t p = 0; p < job.kt; ++p) dst[p * stride + j] = src[p];
  }
}

// Copies `len` elements into a buffer's host view, zeroing the rest of the
// last word so the device never reads stale lanes.
void stage(std::span<std::uint64_t> host, const Ring* src, std::size_t len) {
  std::copy_n(src, len, host.begin());
  std::fill(host.begin() + len, host.begin() + std::size_t{words_for(len)} * kLanes, 0);
}

void stage_seeds(TileDevice& dev, int slot, std::span<const PrgSeed> seeds) {
  auto host = dev.host(Buf::kSeeds, slot);
  std::fill(host.begin(), host.end(), 0);
  for (std::size_t j = 0; j < seeds.size(); ++j) {
    for (int byte = 0; byte < 16; ++byte) {
      host[8 * (j / 4) + 2 * (j % 4) + byte / 8] |= std::uint64_t{seeds[j][byte]} << (8 * (byte % 8));
    }
  }
  dev.to_device(Buf::kSeeds, slot, hw::kSeedWords);
}

}  // namespace

OffloadBackend::OffloadBackend(std::string name, std::unique_ptr<TileDevice> device)
    : name_(std::move(name)), device_(std::move(device)) {}

void OffloadBackend::gemm(Trans ta, Trans tb, std::size_t m, std::size_t n, std::size_t k, const Ring* a,
                          const Ring* b, Ring* c, bool accumulate) {
  if (m == 0 || n == 0) return;
  if (k == 0) {
    if (!accumulate) std::fill_n(c, m * n, 0);
    return;
  }
  const std::size_t tiles_n = ceil_div(n, hw::kGemmTileN), tiles_k = ceil_div(k, hw::kGemmTileK);
  const std::size_t count = ceil_div(m, hw::kGemmTileM) * tiles_n * tiles_k;
  auto job_of = [&](std::size_t t) {
    GemmJob job{};
    job.p0 = (t % tiles_k) * hw::kGemmTileK;
    job.j0 = (t / tiles_k % tiles_n) * hw::kGemmTileN;
    job.i0 = (t / (tiles_k * tiles_n)) * hw::kGemmTileM;
    job.mt = std::min<std::size_t>(hw::kGemmTileM, m - job.i0);
    job.nt = std::min<std::size_t>(hw::kGemmTileN, n - job.j0);
    job.kt = std::min<std::size_t>(hw::kGemmTileK, k - job.p0);
    return job;
  };
  TileDevice& dev = *device_;
  auto submit = [&](std::size_t t, int slot) {
    const GemmJob job = job_of(t);
    pack_a(ta, a, m, k, job, dev.host(Buf::kGemmA, slot).data());
    pack_b(tb, b, n, k, job, dev.host(Buf::kGemmB, slot).data());
    dev.to_device(Buf::kGemmA, slot, job.mt * words_for(job.kt));
    dev.to_device(Buf::kGemmB, slot, job.kt * words_for(job.nt));
    dev.start_gemm(slot, {static_cast<std::uint32_t>(job.mt), static_cast<std::uint32_t>(job.nt),
                          static_cast<std::uint32_t>(job.kt)});
  };
  // Slices of k for one output tile finish in order: the first overwrites C
  // (unless accumulating), the others add to it.
  auto finish = [&](std::size_t t, int slot) {
    const GemmJob job = job_of(t);
    const std::size_t stride = std::size_t{words_for(job.nt)} * kLanes;
    dev.from_device(Buf::kGemmC, slot, job.mt * words_for(job.nt));
    const std::uint64_t* tile = dev.host(Buf::kGemmC, slot).data();
    const bool overwrite = job.p0 == 0 && !accumulate;
    for (std::size_t i = 0; i < job.mt; ++i) {
      const std::uint64_t* src = tile + i * stride;
      Ring* dst = c + (job.i0 + i) * n + job.j0;
      if (overwrite) {
        std::copy_n(src, job.nt, dst);
      } else {
        for (std::size_t j = 0; j < job.nt; ++j) dst[j] += src[j];
      }
    }
  };
  ping_pong(dev, KernelId::kGemm, count, submit, finish);
}

void OffloadBackend::cross_mul_add(std::span<const Ring> x0, std::span<const Ring> x1,
                                   std::span<const Ring> y0, std::span<const Ring> y1,
                                   std::span<const Ring> mask, std::span<Ring> out) {
  check_cross_mul_add_sizes(x0, x1, y0, y1, mask, out);
  const std::size_t chunk = hw::kMulTileElems;
  TileDevice& dev = *device_;
  auto submit = [&](std::size_t t, int slot) {
    const std::size_t off = t * chunk, len = std::min(chunk, out.size() - off);
    const std::array<std::pair<Buf, const Ring*>, 5> inputs{{{Buf::kMulX0, x0.data()},
                                                             {Buf::kMulX1, x1.data()},
                                                             {Buf::kMulY0, y0.data()},
                                                             {Buf::kMulY1, y1.data()},
                                                             {Buf::kMulMask, mask.data()}}};
    for (const auto& [buf, src] : inputs) {
      stage(dev.host(buf, slot), src + off, len);
      dev.to_device(buf, slot, words_for(len));
    }
    dev.start_mul(slot, words_for(len));
  };
  // Outputs of job t-2 are written before job t's inputs are read, so `out`
  // may alias an input exactly.
  auto finish = [&](std::size_t t, int slot) {
    const std::size_t off = t * chunk, len = std::min(chunk, out.size() - off);
    dev.from_device(Buf::kMulOut, slot, words_for(len));
    std::copy_n(dev.host(Buf::kMulOut, slot).begin(), len, out.begin() + off);
  };
  ping_pong(dev, KernelId::kMul, ceil_div(out.size(), chunk), submit, finish);
}

void OffloadBackend::prg_fill(const PrgSeed& seed, std::uint64_t counter, std::span<Ring> out) {
  const std::size_t chunk = hw::kTripleTileElems;  // even: a chunk is whole blocks
  TileDevice& dev = *device_;
  auto submit = [&](std::size_t t, int slot) {
    const std::size_t len = std::min(chunk, out.size() - t * chunk);
    stage_seeds(dev, slot, std::span<const PrgSeed>(&seed, 1));
    dev.start_triples(slot, {hw::kExpand, 1, counter, t * chunk / 2, static_cast<std::uint32_t>(len)});
  };
  auto finish = [&](std::size_t t, int slot) {
    const std::size_t off = t * chunk, len = std::min(chunk, out.size() - off);
    dev.from_device(Buf::kOutA, slot, words_for(len));
    std::copy_n(dev.host(Buf::kOutA, slot).begin(), len, out.begin() + off);
  };
  ping_pong(dev, KernelId::kTriples, ceil_div(out.size(), chunk), submit, finish);
}

// Only the party's own seed goes to the card: the seed buffer of a party's
// run never holds another party's seed.
TripleShares OffloadBackend::own_triples(const PrgSeed& own_seed, std::uint64_t counter, std::size_t n) {
  TripleShares own{std::vector<Ring>(n), std::vector<Ring>(n), std::vector<Ring>(n)};
  const std::size_t chunk = hw::kTripleTileElems;  // even: each chunk starts on a block boundary
  TileDevice& dev = *device_;
  auto submit = [&](std::size_t t, int slot) {
    const std::size_t len = std::min(chunk, n - t * chunk);
    stage_seeds(dev, slot, std::span<const PrgSeed>(&own_seed, 1));
    dev.start_triples(
        slot, {hw::kTriples, 1, counter, t * chunk * kTripleWords / 2, static_cast<std::uint32_t>(len)});
  };
  auto finish = [&](std::size_t t, int slot) {
    const std::size_t off = t * chunk, len = std::min(chunk, n - off);
    const std::array<std::pair<Buf, std::vector<Ring>*>, 3> outputs{
        {{Buf::kOutA, &own.a}, {Buf::kOutB, &own.b}, {Buf::kOutC, &own.c}}};
    for (const auto& [buf, dst] : outputs) {
      dev.from_device(buf, slot, words_for(len));
      std::copy_n(dev.host(buf, slot).begin(), len, dst->begin() + off);
    }
  };
  ping_pong(dev, KernelId::kTriples, ceil_div(n, chunk), submit, finish);
  return own;
}

std::vector<Ring> OffloadBackend::dealer_correction(std::span<const PrgSeed> seeds, std::uint64_t counter,
                                                    std::size_t n) {
  check_dealer_seeds(seeds);
  if (seeds.size() > hw::kMaxParties) {
    throw BackendError("backend '" + name_ + "': the triple_gen kernel supports at most " +
                       std::to_string(hw::kMaxParties) + " parties, asked for " +
                       std::to_string(seeds.size()) + "; use --backend cpu");
  }
  std::vector<Ring> correction(n);
  const std::size_t chunk = hw::kTripleTileElems;
  TileDevice& dev = *device_;
  auto submit = [&](std::size_t t, int slot) {
    const std::size_t len = std::min(chunk, n - t * chunk);
    stage_seeds(dev, slot, seeds);
    dev.start_triples(slot, {hw::kCorrection, static_cast<std::uint32_t>(seeds.size()), counter,
                             t * chunk * kTripleWords / 2, static_cast<std::uint32_t>(len)});
  };
  auto finish = [&](std::size_t t, int slot) {
    const std::size_t off = t * chunk, len = std::min(chunk, n - off);
    dev.from_device(Buf::kOutC, slot, words_for(len));
    std::copy_n(dev.host(Buf::kOutC, slot).begin(), len, correction.begin() + off);
  };
  ping_pong(dev, KernelId::kTriples, ceil_div(n, chunk), submit, finish);
  return correction;
}

}  // namespace sqt::backend
