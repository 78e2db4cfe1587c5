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

  // out = x0*y0 + x0*y1 + x1*y0 + mask, elementwise: three of the four
  // cross products of the pairs (x0, x1) and (y0, y1). It is the local step
  // of replicated sharing (rep3 computes its product from it; four-party
  // and verified replicated models sum several). Spans of equal length.
  virtual void cross_mul_add(std::span<const Ring> x0, std::span<const Ring> x1, std::span<const Ring> y0,
                             std::span<const Ring> y1, std::span<const Ring> mask, std::span<Ring> out) = 0;

  // AES-128-CTR expansion: out[i] is the i-th 64-bit word of the stream that
  // starts at block `counter` under `seed`.
  virtual void prg_fill(const PrgSeed& seed, std::uint64_t counter, std::span<Ring> out) = 0;

  // The same kernels over Z_2^128 (--ring 128). They run on the host CPU in
  // every backend (wide_kernels.cc; no card kernel multiplies 128-bit words),
  // so every backend still agrees bit for bit. The PRG gives element i the
  // stream's words 2i (low half) and 2i + 1 (high half).
  virtual void gemm(Trans ta, Trans tb, std::size_t m, std::size_t n, std::size_t k, const Ring128* a,
                    const Ring128* b, Ring128* c, bool accumulate);
  virtual void cross_mul_add(std::span<const Ring128> x0, std::span<const Ring128> x1,
                             std::span<const Ring128> y0, std::span<const Ring128> y1,
                             std::span<const Ring128> mask, std::span<Ring128> out);
  void prg_fill(const PrgSeed& seed, std::uint64_t counter, std::span<Ring128> out);

  // Galois ring GR(2^64, 4) = Z_2^64[X]/(X^4 + X + 1) kernels (Shamir
  // sharing, host/mpc/shamir): elements as four coefficient arrays. Every
  // backend runs them on the host (galois_kernels.cc), so all agree bit for
  // bit; the products of a GR matrix product go through gemm above.
  // out = a * b; acc += c * a for a constant c; acc += coefficient 0 of a * b.
  virtual void gr_mul(const Ring* const a[4], const Ring* const b[4], Ring* const out[4], std::size_t n);
  virtual void gr_mul_const_add(const Ring* const a[4], const Ring c[4], Ring* const acc[4], std::size_t n);
  virtual void gr_coef0_mul_add(const Ring* const a[4], const Ring* const b[4], Ring* acc, std::size_t n);

  // Beaver triples in the dealer model: a dealer draws one PRG seed per party
  // and gives party j only seed j. Triple i takes words 3i, 3i+1, 3i+2 of a
  // seed's AES-CTR stream (from block `counter`) as that party's a, b, c
  // shares; the last party then adds the dealer's correction to its c, so
  // sum c = (sum a)(sum b).
  //
  // Trust: the correction needs every seed, and whoever holds every seed
  // knows every triple in the clear. It is secure only when the dealer is a
  // trusted party outside the computation (it computes no share of the
  // protocol and does not collude); a computing party must never play it.
  // So the API is split: each party calls own_triples with its own seed only,
  // and only the dealer calls dealer_correction.

  // Party-side: this party's shares of n triples, expanded from its own seed
  // alone (the last party adds the dealer's correction to c).
  virtual TripleShares own_triples(const PrgSeed& own_seed, std::uint64_t counter, std::size_t n) = 0;

  // Dealer-only (a trusted dealer outside the computation): the correction
  // d_i = (sum_j a_j,i)(sum_j b_j,i) - sum_j c_j,i over all parties' seeds,
  // for the last party to add to its c shares. Never call it in a party.
  virtual std::vector<Ring> dealer_correction(std::span<const PrgSeed> seeds, std::uint64_t counter,
                                              std::size_t n) = 0;
};

// Creates "cpu", "fpga" or "fpga-sim". Throws BackendError naming what is
// missing (no XRT in this build, no card, no image) and suggesting "cpu".
std::unique_ptr<Backend> make_backend(std::string_view name, int threads);

}  // namespace sqt::backend
