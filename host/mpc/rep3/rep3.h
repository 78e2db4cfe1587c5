// Semi-honest three-party replicated secret sharing over Z_2^64 ("rep3", the
// class Rep3) or Z_2^128 (Rep3_128, f = 32, k = 63): Rep3T<R> for the ring's
// element type R. Shifts and offsets below are for Z_2^64; in Z_2^128 every
// 2^62, 2^64 and bit 63 is 2^126, 2^128 and bit 127.
//
// A value x is split as x = x_0 + x_1 + x_2 (arithmetic) or x_0 ^ x_1 ^ x_2
// (boolean, bit-sliced, 64 elements per word); party i holds the components
// (x_i, x_{i+1}) as part[0], part[1]. Component j is therefore known to the
// parties j and j-1. Party i and party i+1 share the PRG key K_i (party i
// draws it and sends it to its next neighbour at setup): party i's "next key"
// is K_i, its "prev key" is K_{i-1}. Correlated randomness is AES-CTR output
// of these keys at a counter derived from the operation number, so the parties
// never need to stay in lock step inside the streams.
//
// Costs per element and party (f = 16, k = 31), all batch-size independent:
//   mul                    1 round,  8 bytes
//   mul_trunc / trunc      3 rounds, 10 bytes (trunc alone: P0 10, P1 2, P2 10)
//   ltz                    9 rounds, ~18.5 bytes
//   ltz_factor             8 rounds, ~13 bytes (lead ~17.6, others ~10.4)
//   mul_factor             2 rounds, 8 bytes
//   bit_and                1 round,  1 bit per AND
// Truncation follows the masked-open scheme: P2 learns c = x + 2^62 + r for r
// uniform in Z_2^64 known to P0 and P1, the wrap bit msb(r) & !msb(c) is
// multiplied in with a three-message correction, so it is exact for any
// |x| < 2^62 (never fails catastrophically) and stochastic-rounding unbiased.
// Revealed outputs of probabilistic truncation leak a little about its
// inputs (ePrint 2024/1127); TruncMode::kExact avoids that at the price of a
// bit decomposition of the low f bits.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "host/backend/backend.h"
#include "host/core/ring.h"
#include "host/mpc/protocol.h"
#include "host/mpc/share.h"
#include "host/net/network.h"

namespace sqt::mpc {

template <RingElement R>
class Rep3T {
 public:
  using Ring = R;
  using Share = ShareVec<2, R>;
  using Bits = ShareVec<2, std::uint64_t>;  // packed bits, 64 per word
  // A secret bit b = u ^ v where u is known to the party `lead` only and v
  // to the other two (who hold it as a mask, -v). A product b * y then needs
  // one message from the lead and the replication of the other two's
  // summands (mul_factor); b itself is never replicated, which saves b2a's
  // second round and 16 of its 24 bytes. The lead rotates per factor.
  struct BitFactor {
    int lead = 0;
    // lead: -u (a mask); lead + 1: u - rho; lead + 2: rho (rho from the key
    // of lead and lead + 2).
    RingVecOf<R> a;
    RingVecOf<R> v_mask;  // -v at lead + 1 and lead + 2; empty at the lead
    std::size_t size() const { return a.size(); }
  };
  static constexpr std::string_view kName = "rep3";
  // The exactness contract (ExactBits, protocol.h): ltz is exact on k bits
  // (its adder sees x's low k bits only), bit_decompose on every value (the
  // two summands' sum mod 2^bits is x's), trunc on 63 bits (the masked
  // opening of x + 2^62 must not wrap).
  static constexpr int kBitDecomposeExactBits = ring_bits<R>;
  static constexpr int kTruncExactBits = ring_bits<R> - 1;
  // Shifts of trunc and the fused forms: [1, ring bits - 3].
  static constexpr int kMaxTruncBits = ring_bits<R> - 3;
  ExactBits exact_bits() const { return {fixed_.k, kBitDecomposeExactBits, kTruncExactBits}; }

  // Exchanges the pairwise PRG keys (one round). seed == 0 draws the keys from
  // the kernel CSPRNG (getrandom); a non-zero seed makes them reproducible,
  // which is for tests only (anyone who knows the seed knows every key).
  // Throws NetError for a degenerate key (all bits equal) or a neighbour's
  // key equal to this party's own.
  Rep3T(net::Network& network, backend::Backend& backend, FixedParams fixed,
        TruncMode mode = TruncMode::kProbabilistic, std::uint64_t seed = 0);

  int party() const { return party_; }
  FixedParams fixed() const { return fixed_; }
  TruncMode trunc_mode() const { return mode_; }
  int parties() const { return 3; }
  CommStats stats() const { return net_.stats(); }
  // Semi-honest: nothing to check (Protocol::verify).
  void verify() {}

  Share input(int owner, std::span<const Ring> values, std::size_t n);
  // A table shared by `owner` (Protocol::input_rows), as input() shares it:
  // component `owner` is AES-CTR output of K_{owner-1} (known to the owner
  // and to party owner-1), component owner+1 = values - component owner is
  // sent to party owner+1, component owner+2 is zero. Only party owner+1
  // stores a component; the owner reads its rows from `source` again, and
  // it and party owner-1 regenerate component `owner` for the rows they
  // gather.
  struct InputRows {
    int owner = 0;
    std::size_t rows = 0, row_len = 0;
    backend::PrgSeed key{};     // K_{owner-1} (owner and party owner-1)
    std::uint64_t counter = 0;  // PRG counter of component `owner`
    RowSourceOf<R> source;      // the owner's rows
    RingVecOf<R> component;     // party owner+1: component owner+1
  };
  InputRows input_rows(int owner, RowSourceOf<R> source, std::size_t rows, std::size_t row_len);
  Share gather_rows(const InputRows& table, std::span<const std::uint32_t> idx);
  std::vector<Ring> reveal(const Share& x);
  std::vector<Ring> reveal_to(int to, const Share& x);
  // Uniform integers in [0, 2^bits), no party learns them (rep3_random.cc):
  // each component is PRG output of the key its two holders share, cut to
  // `bits` bits, and the sum's wrap count is removed by one ltz of 2n values
  // (9 rounds, ~37 bytes per value and party).
  Share random_int(std::size_t n, int bits);

  Share zeros(std::size_t n) const { return Share(n); }
  Share add(Share x, const Share& y) const;
  Share sub(Share x, const Share& y) const;
  Share neg(Share x) const;
  Share add_public(Share x, std::span<const Ring> c) const;
  Share add_public(Share x, Ring c) const;
  Share mul_public(Share x, std::span<const Ring> c) const;
  Share mul_public(Share x, Ring c) const;

  template <class F>
  Share linear(const Share& x, std::size_t out_n, F&& f) const {
    Share out(out_n);
    for (int c = 0; c < 2; ++c) f(x.part[c].data(), out.part[c].data());
    out.known_zero = x.known_zero;  // a linear map keeps a zero component zero
    return out;
  }

  Share mul(const Share& x, const Share& y);
  Share matmul(Trans ta, Trans tb, std::size_t m, std::size_t n, std::size_t k, const Share& a,
               const Share& b);
  Share trunc(const Share& x, int bits);
  Share mul_trunc(const Share& x, const Share& y, int bits);
  Share matmul_trunc(Trans ta, Trans tb, std::size_t m, std::size_t n, std::size_t k, const Share& a,
                     const Share& b, int bits);
  Share matmuls_trunc(std::span<const MatmulTerm<Share>> terms, int bits);
  Share ltz(const Share& x);
  BitFactor ltz_factor(const Share& x);
  Share mul_factor(const BitFactor& b, const Share& y);

  Bits bit_and(const Bits& a, const Bits& b);
  Bits bit_xor(const Bits& a, const Bits& b) const;
  Bits bit_not(const Bits& a) const;
  std::vector<Bits> bit_decompose(const Share& x, int bits);
  Share b2a(const Bits& b, std::size_t n);
  std::vector<std::uint64_t> reveal_bits(const Bits& b);

 private:
  // Sub-streams of one operation (the PRG counter is op << 36 | sub << 32).
  enum Stream : std::uint64_t { kS0, kS1, kS2, kS3, kS4, kS5, kS6, kS7, kS8, kS9 };

  // PRG words of this operation's sub-stream s: ring elements (W = R) or
  // bit-plane words (W = uint64_t).
  std::uint64_t stream_counter(Stream s) const { return (op_ << 36) | (static_cast<std::uint64_t>(s) << 32); }
  template <class W = R>
  RingVecOf<W> next_stream(Stream s, std::size_t n) {  // from K_i, shared with party i+1
    RingVecOf<W> v(n);
    backend_.prg_fill(key_next_, stream_counter(s), std::span<W>(v));
    return v;
  }
  template <class W = R>
  RingVecOf<W> prev_stream(Stream s, std::size_t n) {  // from K_{i-1}, shared with party i-1
    RingVecOf<W> v(n);
    backend_.prg_fill(key_prev_, stream_counter(s), std::span<W>(v));
    return v;
  }
  void fill_next(Stream s, std::span<Ring> out) { backend_.prg_fill(key_next_, stream_counter(s), out); }
  void fill_prev(Stream s, std::span<Ring> out) { backend_.prg_fill(key_prev_, stream_counter(s), out); }
  // Elements [first, first + out.size()) of the stream of `key` at `counter`
  // (two elements per AES block in Z_2^64, one in Z_2^128).
  void prg_at(const backend::PrgSeed& key, std::uint64_t counter, std::size_t first, std::span<Ring> out);
  // Reusable buffer `slot` of n words (contents unspecified): the hot paths
  // keep their PRG streams here instead of zeroing fresh vectors per call.
  std::span<Ring> scratch(int slot, std::size_t n);
  RingVecOf<R> zero_share(Stream s, std::size_t n);  // arithmetic, sums to 0 over the parties
  RingVecOf<std::uint64_t> zero_share_xor(Stream s, std::size_t n);
  void next_op() { ++op_; }
  // The party that computes its matmul summand with one GEMM (rotates per
  // product; rep3.cc, local_matmul). Every party calls this in the same order.
  int next_cheap() { return static_cast<int>(matmuls_++ % 3); }

  // Replicates a 3-out-of-3 sharing z (this party's summand) with one message
  // to the previous party.
  Share reshare(RingVecOf<R> z);
  Bits reshare_xor(RingVecOf<std::uint64_t> z);

  // Probabilistic truncation from additive summands: `z` is this party's
  // summand (P1's only if p1_has_summand, else empty), x = sum of summands.
  Share trunc_additive(RingVecOf<R> z, std::size_t n, bool p1_has_summand, int bits);
  // The same with consecutive runs truncated by their own shifts.
  Share trunc_additive(RingVecOf<R> z, std::size_t n, bool p1_has_summand, std::span<const TruncRun> runs);
  Share trunc_exact(const Share& x, int bits);
  // x as boolean planes (0..bits-1) of a P0-private summand w plus a summand
  // c = x_2 known to P1 and P2; returns the shared planes of w ^ c and of
  // g = w & c (two rounds). Plane j of p (or g) is the words
  // [j * words, (j + 1) * words) of each component.
  struct TwoSummands {
    std::size_t words = 0;
    Bits p;  // w ^ c, planes 0..bits-1
    Bits g;  // w & c, planes 0..g_planes-1
  };
  TwoSummands split_two_summands(const Share& x, int bits, Ring offset, int g_planes);
  // One plane of a flat boolean share: both components' words.
  struct PlaneRef {
    const std::uint64_t* part[2];
  };
  // Plane j of a flat boolean share of `words` words per plane.
  static PlaneRef plane_of(const Bits& b, std::size_t j, std::size_t words) {
    return {{b.part[0].data() + j * words, b.part[1].data() + j * words}};
  }
  // a[q] & b[q] for every q, one round, as planes of one flat share: the
  // operands are read where they lie (no gathering copies).
  Bits and_planes(std::span<const PlaneRef> a, std::span<const PlaneRef> b, std::size_t words);
  // Boolean share of [x < 0] (one plane, n bits): ltz without its b2a.
  Bits ltz_bits(const Share& x);
  // The first n bits of each plane, one plane after another, as one
  // BitFactor (one message, lead -> lead + 1).
  BitFactor make_factor(std::span<const Bits> planes, std::size_t n);
  // Round 2 of b2a and mul_factor: replicates a value of which the two
  // parties other than `lead` hold additive summands (`mine`).
  Share replicate_to_lead(RingVecOf<R> mine, int lead, std::size_t n);
  // b2a for several planes at once (two rounds), first n elements of each.
  std::vector<Share> b2a_planes(std::span<const Bits> planes, std::size_t n);

  net::Network& net_;
  backend::Backend& backend_;
  FixedParams fixed_;
  TruncMode mode_;
  int party_;
  backend::PrgSeed key_next_{};
  backend::PrgSeed key_prev_{};
  std::uint64_t op_ = 0;
  std::uint64_t matmuls_ = 0;
  std::uint64_t factors_ = 0;  // rotates BitFactor::lead
  RingVecOf<R> scratch_[7];    // slot 6: prg_at
};

using Rep3 = Rep3T<Ring>;
using Rep3_128 = Rep3T<Ring128>;
extern template class Rep3T<Ring>;
extern template class Rep3T<Ring128>;
static_assert(Protocol<Rep3>);
static_assert(Protocol<Rep3_128>);

}  // namespace sqt::mpc
