// The cpu backend: the simd/ Highway kernels, multi-threaded GEMM.
#pragma once

#include "host/backend/backend.h"

namespace sqt::backend {

class CpuBackend final : public Backend {
 public:
  explicit CpuBackend(int threads);

  using Backend::cross_mul_add;  // the Z_2^128 overloads
  using Backend::gemm;
  using Backend::prg_fill;
  std::string_view name() const override { return "cpu"; }
  void gemm(Trans ta, Trans tb, std::size_t m, std::size_t n, std::size_t k, const Ring* a, const Ring* b,
            Ring* c, bool accumulate) override;
  void cross_mul_add(std::span<const Ring> x0, std::span<const Ring> x1, std::span<const Ring> y0,
                     std::span<const Ring> y1, std::span<const Ring> mask, std::span<Ring> out) override;
  void prg_fill(const PrgSeed& seed, std::uint64_t counter, std::span<Ring> out) override;
  void gemm(Trans ta, Trans tb, std::size_t m, std::size_t n, std::size_t k, const Ring128* a,
            const Ring128* b, Ring128* c, bool accumulate) override;  // threaded
  TripleShares own_triples(const PrgSeed& own_seed, std::uint64_t counter, std::size_t n) override;
  std::vector<Ring> dealer_correction(std::span<const PrgSeed> seeds, std::uint64_t counter,
                                      std::size_t n) override;

 private:
  int threads_;
};

}  // namespace sqt::backend
