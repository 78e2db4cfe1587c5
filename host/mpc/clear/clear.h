// The clear emulation protocol over Z_2^64 (Clear) or Z_2^128 (Clear128): one process plays every party and a
// "share" is the cleartext ring value itself (C = 1). It runs the very same fixed-point algorithms as the
// secure protocols (host/mpc/fixed/), with the same truncation semantics and seeded randomness, so accuracy
// over many epochs can be checked in minutes and secure runs cross-checked.
//
// Semantics shared with rep3 (keep them identical):
// - trunc(x, b), probabilistic: floor(x / 2^b) + 1 with probability
//   (x mod 2^b) / 2^b (stochastic rounding), the randomness drawn from a PRG
//   seeded by `seed` through Backend::prg_fill; exact: floor(x / 2^b).
//   Inputs are signed ring values (two's complement); the shift b is in
//   rep3's [1, 61] (ShapeError outside), the fused forms' shifts too.
// - ltz(x) = [x < 0] as a 0/1 ring value for x in the k-bit range, bit k-1
//   of x outside it (rep3's comparison, bit for bit); bit_decompose(x, bits)
//   returns the low `bits` two's-complement bits as packed planes.
// - The exactness contract (ExactBits, protocol.h) is rep3's, and every ltz,
//   bit_decompose and trunc input outside it is counted (range_violations()):
//   a run that is clean here stays inside the ranges the secure run needs.
// - mul_trunc / matmul_trunc = the product followed by trunc; select(c, a, b)
//   = c ? a : b for an arithmetic 0/1 share c.
// Nothing is communicated: stats() is all zeros.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "host/backend/backend.h"
#include "host/core/ring.h"
#include "host/mpc/protocol.h"
#include "host/mpc/share.h"

namespace sqt::mpc {

template <RingElement R>
class ClearT {
 public:
  using Ring = R;
  using Share = ShareVec<1, R>;
  using Bits = ShareVec<1, std::uint64_t>;  // packed bits, 64 per word
  using BitFactor = Share;                  // the 0/1 value itself
  static constexpr std::string_view kName = "clear";
  // rep3's contract (Rep3::exact_bits).
  static constexpr int kBitDecomposeExactBits = ring_bits<R>;
  static constexpr int kTruncExactBits = ring_bits<R> - 1;
  // rep3's shifts: [1, ring bits - 3].
  static constexpr int kMaxTruncBits = ring_bits<R> - 3;

  ClearT(backend::Backend& backend, FixedParams fixed, TruncMode mode, std::uint64_t seed);

  int party() const { return 0; }
  FixedParams fixed() const { return fixed_; }
  TruncMode trunc_mode() const { return mode_; }
  ExactBits exact_bits() const { return exact_; }
  // Emulates a narrower contract (a protocol still to be built, a test):
  // ltz then gives bit ltz-1 of x and the counts use these widths.
  void set_exact_bits(ExactBits e);

  // Inputs outside exact_bits() since construction or the last take, per
  // kind (ltz_factor counts as ltz, the fused forms as trunc).
  RangeViolations range_violations() const { return violations_; }
  RangeViolations take_range_violations() { return std::exchange(violations_, {}); }
  // Brackets work whose out-of-range lanes are discarded by construction
  // (multiplied by an exact 0, fx::detail::DiscardedLanes): not counted.
  // Nests.
  void begin_discarded_lanes() { ++discarded_depth_; }
  void end_discarded_lanes() { --discarded_depth_; }
  backend::Backend& backend() const { return *backend_; }

  // One process stands for every party (sqt protocols lists clear with 1).
  int parties() const { return 1; }
  // Counters (nothing is sent in the emulation): all zeros.
  CommStats stats() const { return {}; }
  // Nothing to check: every party is this process (Protocol::verify).
  void verify() {}
  // Restarts the PRG stream as a fresh Clear(..., seed) would start it: the
  // trainer keeps one object per run and reseeds it at every epoch, so an
  // epoch's draws depend only on (seed, epoch) and a resumed run equals an
  // uninterrupted one.
  void reseed(std::uint64_t seed);

  // Sharing and opening. The single process stands for every party, so
  // input() takes the values whoever `owner` is and reveal_to() returns them
  // whoever `to` is.
  Share input(int owner, std::span<const Ring> values, std::size_t n);
  struct InputRows {
    RowSourceOf<R> source;
    std::size_t rows = 0, row_len = 0;
  };
  InputRows input_rows(int owner, RowSourceOf<R> source, std::size_t rows, std::size_t row_len);
  Share gather_rows(const InputRows& table, std::span<const std::uint32_t> idx) const;
  std::vector<Ring> reveal(const Share& x) { return {x.part[0].begin(), x.part[0].end()}; }
  std::vector<Ring> reveal_to(int to, const Share& x);
  // Uniform integers in [0, 2^bits) from the seeded PRG stream (rep3 draws
  // the same distribution jointly); 1 <= bits <= k - 2 as in rep3.
  Share random_int(std::size_t n, int bits);

  // Local operations.
  Share zeros(std::size_t n) { return Share(n); }
  Share add(Share x, const Share& y);
  Share sub(Share x, const Share& y);
  Share neg(Share x);
  Share add_public(Share x, std::span<const Ring> c);
  Share add_public(Share x, Ring c);
  Share mul_public(Share x, std::span<const Ring> c);
  Share mul_public(Share x, Ring c);

  // Applies the public linear map f(const Ring* in, Ring* out) (out has out_n
  // elements, zeroed first).
  template <class F>
  Share linear(const Share& x, std::size_t out_n, F&& f) {
    Share out(out_n);
    f(x.part[0].data(), out.part[0].data());
    return out;
  }

  // "Interactive" operations, computed directly.
  Share mul(const Share& x, const Share& y);
  Share matmul(Trans ta, Trans tb, std::size_t m, std::size_t n, std::size_t k, const Share& a,
               const Share& b);
  Share trunc(const Share& x, int bits);
  Share ltz(const Share& x);
  BitFactor ltz_factor(const Share& x) { return ltz(x); }
  Share mul_factor(const BitFactor& f, const Share& y) { return mul(f, y); }

  // Fused forms (same results as the two steps, fewer rounds in rep3).
  Share mul_trunc(const Share& x, const Share& y, int bits);
  Share matmul_trunc(Trans ta, Trans tb, std::size_t m, std::size_t n, std::size_t k, const Share& a,
                     const Share& b, int bits);
  Share matmuls_trunc(std::span<const MatmulTerm<Share>> terms, int bits);
  Share select(const Share& bit, const Share& a, const Share& b);

  // Binary domain, bit-sliced (64 elements per word).
  Bits bit_and(const Bits& x, const Bits& y);
  Bits bit_xor(const Bits& x, const Bits& y);
  Bits bit_not(const Bits& x);
  std::vector<Bits> bit_decompose(const Share& x, int bits);
  Share b2a(const Bits& bits, std::size_t n);
  std::vector<std::uint64_t> reveal_bits(const Bits& bits) {
    return {bits.part[0].begin(), bits.part[0].end()};
  }

 private:
  // Fills `out` with the next words of the truncation PRG stream.
  void next_random(std::span<Ring> out);
  void trunc_in_place(std::span<Ring> v, int bits);

  backend::Backend* backend_;
  FixedParams fixed_;
  TruncMode mode_;
  backend::PrgSeed seed_{};
  std::uint64_t counter_ = 0;  // next AES block of the stream
  ExactBits exact_{fixed_.k, kBitDecomposeExactBits, kTruncExactBits};
  RangeViolations violations_;
  int discarded_depth_ = 0;
};

using Clear = ClearT<Ring>;
using Clear128 = ClearT<Ring128>;
extern template class ClearT<Ring>;
extern template class ClearT<Ring128>;
static_assert(Protocol<Clear>);
static_assert(Protocol<Clear128>);

}  // namespace sqt::mpc
