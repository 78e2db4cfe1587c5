// Three-party replicated secret sharing over Z_2^128 with MACs, secure with
// abort against one malicious party ("mal-rep3"): SPDZ-wise replicated
// sharing (Chida et al., CRYPTO 2018; Abspoel, Dalskov, Escudero, Nof,
// ACNS 2021) with rep3's products and a public-mask truncation.
//
// A value x is a rep3 sharing of x and one of alpha x, for a secret key
// alpha uniform in Z_2^128 that no party knows: party i holds (x_i, x_{i+1},
// (alpha x)_i, (alpha x)_{i+1}) as part[0..3]. Linear maps act on all four.
// mul and matmul run rep3's product on (x, y) and on (alpha x, y) and reshare
// both in one message (a matrix product costs its outputs, not its inner
// dimension). Every product, input MAC and truncation mask MAC is kept until
// verify(), which checks a random linear combination of them (coefficients
// from a seed opened after they are fixed) against alpha: an error of 2-adic
// valuation v passes with probability about 2^-(128-v-log2(128-v)), so
// values are checked modulo 2^81 with more than 40 bits. Every opening is a
// joint message (one holder sends, the other hashes; checks.h).
//
// Truncation (public mask): c = x + 2^62 + r is opened to all with r = r_0 +
// r_1 + r_2, component r_j uniform in [0, 2^79) and known to its two holders;
// y = ((c mod 2^81) >> b) - (r >> b) - 2^(62-b), with r >> b = sum_j (r_j >> b)
// plus the carry of the components' low b bits (bit_decompose of b + 2 bits,
// b2a of two planes), whose MAC comes from one product [alpha][r >> b]. y is
// floor(x / 2^b) or one more (stochastic rounding, exact on multiples of
// 2^b, as the fx functions need). The layers' products (matmul_trunc,
// matmuls_trunc) skip the carry by default (ProductRounding::kUnbiased) and
// round component 2's r_2 >> b up instead: y is then floor(x / 2^b) - 1 to
// + 2 with mean error exactly 0 and variance 1/3 - 4^-b / 3 ulp^2, for the
// opening and mask MAC alone (docs/PROTOCOLS.md). c never wraps for
// |x| < 2^62 and lies below 2^63 + 3 * 2^79 < 2^81, so reading c mod 2^81
// changes nothing for an honest x while no error at bit 81 or above (which
// the MAC check does not cover) reaches y: no operation moves bits down but
// truncation, and reveal sign-extends from bit 80.
// c hides x with statistical distance below |x| / 2^79.
//
// Costs per element and party (bytes of Z_2^128 elements):
//   input             owner 16 bytes, then the MAC product 16, 2 rounds
//   mul, matmul       32 bytes (value and MAC summands), 1 round
//   trunc             opening 16 + mask MAC 16 bytes (1 round) after the
//                     masks' carry (bit_decompose, b2a: 10 rounds at b = 16)
//   matmuls_trunc     the product's round, then the opening and mask MAC
//                     (1 round, 32 bytes; with kAsTrunc: trunc)
//   reveal            16 bytes, 1 round, plus verify() before and after
//   verify()          5 rounds, a few hundred bytes, whatever was checked
//
// Binary domain (mal_rep3_binary.cc): boolean replicated sharing, 64
// elements per word as in rep3. A value's three components are each known
// to two parties, so their bit planes are boolean sharings without any
// message; bit_decompose and ltz add the three with a carry-save layer and
// rep3's carry trees. Every AND gate is kept and verified at verify()
// (mal_rep3_verify.cc): random triples are made, shuffled by words into
// buckets of B from a seed opened afterwards, sacrificed against each other
// and then against the gates, with B chosen so that a bad gate passes with
// probability below 2^-40. b2a turns each boolean component into an
// arithmetic one (the same two holders) with MACs and XORs the three with
// two verified products, so both sharings come from the same components.
// TruncMode::kExact subtracts the low b bits first (bit_decompose, b2a) and
// then opens with masks whose low b bits are zero: exact, floor(x / 2^b).
// random_int: components uniform in [0, 2^bits) reduced by bit_decompose.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "host/backend/backend.h"
#include "host/core/ring.h"
#include "host/mpc/mal_rep3/checks.h"
#include "host/mpc/protocol.h"
#include "host/mpc/share.h"
#include "host/net/network.h"

namespace sqt::mpc {

class MalRep3 {
 public:
  using Ring = Ring128;
  using Share = ShareVec<4, Ring128>;
  using Bits = ShareVec<2, std::uint64_t>;
  using BitFactor = Share;
  static constexpr std::string_view kName = "mal-rep3";
  // Truncation masks: three components of kMaskBits bits each.
  static constexpr int kMaskBits = 79;
  // Values are verified modulo 2^kCheckedBits; reveal sign-extends from
  // there (exact for values in the signed kCheckedBits-bit range).
  static constexpr int kCheckedBits = 81;
  static constexpr int kTruncExactBits = 63;
  static constexpr int kMaxTruncBits = 62;
  ExactBits exact_bits() const { return {fixed_.k, 64, kTruncExactBits}; }

  // Exchanges the pairwise PRG keys (one round) and derives the MAC key's
  // sharing from them. seed == 0 draws the keys from the kernel CSPRNG; a
  // non-zero seed is for tests only. fixed.k must be at most 31 (truncation
  // inputs are products of two k-bit values, below 2^62).
  // `products`: the rounding of matmul_trunc and matmuls_trunc in
  // probabilistic mode (kAsTrunc: with the masks' carry, as trunc).
  MalRep3(net::Network& network, backend::Backend& backend, FixedParams fixed = FixedParams{16, 31},
          TruncMode mode = TruncMode::kProbabilistic, std::uint64_t seed = 0,
          ProductRounding products = ProductRounding::kUnbiased);

  int party() const { return party_; }
  FixedParams fixed() const { return fixed_; }
  TruncMode trunc_mode() const { return mode_; }
  ProductRounding product_rounding() const {
    return mode_ == TruncMode::kExact ? ProductRounding::kAsTrunc : products_;
  }
  int parties() const { return 3; }
  CommStats stats() const { return net_.stats(); }
  void verify();
  // The frame being sent (tests corrupt chosen frames with it).
  mal_rep3::FrameLabel sending() const { return checker_.sending(); }
  // Test only: in this party's next truncation of that kind, bit_decompose
  // gets its copy of one component (part 0: component i, 1: i + 1) with
  // bit `bit` of element 0 flipped, as a deviating holder could use: the
  // masks' low parts in the carry (kMaskLow), or the value in exact
  // truncation (kValueLow). The other holder uses the right copy.
  struct CopyFault {
    enum class Where : std::uint8_t { kNone, kMaskLow, kValueLow };
    Where where = Where::kNone;
    int part = 0;
    int bit = 0;
  };
  void set_copy_fault_for_test(CopyFault f) { copy_fault_ = f; }

  Share input(int owner, std::span<const Ring> values, std::size_t n);
  // A table the owner keeps: gather_rows inputs the gathered rows again
  // (interactive, the cost of input() for the batch), so no party holds the
  // whole table's MACs.
  struct InputRows {
    int owner = 0;
    std::size_t rows = 0, row_len = 0;
    RowSourceOf<Ring128> source;
  };
  InputRows input_rows(int owner, RowSourceOf<Ring128> source, std::size_t rows, std::size_t row_len);
  Share gather_rows(const InputRows& table, std::span<const std::uint32_t> idx);
  // verify(), the opening (joint messages), verify() again.
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
  Share mul_trunc(const Share& x, const Share& y, int bits);
  Share matmul_trunc(Trans ta, Trans tb, std::size_t m, std::size_t n, std::size_t k, const Share& a,
                     const Share& b, int bits);
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

 private:
  using Check = mal_rep3::Check;
  using Vec = RingVecOf<Ring128>;

  std::uint64_t counter(unsigned sub) const { return (op_ << 36) | (static_cast<std::uint64_t>(sub) << 32); }
  void next_op() { ++op_; }
  Vec next_stream(unsigned sub, std::size_t n);  // K_i, shared with party i+1: component i+1
  Vec prev_stream(unsigned sub, std::size_t n);  // K_{i-1}, shared with party i-1: component i
  Vec zero_share(unsigned sub, std::size_t n);
  // Replicates this party's summands (value then MAC, n each) with one
  // message to the previous party, labelled `check`.
  Share reshare(Vec summands, std::size_t n, Check check);
  // The MAC components of a plain rep3 sharing (x0, x1): [alpha][x], one round.
  void add_mac(Share& x, Check check);
  // Keeps x's value and MAC for the next verify() (every party alike).
  void keep(const Share& x, Check check);
  // Joint opening of the two value components (+ public `offset` in
  // component 0) to every party.
  Vec open(const Vec& c0, const Vec& c1, Check check);
  // Truncation in the object's mode; truncate_product in the products'
  // rounding. trunc_runs is the masked opening: kCarry adds the masks'
  // carry (stochastic rounding), kNoCarry leaves it out (kUnbiased),
  // kMultiple has x a multiple of 2^b per run (exact, masks without low bits).
  enum class Masks : std::uint8_t { kCarry, kNoCarry, kMultiple };
  Share truncate(const Share& x, std::span<const TruncRun> runs);
  Share truncate_product(const Share& x, std::span<const TruncRun> runs);
  Share trunc_runs(const Share& x, std::span<const TruncRun> runs, Masks masks);
  // The carries (0, 1, 2) of the truncation masks' low bits, per run.
  Share mask_carries(const Share& low, std::span<const TruncRun> runs);
  // This party's summands (value, MAC) of op(A) op(B) into z[0, mn) and
  // z[mn, 2mn) (accumulating).
  void local_matmul(Trans ta, Trans tb, std::size_t m, std::size_t n, std::size_t k, const Share& a,
                    std::size_t a_at, const Share& b, std::size_t b_at, Ring* z_value, Ring* z_mac);
  [[noreturn]] void not_built(const char* what) const;
  // x, or x with copy_fault_ applied once when it is for `where`.
  Share faulty_copy(Share x, CopyFault::Where where);

  // ---- binary domain (mal_rep3_binary.cc)
  using Words = RingVecOf<std::uint64_t>;
  Words next_words(unsigned sub, std::size_t n);
  Words prev_words(unsigned sub, std::size_t n);
  Words zero_share_xor(unsigned sub, std::size_t n);
  struct PlaneRef {
    const std::uint64_t* part[2];
  };
  static PlaneRef plane_of(const Bits& b, std::size_t j, std::size_t words) {
    return {{b.part[0].data() + j * words, b.part[1].data() + j * words}};
  }
  // a[q] & b[q] for every q, one round; the gates are kept for verify().
  Bits and_planes(std::span<const PlaneRef> a, std::span<const PlaneRef> b, std::size_t words);
  // x + offset as p = s ^ carry and g = s & carry planes of the carry-save
  // sum of its three components (two AND rounds).
  struct TwoNumbers {
    std::size_t words = 0;
    Bits p;  // planes 0..bits-1
    Bits g;  // planes 0..g_planes-1
  };
  TwoNumbers split_three(const Share& x, int bits, Ring offset, int g_planes);
  Bits ltz_bits(const Share& x);
  // Arithmetic shares of the first n bits of each plane of `all`
  // (planes of `words` words, one after another).
  Share b2a_flat(const Bits& all, std::size_t planes, std::size_t words, std::size_t n);
  // The MACs of b2a_flat's three single-component sharings, one round.
  void mac_components(Share& parts, std::size_t total);

  // ---- verify() (mal_rep3_verify.cc)
  // Random AND triple words (a, b, c) in this party's two components, c by
  // one semi-honest AND round. One struct per word, so that shuffling them
  // into buckets moves one cache line per word.
  struct TripleWord {
    std::uint64_t a[2], b[2], c[2];
  };
  std::vector<TripleWord> make_triples(std::size_t words);

  net::Network& net_;
  backend::Backend& backend_;
  FixedParams fixed_;
  TruncMode mode_;
  ProductRounding products_;
  int party_;
  mal_rep3::Checker checker_;
  backend::PrgSeed key_next_{}, key_prev_{};
  Ring alpha_[2] = {0, 0};  // (alpha_i, alpha_{i+1})
  std::uint64_t op_ = 0;
  // Values kept for the next verify(), per check, and their element count.
  std::vector<Share> kept_[mal_rep3::kCheckKinds];
  std::size_t kept_elements_ = 0;
  // AND gates (x, y, z) since the last verify(), one Bits each per call.
  std::vector<Bits> gate_x_, gate_y_, gate_z_;
  std::size_t gate_words_ = 0;
  CopyFault copy_fault_;
};

static_assert(Protocol<MalRep3>);

}  // namespace sqt::mpc
