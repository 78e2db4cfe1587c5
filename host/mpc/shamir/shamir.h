// Shamir secret sharing over the Galois ring GR(2^64, 4) among n = 3..10
// parties, semi-honest, honest majority: threshold t = floor((n - 1) / 2),
// any t parties learn nothing, any t + 1 reconstruct ("shamir").
//
// A secret x in Z_2^64 is the constant term of a random GR polynomial f of
// degree t with f(0) = x; party i holds f(alpha_i) (galois_ring.h for the
// points). The Share keeps the four coefficients of each party's share as
// four arrays (part[j] = coefficient j), so public Z_2^64 constants and
// linear maps act coefficientwise and every fx function runs unchanged.
//
// Binary domain: a Bits is a GF(16) Shamir sharing of bits (the residue
// field of GR), bit-sliced: part[j] holds bit j of the GF(16) share of 64
// elements per word. A GR share reduced mod 2 is the GF(16) share of the
// secret's low bit, for free.
//
// Multiplication (DN07 with a rotating king): the 2t + 1 "senders" (parties
// 0..2t) each send one word per product, coefficient 0 of lambda_i x_i y_i
// plus their additive share of a random r (a double sharing, below), to
// the king of that element; the king adds them, gets x y + r and sends it back;
// everyone takes x y + r - [r]_t. Elements are split into n runs, run j's
// king is party j, so each party sends about 2 words per product whatever n
// is. Two rounds. docs/PROTOCOLS.md ("shamir") has the costs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "host/backend/backend.h"
#include "host/core/ring.h"
#include "host/mpc/protocol.h"
#include "host/mpc/shamir/galois_ring.h"
#include "host/mpc/share.h"
#include "host/net/network.h"

namespace sqt::mpc {

// Coefficients a_0..a_m over Z_2^64 of the polynomial with a(S) = S mod 2
// for S = 0..m (shamir_parity.cc).
std::vector<Ring> parity_polynomial(int m);

class Shamir {
 public:
  using Ring = sqt::Ring;
  using Share = ShareVec<4>;
  using Bits = ShareVec<4>;
  using BitFactor = Share;
  static constexpr std::string_view kName = "shamir";
  static constexpr int kMinParties = 3, kMaxParties = 10;
  // ltz and bit_decompose open x + R for a uniform R and run a circuit on all
  // 64 bits (exact everywhere); trunc opens x + 2^62 + R (63 bits).
  static constexpr int kTruncExactBits = 63;
  ExactBits exact_bits() const { return {64, 64, kTruncExactBits}; }

  // Sets up the PRSS keys (one per set of t parties, held by the others)
  // and the pairwise keys: one round. seed == 0 draws them from the kernel
  // CSPRNG; a non-zero seed makes them reproducible (tests only).
  // `products`: the rounding of matmul_trunc and matmuls_trunc in
  // probabilistic mode; kUnbiased leaves out the masks' carries into bit b
  // (shamir_carries.cc, docs/PROTOCOLS.md): floor(x / 2^b) plus an error in
  // product_error(), mean -t 2^-(b+1) ulp.
  Shamir(net::Network& network, backend::Backend& backend, FixedParams fixed,
         TruncMode mode = TruncMode::kProbabilistic, std::uint64_t seed = 0,
         ProductRounding products = ProductRounding::kUnbiased);

  int party() const { return party_; }
  int parties() const { return n_; }
  int threshold() const { return t_; }
  FixedParams fixed() const { return fixed_; }
  TruncMode trunc_mode() const { return mode_; }
  ProductRounding product_rounding() const {
    return mode_ == TruncMode::kExact ? ProductRounding::kAsTrunc : products_;
  }
  // With kUnbiased: the product's error range in ulps, [-ceil(t/2), 1 + ceil(t/2)].
  ProductError product_error() const { return {-(t_ + 1) / 2, 1 + (t_ + 1) / 2}; }
  CommStats stats() const { return net_.stats(); }
  void verify() {}  // semi-honest

  // The owner deals a random degree-t sharing of each value (4 words to
  // every other party), one round.
  Share input(int owner, std::span<const Ring> values, std::size_t n);
  // The table stays with its owner; gather_rows deals the gathered rows
  // (as input(), one round), so no party holds shares of the whole table.
  struct InputRows {
    int owner = 0;
    std::size_t rows = 0, row_len = 0;
    RowSource source;
  };
  InputRows input_rows(int owner, RowSource source, std::size_t rows, std::size_t row_len);
  Share gather_rows(const InputRows& table, std::span<const std::uint32_t> idx);
  // Parties 0..t send coefficient 0 of lambda_i x_i (one word each) to the
  // others (reveal) or to `to`: one round.
  std::vector<Ring> reveal(const Share& x);
  std::vector<Ring> reveal_to(int to, const Share& x);
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
    for (int c = 0; c < 4; ++c) f(x.part[c].data(), out.part[c].data());
    return out;
  }

  Share mul(const Share& x, const Share& y);
  Share matmul(Trans ta, Trans tb, std::size_t m, std::size_t n, std::size_t k, const Share& a,
               const Share& b);
  Share trunc(const Share& x, int bits);
  Share mul_trunc(const Share& x, const Share& y, int bits) { return trunc(mul(x, y), bits); }
  Share matmul_trunc(Trans ta, Trans tb, std::size_t m, std::size_t n, std::size_t k, const Share& a,
                     const Share& b, int bits) {
    const TruncRun run{m * n, bits};
    return trunc_runs(matmul(ta, tb, m, n, k, a, b), std::span(&run, 1), product_carries());
  }
  Share matmuls_trunc(std::span<const MatmulTerm<Share>> terms, int bits);
  Share ltz(const Share& x);
  BitFactor ltz_factor(const Share& x) { return ltz(x); }
  Share mul_factor(const BitFactor& b, const Share& y) { return mul(b, y); }

  Bits bit_and(const Bits& a, const Bits& b);
  Bits bit_xor(const Bits& a, const Bits& b) const;
  Bits bit_not(const Bits& a) const;
  std::vector<Bits> bit_decompose(const Share& x, int bits);
  Share b2a(const Bits& b, std::size_t n);
  std::vector<std::uint64_t> reveal_bits(const Bits& b);

  // Random double sharings: [r]_t and, for each sender (parties 0..2t),
  // an additive share of the same uniform r in Z_2^64. Every degree
  // reduction consumes one per element. kPrss draws them from the PRSS keys
  // (no message, C(n - 1, t) AES words and 4 C(n - 1, t) multiply-adds per
  // pair); kBatched makes them in batches (shamir_doubles.cc): every party
  // deals random sharings and a systematic MDS matrix over GR extracts
  // n - t outputs per n dealt, one extra round per batch and about
  // 32 (n - 1 - t) / (n - t) bytes per pair. Batches start at kFirstBatch
  // and double up to the set size, so short runs deal little. The
  // constructor picks by n (kBatchedFrom: network A ran slower batched at
  // n = 7 and 8, even at 9, faster at 10, docs/PROTOCOLS.md); tests may
  // force either.
  struct Double {
    Share r;
    RingVec additive;
  };
  enum class DoubleSource { kPrss, kBatched };
  static constexpr int kBatchedFrom = 10;
  static constexpr std::size_t kDoubleBatch = std::size_t{1} << 18;  // pairs per batch
  static constexpr std::size_t kBitBatch = std::size_t{1} << 18;     // words of binary pairs
  static constexpr std::size_t kFirstBatch = 4096;
  void set_double_source(DoubleSource source, std::size_t batch = kDoubleBatch,
                         std::size_t bit_batch = kBitBatch);
  DoubleSource double_source() const { return source_; }
  // Makes sure `count` pairs (words of binary pairs) are ready, dealing now
  // if not, so a cost measurement can leave the dealing out.
  void prepare_doubles(std::size_t count);
  void prepare_bit_doubles(std::size_t words);
  std::uint64_t doubles_used() const { return doubles_used_; }
  std::uint64_t bit_doubles_used() const { return bit_doubles_used_; }
  Double take_double(std::size_t n);
  // The (n - t) x t Cauchy part A of the extraction matrix [I | A]: entries
  // lifted from GF(16) with 0/1 coefficients, every square submatrix
  // invertible mod 2 and hence over GR. Row-major.
  static std::vector<shamir::Gr> extraction_matrix(int n, int t);

  // Truncation, ltz, bit_decompose and random_int run their circuits on
  // at most `chunk` elements at a time: the dealt planes, carries and the
  // b2a of a circuit hold a few hundred bytes per element at n = 10, so a
  // conv layer's 1.47M outputs at once did not fit. The masks of the whole
  // vector are drawn once (the same dealers and PRG blocks), so the
  // opened values do not depend on the chunk size; the circuit's rounds
  // repeat per chunk. set_chunk takes a positive multiple of 64 (tests use
  // small ones).
  static constexpr std::size_t kChunk = std::size_t{1} << 18;
  void set_chunk(std::size_t elements);
  std::size_t chunk() const { return chunk_; }

  // Random shared bits in both domains (daBits): t + 1 dealers' random bits
  // summed by one king round, the sum's parity taken in GR
  // (parity_of_sum). Public for the distribution tests.
  Share dabits(std::size_t n);
  // The GF(16) sharing of bit 0 of each element of x (mod-2 reduction).
  static Bits low_bits(const Share& x, std::size_t from, std::size_t n);

 private:
  // PRSS (Cramer, Damgard, Ishai 2005): for every set A of t parties a key
  // held by the others; [r]_t = sum_A rho_A f_A(alpha_i) with f_A(0) = 1,
  // f_A = 0 on A. r = sum_A rho_A is hidden from any t parties (the key of
  // their own set is missing), and needs no message.
  struct PrssKey {
    backend::PrgSeed key{};
    shamir::Gr coeff;     // f_A(alpha_party)
    bool holder = false;  // this party adds rho_A to its additive share
  };
  // [r]_t and this sender's additive share of r plus its share of a zero
  // sum among the senders, from the PRSS keys.
  Double draw_double(std::size_t n);
  // A batch of at least `count` pairs (words of GF(16) bit planes when
  // binary) by dealing and extraction: one round.
  Double make_doubles(std::size_t count, bool binary);
  Double draw_double_bits(std::size_t words);
  Double take_double_bits(std::size_t words);
  // The king round trip: senders' words u (summed, or XORed when xor_) are
  // opened per run to its king and back; returns the opened values.
  std::vector<Ring> king_open(const RingVec& u, bool xor_);
  // [x y]_t from the senders' local coefficient-0 products u (mul, matmul).
  Share reduce(RingVec u);
  // [S mod 2] for S = the sum of the senders' words u, each 0 or 1 and at
  // most m of them nonzero per element: a king round and ceil(m / 2)
  // products.
  Share parity_of_sum(RingVec u, int m);
  Bits reduce_bits(RingVec u);
  bool sender() const { return party_ <= 2 * t_; }
  void prg(const backend::PrgSeed& key, std::span<Ring> out);
  void advance(std::size_t words) { ctr_ += words / 2 + 2; }
  // Deals each dealer's values (dealers 0..count-1 pass theirs, others
  // empty): one round, every dealer's sharing returned in dealer order.
  std::vector<int> next_dealers();
  // The dealing of input() and deal(): each of `dealers` shares its values
  // (GR, or GF(16) planes when binary), t shares from pairwise keys.
  std::vector<Share> deal_from(std::span<const int> dealers, std::span<const Ring> mine, std::size_t n,
                               bool binary);
  std::vector<int> seeded(int dealer) const;
  void seeded_stream(int dealer, int other, std::span<Ring> out);
  void send_share(int to, const Share& s);
  Share recv_share(int from, std::size_t n);

  // Binary circuits (shamir_binary.cc).
  Bits less_than(std::span<const Ring> c, const std::vector<Bits>& r, std::span<const int> width,
                 std::size_t n);
  // The t + 1 dealers of a vector's masks and where each dealer's r_i
  // starts in its private stream: elements [at, at + len) of the vector
  // read the blocks from ctr + at / 2 (at even), whatever the chunking.
  struct MaskDraw {
    std::vector<int> dealers;
    std::uint64_t ctr = 0;
    bool dealer = false;
  };
  MaskDraw draw_masks(std::size_t n);
  // A uniform R: [R], its 64 bit planes, and with shifts b_e given,
  // [R >> b_e] and [bit 63 of R], for elements [at, at + n) of the vector
  // of `draw` (shamir_edabits.cc).
  struct Masked {
    Share r;
    std::vector<Bits> planes;
    Share shifted, top;
  };
  Masked masked(const MaskDraw& draw, std::size_t at, std::size_t n, std::span<const int> shifts = {});
  // The dealt parts: [R] = sum [r_i], sum [r_i >> b_e], each r_i's planes.
  struct Dealt {
    Share r, hi;
    std::vector<std::vector<Bits>> operands;
  };
  Dealt deal_masks(const MaskDraw& draw, std::size_t at, std::size_t n, std::span<const int> shifts);
  // masked() without R's planes (probabilistic truncation,
  // shamir_carries.cc): carry-save compression and a few carries.
  // Carries::kWithout leaves out the carries into bit b (R >> b is then
  // short by C_b in [0, t], which trunc_chunk corrects in the mean).
  enum class Carries : std::uint8_t { kAll, kWithout };
  Masked masked_carries(const MaskDraw& draw, std::size_t at, std::size_t n, std::span<const int> shifts,
                        Carries carries = Carries::kAll);
  // One chunk of ltz / trunc_runs (elements [at, at + x.size()) of the vector).
  Share ltz_chunk(const Share& x, const MaskDraw& draw, std::size_t at);
  Share trunc_chunk(const Share& x, std::span<const int> shift, const MaskDraw& draw, std::size_t at,
                    Carries carries);
  std::vector<Bits> decompose_chunk(const Share& x, int bits, const MaskDraw& draw, std::size_t at);
  using Planes = std::vector<Bits>;
  struct Planes2 {
    Planes a, b;
  };
  Planes2 compress(std::vector<Planes> ops, std::size_t words, std::vector<Planes>* spill);
  std::vector<Bits> carries_into(const Planes& g, const Planes& p, std::span<const int> positions,
                                 std::size_t words);
  struct Sum {
    std::vector<Bits> sum, carry;
  };
  Sum add_planes(const std::vector<Bits>& a, const std::vector<Bits>& b, std::size_t words);
  Share trunc_runs(const Share& x, std::span<const TruncRun> runs, Carries carries = Carries::kAll);
  Carries product_carries() const {
    return product_rounding() == ProductRounding::kUnbiased ? Carries::kWithout : Carries::kAll;
  }

  net::Network& net_;
  backend::Backend& backend_;
  FixedParams fixed_;
  TruncMode mode_;
  ProductRounding products_;
  int party_, n_, t_;
  std::vector<PrssKey> prss_;
  std::vector<backend::PrgSeed> pair_;  // [other party]
  backend::PrgSeed own_{};              // this party's private stream
  std::uint64_t ctr_ = 1, own_ctr_ = 1, rot_ = 0;
  Double bit_pool_;
  DoubleSource source_ = DoubleSource::kPrss;
  std::size_t double_batch_ = kDoubleBatch, bit_batch_ = kBitBatch;
  std::size_t grow_ = kFirstBatch, bit_grow_ = kFirstBatch;  // the next batch sizes
  Double pool_;
  std::size_t pool_at_ = 0;
  std::uint64_t doubles_used_ = 0, bit_doubles_used_ = 0;
  std::size_t bit_pool_at_ = 0;
  std::size_t chunk_ = kChunk;
  std::vector<shamir::Gr> lambda_open_;  // parties 0..t
  std::vector<shamir::Gr> lambda_mul_;   // parties 0..2t
};

static_assert(Protocol<Shamir>);

}  // namespace sqt::mpc
