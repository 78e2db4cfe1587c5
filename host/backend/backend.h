// The compute backends behind one interface: the only place that knows
// whether bulk ring work runs on the Highway kernels (cpu), on an FPGA card
// through XRT (fpga), or on the hw/ kernels in-process through the FPGA
// orchestration code (fpga-sim). All backends agree bit for bit.
//
// Calls are per batch (a whole matrix or tensor), never per element, so the
// virtual call is free next to the work.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "host/core/ring.h"

namespace sqt::backend {

enum class Trans : std::uint8_t { kNo, kYes };

// 128-bit AES key that seeds a PRG stream.
using PrgSeed = std::array<std::uint8_t, 16>;

// One party's additive shares of n Beaver triples (a, b, c = a*b).
struct TripleShares {
  std::vector<Ring> a, b, c;
};

class Backend {
 public:
  virtual ~Backend() = default;

  virtual std::string_view name() const = 0;

  // C (M x N) = op(A) * op(B) mod 2^64, plus the old C when `accumulate`.
  // Row-major; op(A) is M x K, op(B) is K x N. With Trans::kYes the stored
  // matrix is the transpose (A stored K x M, B stored N x K).
  virtual void gemm(Trans ta, Trans tb, std::size_t m, std::size_t n, std::size_t k, const Ring* a,
                    const Ring* b, Ring* c, bool accumulate) = 0;

  // The replicated-sharing product: out = x0*y0 + x0*y1 + x1*y0 + mask,
  // elementwise. All spans have the same length.
  virtual void rep3_mul(std::span<const Ring> x0, std::span<const Ring> x1, std::span<const Ring> y0,
                        std::span<const Ring> y1, std::span<const Ring> mask, std::span<Ring> out) = 0;

  // AES-128-CTR expansion: out[i] is the i-th 64-bit word of the stream that
  // starts at block `counter` under `seed`.
  virtual void prg_fill(const PrgSeed& seed, std::uint64_t counter, std::span<Ring> out) = 0;

  // Beaver triples for `parties` parties from one PRG seed per party (the
  // dealer model the dishonest-majority protocols start from): party j's a_j,
  // b_j and, for j < parties-1, c_j are expanded from seeds[j] at stream
  // offset `counter`; the last party's c share makes sum c_j = (sum a_j)(sum b_j).
  // Returns the shares of party `party`.
  virtual TripleShares beaver_triples(std::span<const PrgSeed> seeds, int party, std::uint64_t counter,
                                      std::size_t n) = 0;
};

// Creates "cpu", "fpga" or "fpga-sim". Throws BackendError naming what is
// missing (no XRT in this build, no card, no image) and suggesting "cpu".
std::unique_ptr<Backend> make_backend(std::string_view name, int threads);

}  // namespace sqt::backend
