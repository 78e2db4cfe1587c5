// Four-party replicated secret sharing over Z_2^64 secure against one
// malicious party, with abort ("rep4", after Dalskov, Escudero and Keller,
// "Fantastic Four", USENIX Security 2021).
//
// A value is x = x_0 + x_1 + x_2 + x_3 (arithmetic) or x_0 ^ ... ^ x_3
// (boolean, bit-sliced, 64 elements per word); party i holds every component
// but x_i, as part[0..2] = (x_{i+1}, x_{i+2}, x_{i+3}). Every component is
// known to three parties, every pair of components to two.
//
// Every interactive step is the joint-message pattern (checks.h): a value
// known to two parties goes to a third from one of them while the other
// hashes it; verify() compares the hashes (one round of digests, one of
// verdicts) and every honest party aborts with VerificationError when any
// message differed. Nothing else is trusted: randomness comes from keys that
// three parties (all but one) or two share, so no honest party depends on a
// value only the adversary computed.
//
// The building block is the joint input: a value v known to parties i and j
// becomes a sharing with components k and l (the other two) set to v - R and
// R, R from the key of all but l, and v - R sent to l. Costs per element and
// party (the roles rotate per operation; docs/PROTOCOLS.md has the details):
//   input             owner sends 2 elements, 1 round
//   mul, dot product  1.5 elements, 1 round (6 pair values; a matmul costs
//                     its m x n outputs, 5 local GEMMs per party)
//   trunc             4 elements + 6 narrow values over the 4 parties, 3 rounds
//   ltz               split 2 rounds, carry tree, b2a 2 rounds
//   reveal            1 element, 1 round, then verify() (2 rounds)
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <span>
#include <string_view>
#include <vector>

#include "host/backend/backend.h"
#include "host/core/ring.h"
#include "host/mpc/protocol.h"
#include "host/mpc/rep4/checks.h"
#include "host/mpc/rep4/round.h"
#include "host/mpc/share.h"
#include "host/net/network.h"

namespace sqt::mpc {

class Rep4 {
 public:
  using Ring = sqt::Ring;
  using Share = ShareVec<3>;
  using Bits = ShareVec<3>;
  // A secret bit as an arithmetic 0/1 share: mul_factor is a multiplication.
  using BitFactor = Share;
  static constexpr std::string_view kName = "rep4";
  // ltz is exact on k bits (its adder sees the low k bits), bit_decompose on
  // every value, trunc on 63 bits (x + 2^62 is opened masked and must not
  // wrap), as in rep3.
  static constexpr int kBitDecomposeExactBits = 64;
  static constexpr int kTruncExactBits = 63;
  ExactBits exact_bits() const { return {fixed_.k, kBitDecomposeExactBits, kTruncExactBits}; }

  // Sets up the pairwise and triple-wise PRG keys (one round, then a
  // verify() of the triple keys' consistency: two more). seed == 0 draws
  // them from the kernel CSPRNG; a non-zero seed makes them reproducible,
  // for tests only. Throws NetError for a degenerate or repeated key.
  Rep4(net::Network& network, backend::Backend& backend, FixedParams fixed,
       TruncMode mode = TruncMode::kProbabilistic, std::uint64_t seed = 0);

  int party() const { return party_; }
  FixedParams fixed() const { return fixed_; }
  TruncMode trunc_mode() const { return mode_; }
  int parties() const { return 4; }
  CommStats stats() const { return net_.stats(); }
  // Checks every message since the last call (Protocol::verify).
  void verify() { checker_.verify(); }
  // What the frame being sent is (tests corrupt chosen frames with it).
  rep4::FrameLabel sending() const { return checker_.sending(); }

  Share input(int owner, std::span<const Ring> values, std::size_t n);
  // A table shared as input() shares it: components owner+1 and owner+2 are
  // PRG output (regenerated per gather), component owner+3 = values - both
  // is sent to parties owner+1 and owner+2, who keep it; the owner reads
  // its rows from `source` again.
  struct InputRows {
    int owner = 0;
    std::size_t rows = 0, row_len = 0;
    std::uint64_t counter = 0;  // PRG counter of the two random components
    RowSource source;           // the owner's rows
    RingVec kept;               // parties owner+1, owner+2: component owner+3
  };
  InputRows input_rows(int owner, RowSource source, std::size_t rows, std::size_t row_len);
  Share gather_rows(const InputRows& table, std::span<const std::uint32_t> idx);
  // verify(), the opening (each missing component from one holder, hashed by
  // another), verify() again: one round plus the checks' two.
  std::vector<Ring> reveal(const Share& x);
  std::vector<Ring> reveal_to(int to, const Share& x);
  // Uniform integers in [0, 2^bits) (rep4_random.cc).
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
    for (int c = 0; c < 3; ++c) f(x.part[c].data(), out.part[c].data());
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
  enum class Combine : std::uint8_t { kAdd, kXor, kScaled };

  // The messages of one round and the joint inputs they carry. Every party
  // makes the same calls in the same order (it takes part in some).
  class Joint {
   public:
    Joint(Rep4& p, rep4::Check check) : p_(p), round_(p.checker_, check) {}
    // v, known to parties a and b (read there only), shared into out's
    // elements [at, at + v's length): component l (the receiver) += R from
    // the key of all but l, component k (the fourth party) += v - R, which
    // `sender` (a or b) sends to l. kScaled: v matters mod 2^bits of its run
    // and is added as v << (64 - bits); it travels narrow.
    void input(int a, int b, int receiver, int sender, Combine how, std::span<const Ring> v, std::size_t n,
               Share& out, std::size_t at = 0, std::span<const TruncRun> runs = {});
    // A plain message (the hasher is the other party that knows it); v is
    // read at run(), so it must stay alive until then.
    int message(int sender, int hasher, int receiver, std::span<const Ring> v, std::size_t n,
                const rep4::Wire& wire = {});
    void run();
    RingVec& received(int handle) { return round_.received(handle); }

   private:
    struct Finish {
      int handle;
      Ring* dst;
      Combine how;
      std::vector<TruncRun> runs;
    };
    Rep4& p_;
    rep4::Round round_;
    std::deque<RingVec> keep_;  // full-width messages until run()
    std::vector<Finish> finish_;
  };

  // Component c of a share this party holds (c != party()).
  int slot(int c) const { return (c - party_ + 3) % 4; }
  RingVec& comp(Share& x, int c) const { return x.part[slot(c)]; }
  const RingVec& comp(const Share& x, int c) const { return x.part[slot(c)]; }
  // The party with role r (0..3) in the current operation: the roles rotate
  // per operation so that every party does each job equally often.
  int role(int r) const { return static_cast<int>((rot_ + static_cast<std::uint64_t>(r)) % 4); }

  void next_op() {
    ++op_;
    rot_ = op_ % 4;
    sub_ = 0;
  }
  // A fresh sub-stream of the current operation (every party draws the same
  // numbers whether or not it uses them).
  unsigned next_sub() { return sub_++; }
  std::uint64_t counter(unsigned sub) const { return (op_ << 36) | (static_cast<std::uint64_t>(sub) << 32); }
  // The key of all parties but `excluded` / of this party and `other`.
  const backend::PrgSeed& triple_key(int excluded) const { return triple_[excluded]; }
  const backend::PrgSeed& pair_key(int other) const { return pair_[other]; }
  void prg(const backend::PrgSeed& key, unsigned sub, std::span<Ring> out);
  // Elements [first, first + out.size()) of the stream of `key` at `ctr`.
  void prg_at(const backend::PrgSeed& key, std::uint64_t ctr, std::size_t first, std::span<Ring> out);

  // One plane of a flat boolean share (its three components' words), and
  // a[q] & b[q] for every plane q in one round (rep4_mul.cc).
  struct PlaneRef {
    const Ring* part[3];
  };
  static PlaneRef plane_of(const Bits& b, std::size_t j, std::size_t words) {
    return {{b.part[0].data() + j * words, b.part[1].data() + j * words, b.part[2].data() + j * words}};
  }
  Bits and_planes(std::span<const PlaneRef> a, std::span<const PlaneRef> b, std::size_t words);
  // The two as callables, for the carry circuits (host/mpc/carry_tree.h).
  static auto plane_view() {
    return [](const Bits& b, std::size_t j, std::size_t words) { return plane_of(b, j, words); };
  }
  auto and_view() {
    return [this](std::span<const PlaneRef> a, std::span<const PlaneRef> b, std::size_t words) {
      return and_planes(a, b, words);
    };
  }

  // A product before it is shared: with[q] is the value of the pair {party(),
  // q} (n values; empty for q == party()); the six pairs' values sum to the
  // product (rep4_mul.cc).
  struct PairValues {
    std::size_t n = 0;
    std::array<RingVec, 4> with;
  };
  PairValues mul_pairs(const Share& x, const Share& y);
  PairValues matmul_pairs(Trans ta, Trans tb, std::size_t m, std::size_t n, std::size_t k, const Share& a,
                          const Share& b);
  // Each pair joint-inputs its value (one round).
  Share share_pairs(const PairValues& pv);

  // Truncation of runs (rep4_trunc.cc).
  Share trunc_runs(const Share& x, std::span<const TruncRun> runs);
  Share trunc_probabilistic(const Share& x, std::span<const TruncRun> runs);
  // The probabilistic truncation of x + the pair values (either may be
  // null), in the current operation: the pair values are masked straight
  // into the first round's openings, so a product costs no round of its own.
  Share trunc_masked(const Share* x, const PairValues* pv, std::span<const TruncRun> runs);
  Share trunc_exact(const Share& x, int bits);

  // x (+ offset) as two summands known to two parties each, A = x_a + x_b +
  // offset (parties c, d) and B = x_c + x_d (parties a, b), joint-input as
  // boolean planes 0..bits-1: p = A ^ B and g = A & B (planes
  // 0..g_planes-1), two rounds (rep4_binary.cc).
  struct TwoSummands {
    std::size_t words = 0;
    Bits p, g;
  };
  TwoSummands split_two_summands(const Share& x, int bits, Ring offset, int g_planes);
  // out[0, len) += x y (XOR/AND or +/x) for x held in components a, b and y
  // in c, d (roles 0..3): four joint inputs into j.
  void cross_products(Joint& j, Combine how, const Share& x, const Share& y, std::size_t len, Share& out);
  // [x < 0] for x in the signed `width`-bit range, one plane.
  Bits ltz_bits(const Share& x, int width);
  // b2a of the first n bits of each plane, all in one pair of rounds.
  std::vector<Share> b2a_planes(std::span<const Bits> planes, std::size_t n);

  net::Network& net_;
  backend::Backend& backend_;
  FixedParams fixed_;
  TruncMode mode_;
  int party_;
  rep4::Checker checker_;
  std::array<backend::PrgSeed, 4> triple_{};  // [excluded party]; unused at party()
  std::array<backend::PrgSeed, 4> pair_{};    // [other party]; unused at party()
  std::uint64_t op_ = 0;
  std::uint64_t rot_ = 0;
  unsigned sub_ = 0;
};

static_assert(Protocol<Rep4>);

}  // namespace sqt::mpc
