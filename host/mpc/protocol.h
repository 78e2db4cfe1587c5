// The protocol interface: what every security model provides, as a C++20
// concept. Protocol-generic algorithms (host/mpc/fixed/) and the layers
// (host/nn/) are templates over a type P that models Protocol; the runtime
// choice (--protocol) is made once, in host/cli, by instantiating them.
//
// Every operation is vectorized: it takes whole share vectors and costs a
// fixed number of communication rounds whatever their length.
//
// Adding a security model (mal-rep3, rep4, shamir, semi2k, spdz2k) means a new
// folder host/mpc/<model>/ with a class that models this concept; nothing in
// host/mpc/fixed or host/nn changes.
//
// One protocol object per run: shares, MAC keys and preprocessed material
// belong to the object that made them, so a caller (the trainer) builds one
// object per run and keeps it until the run ends; shares never move between
// objects. Optional capabilities are detected with `requires` by their
// users: reseed(seed) (the clear emulation restarts its PRG stream so that
// an epoch's randomness depends only on (seed, epoch), host/nn/trainer.h;
// secure protocols draw from their keys and have none) and
// take_range_violations() (the emulation's count of inputs outside
// ExactBits, reported per epoch in the trainer's metrics; a secure protocol
// cannot see its inputs).
#pragma once

#include <algorithm>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "host/backend/backend.h"
#include "host/core/error.h"
#include "host/core/ring.h"
#include "host/net/network.h"

namespace sqt::mpc {

using backend::Trans;

// One party's communication counters (payload bytes sent, rounds, ...),
// cumulative since its network was opened; all zeros in the clear emulation.
using CommStats = net::TrafficStats;

// Truncation flavour: probabilistic (stochastic rounding, the default) or
// exact (deterministic floor).
enum class TruncMode : std::uint8_t { kProbabilistic, kExact };

// How matmul_trunc and matmuls_trunc round in probabilistic mode (exact mode:
// the floor, as trunc). kAsTrunc: as trunc. kUnbiased: floor(x / 2^b) plus an
// error in product_error(p) (mal-rep3: {-1, 0, 1, 2}; shamir: wider with t)
// with mean about 0, not exact on multiples of 2^b (the masks' carries are
// left out, docs/PROTOCOLS.md); for the layers' products, whose callers need
// no exact multiples (the fx functions use mul_trunc and trunc). A protocol
// states it as p.product_rounding(); without it, kAsTrunc.
enum class ProductRounding : std::uint8_t { kAsTrunc, kUnbiased };
template <class P>
ProductRounding product_rounding(const P& p) {
  if constexpr (requires { p.product_rounding(); })
    return p.product_rounding();
  else
    return ProductRounding::kAsTrunc;
}
// The error range of kUnbiased in ulps of the result: q - floor(x / 2^b) in
// [lo, hi]. A protocol states it as p.product_error(); without it, [-1, 2].
struct ProductError {
  int lo = -1, hi = 2;
};
template <class P>
ProductError product_error(const P& p) {
  if constexpr (requires { p.product_error(); })
    return p.product_error();
  else
    return {};
}

// The exactness contract (docs/PROTOCOLS.md, "Exact ranges"): per operation,
// the signed width w in which it is exact, i.e. for every input x with
// -2^(w-1) <= x < 2^(w-1) as a two's-complement ring value (w = 64: every
// value). Protocol-generic code sizes its intermediates against these
// instead of assuming one protocol's numbers; the clear emulation computes
// what the contract promises and counts the inputs outside it
// (Clear::range_violations).
struct ExactBits {
  // ltz and ltz_factor, [x < 0]. rep3 and clear: k (fixed().k); outside,
  // both give bit k-1 of x (the sign of x's low k bits).
  int ltz = 0;
  // bit_decompose, the low `bits` bits of x. rep3 and clear: 64.
  int bit_decompose = 0;
  // trunc and the truncation of every fused form (mul_trunc, matmul_trunc,
  // matmuls_trunc), on the value before the shift. rep3 and clear: 63 (rep3
  // opens x + 2^62 masked; outside, its result is off by a multiple of
  // 2^(64-bits) that depends on its randomness; clear gives the floor).
  int trunc = 0;
};

// The narrowest truncation range a protocol may have (the concept requires
// P::kTruncExactBits >= it): code that is not a template over the protocol
// (Winograd's headroom, host/nn/winograd.h) sizes itself against this.
inline constexpr int kMinTruncExactBits = 63;

// Whether x lies in the signed range of width `bits` (1 to the ring's width).
template <RingElement T>
constexpr bool in_exact_range(T x, int bits) {
  return bits >= ring_bits<T> || ((x + (T{1} << (bits - 1))) >> bits) == 0;
}

// Inputs outside a protocol's ExactBits, per kind, as the clear emulation
// counts them (a secure protocol cannot see its inputs).
struct RangeViolations {
  std::uint64_t ltz = 0, bit_decompose = 0, trunc = 0;
  std::uint64_t total() const { return ltz + bit_decompose + trunc; }
  bool operator==(const RangeViolations&) const = default;
};

// One product of a batched multiply-map-truncate (Protocol::matmuls_trunc):
// op(A) op(B), m x n, then the public linear map `map` from the m*n product
// to out_n values (its output starts zeroed, so it may accumulate, as col2im
// does), or the product itself (out_n = m*n) when map is empty. A share
// `addend` of out_n values (at the product's scale) is added before the
// truncation; with a == nullptr the term is the addend alone. That is how
// SGD's momentum joins the weight gradient's truncation (host/nn/model.h).
// `bits` > 0 truncates this term's outputs by its own shift instead of the
// call's: a dense layer's dX (weights at 2f) and dW (at f) share one call.
// `blocks` > 1 makes the term that many independent products of the same
// shape (A holds blocks x op(A), B blocks x op(B), one after the other), whose
// blocks x m x n values the map takes together: a Winograd convolution's
// per-point products meet in its output transform (host/nn/winograd.h).
template <class S>
struct MatmulTerm {
  Trans ta = Trans::kNo, tb = Trans::kNo;
  std::size_t m = 0, n = 0, k = 0;
  const S* a = nullptr;
  const S* b = nullptr;
  std::size_t out_n = 0;
  std::function<void(const typename S::Elem*, typename S::Elem*)> map{};
  const S* addend = nullptr;
  int bits = 0;
  std::size_t blocks = 1;
};

// A run of `count` consecutive elements truncated by `bits`.
struct TruncRun {
  std::size_t count = 0;
  int bits = 0;
};

// The truncation runs of a term list (adjacent terms with the same shift
// merged); `bits` is the call's shift.
template <class S>
std::vector<TruncRun> matmul_term_runs(std::span<const MatmulTerm<S>> terms, int bits) {
  std::vector<TruncRun> runs;
  for (const auto& t : terms) {
    const int b = t.bits > 0 ? t.bits : bits;
    if (!runs.empty() && runs.back().bits == b)
      runs.back().count += t.out_n;
    else
      runs.push_back({t.out_n, b});
  }
  return runs;
}

// Checks a term list and returns the total output count; `who` names the
// protocol in the error.
template <class S>
std::size_t matmul_terms_total(std::span<const MatmulTerm<S>> terms, const char* who) {
  std::size_t total = 0;
  for (const auto& t : terms) {
    if (t.a == nullptr && t.addend == nullptr)
      throw ShapeError(std::string(who) + " matmuls_trunc: a term with neither a product nor an addend");
    if (t.blocks == 0) throw ShapeError(std::string(who) + " matmuls_trunc: a term of 0 blocks");
    if (t.a != nullptr && !t.map && t.out_n != t.blocks * t.m * t.n) {
      throw ShapeError(std::string(who) + " matmuls_trunc: an unmapped " + std::to_string(t.blocks) + " x " +
                       std::to_string(t.m) + "x" + std::to_string(t.n) + " product cannot fill " +
                       std::to_string(t.out_n) + " outputs");
    }
    if (t.a != nullptr && (t.a->size() != t.blocks * t.m * t.k || t.b->size() != t.blocks * t.k * t.n)) {
      throw ShapeError(std::string(who) + " matmuls_trunc: A has " + std::to_string(t.a->size()) +
                       " elements and B " + std::to_string(t.b->size()) + ", expected " +
                       std::to_string(t.blocks) + " x " + std::to_string(t.m) + "x" + std::to_string(t.k) +
                       " and " + std::to_string(t.blocks) + " x " + std::to_string(t.k) + "x" +
                       std::to_string(t.n));
    }
    if (t.addend != nullptr && t.addend->size() != t.out_n) {
      throw ShapeError(std::string(who) + " matmuls_trunc: an addend of " + std::to_string(t.addend->size()) +
                       " values for " + std::to_string(t.out_n) + " outputs");
    }
    total += t.out_n;
  }
  return total;
}

// A term's product (blocks x m x n) through p.matmul, block by block: the
// reference path of protocols whose matmuls_trunc has no fused local form.
template <class P, class S>
S blocked_matmul(P& p, const MatmulTerm<S>& t) {
  if (t.blocks == 1) return p.matmul(t.ta, t.tb, t.m, t.n, t.k, *t.a, *t.b);
  const std::size_t mk = t.m * t.k, kn = t.k * t.n, mn = t.m * t.n;
  auto out = S::uninitialized(t.blocks * mn);
  for (std::size_t blk = 0; blk < t.blocks; ++blk) {
    const S product =
        p.matmul(t.ta, t.tb, t.m, t.n, t.k, block_of(*t.a, blk * mk, mk), block_of(*t.b, blk * kn, kn));
    for (std::size_t c = 0; c < out.part.size(); ++c)
      std::copy(product.part[c].begin(), product.part[c].end(), out.part[c].begin() + blk * mn);
  }
  return out;
}

// The owner's side of Protocol::input_rows: writes the rows idx[0], idx[1],
// ... of its table (row_len values each) to out, one after another. It is
// called for slices of the table while sharing and for the rows of each
// gather, so the owner need not hold the table as ring elements (the trainer
// reads the dataset's bytes).
template <RingElement T>
using RowSourceOf = std::function<void(std::span<const std::uint32_t> idx, T* out)>;
using RowSource = RowSourceOf<Ring>;

// out = the rows idx[0], idx[1], ... of a row-major table, one after another.
template <RingElement T>
void copy_rows(const T* table, std::size_t row_len, std::span<const std::uint32_t> idx, T* out) {
  for (std::size_t i = 0; i < idx.size(); ++i)
    std::copy_n(table + std::size_t{idx[i]} * row_len, row_len, out + i * row_len);
}

// A RowSource over a table held in memory (row-major, row_len per row).
template <RingElement T>
RowSourceOf<T> rows_of_table(std::vector<T> table, std::size_t row_len) {
  auto held = std::make_shared<const std::vector<T>>(std::move(table));
  return [held, row_len](std::span<const std::uint32_t> idx, T* out) {
    copy_rows(held->data(), row_len, idx, out);
  };
}

// Throws ShapeError naming the first row index of `idx` that is not below
// `rows` (gather_rows of a table shared with input_rows).
inline void check_row_indices(std::span<const std::uint32_t> idx, std::size_t rows, const char* who) {
  for (std::size_t i = 0; i < idx.size(); ++i) {
    if (idx[i] >= rows) {
      throw ShapeError(std::string(who) + " gather_rows: index " + std::to_string(idx[i]) + " (position " +
                       std::to_string(i) + ") is past the table's " + std::to_string(rows) + " rows");
    }
  }
}

template <class P>
concept Protocol = requires(P& p, const typename P::Share& x, const typename P::Bits& b,
                            const typename P::BitFactor& factor, std::span<const typename P::Ring> pub,
                            typename P::Ring c, std::size_t n, int bits, Trans t,
                            std::span<const MatmulTerm<typename P::Share>> terms,
                            const typename P::InputRows& table, std::span<const std::uint32_t> idx) {
  // The ring: P::Ring is its element type (Z_2^64 or Z_2^128, ring.h), and
  // Share holds elements of it; public values and constants are P::Ring.
  typename P::Ring;
  requires RingElement<typename P::Ring>;
  typename P::Share;
  requires std::same_as<typename P::Share::Elem, typename P::Ring>;
  { P::kName } -> std::convertible_to<std::string_view>;
  { p.party() } -> std::convertible_to<int>;
  { p.fixed() } -> std::convertible_to<FixedParams>;
  // The exactness contract (ExactBits above).
  { p.exact_bits() } -> std::same_as<ExactBits>;
  requires P::kTruncExactBits >= kMinTruncExactBits;
  // Mandatory, so that a protocol cannot silently report no traffic.
  { p.parties() } -> std::convertible_to<int>;
  { p.stats() } -> std::same_as<CommStats>;
  // verify(): checks everything computed since the last call (MACs, hashes,
  // sacrificed triples) and throws VerificationError naming the failed check,
  // on every party, if it does not hold. A no-op for semi-honest models
  // (rep3, clear). Callers run it before every reveal of a computed value,
  // before a checkpoint is written and at the end of a run
  // (host/nn/trainer.h), so that nothing is opened, written or exported on
  // the strength of unchecked work.
  {p.verify()};

  // Sharing and opening. input(): `owner` supplies n values (others pass an
  // empty span); reveal(): every party learns the values; reveal_to(): only
  // party `to` does (others get an empty vector).
  { p.input(0, pub, n) } -> std::same_as<typename P::Share>;
  { p.reveal(x) } -> std::same_as<std::vector<typename P::Ring>>;
  { p.reveal_to(0, x) } -> std::same_as<std::vector<typename P::Ring>>;
  // A table of n rows of row_len values (a dataset), shared once by `owner`
  // (who passes its RowSource; the others pass an empty one) at the cost of
  // input() and then read a batch at a time: gather_rows(t, idx) is local
  // and equals gathering rows idx of input()'s sharing. The protocol may
  // keep less than that whole sharing (rep3 keeps one component at one
  // party and regenerates the others from its PRG).
  { p.input_rows(0, RowSourceOf<typename P::Ring>{}, n, n) } -> std::same_as<typename P::InputRows>;
  { p.gather_rows(table, idx) } -> std::same_as<typename P::Share>;

  // Joint randomness: n independent integers uniform in [0, 2^bits), for
  // 1 <= bits <= k - 2, shared so that no party learns them (secret initial
  // weights, host/nn/model.h). The clear emulation draws them from its
  // seeded PRG. Fixed rounds.
  { p.random_int(n, bits) } -> std::same_as<typename P::Share>;

  // Local (no communication).
  { p.zeros(n) } -> std::same_as<typename P::Share>;
  { p.add(x, x) } -> std::same_as<typename P::Share>;
  { p.sub(x, x) } -> std::same_as<typename P::Share>;
  { p.neg(x) } -> std::same_as<typename P::Share>;
  { p.add_public(x, pub) } -> std::same_as<typename P::Share>;  // elementwise public vector
  { p.add_public(x, c) } -> std::same_as<typename P::Share>;    // one public constant
  { p.mul_public(x, pub) } -> std::same_as<typename P::Share>;
  { p.mul_public(x, c) } -> std::same_as<typename P::Share>;
  // linear(x, out_n, f): applies the public linear map f(const P::Ring* in,
  // P::Ring* out) to every component; out has out_n elements, zeroed first.
  // (Declared as a member template; not expressible in the concept.) Maps
  // that write every output use mpc::linear_overwrite (share.h) instead.

  // Interactive.
  { p.mul(x, x) } -> std::same_as<typename P::Share>;                    // elementwise ring product
  { p.matmul(t, t, n, n, n, x, x) } -> std::same_as<typename P::Share>;  // ring GEMM, row-major
  { p.trunc(x, bits) } -> std::same_as<typename P::Share>;               // divide by 2^bits
  { p.ltz(x) } -> std::same_as<typename P::Share>;  // arithmetic share of [x < 0], in exact_bits().ltz
  // A secret bit kept in the form that multiplies shares cheapest:
  // ltz_factor(x) is [x < 0] as ltz(x) is, mul_factor(f, y) = f * y
  // elementwise, for any number of y. Comparisons whose bit only ever
  // multiplies (ReLU, max-pool selection and routing) use these; rep3's
  // factor skips the replication of b2a (docs/PROTOCOLS.md).
  { p.ltz_factor(x) } -> std::same_as<typename P::BitFactor>;
  { p.mul_factor(factor, x) } -> std::same_as<typename P::Share>;
  { factor.size() } -> std::convertible_to<std::size_t>;
  // Fused multiply-then-truncate (same semantics as trunc(mul(x, y), bits)
  // and trunc(matmul(...), bits), same TruncMode; the matrix forms round as
  // product_rounding(p) says), in fewer rounds and bytes
  // than the two steps: rep3 truncates straight from the local 3-out-of-3
  // product summands. Every protocol (clear included) provides both.
  { p.mul_trunc(x, x, bits) } -> std::same_as<typename P::Share>;
  { p.matmul_trunc(t, t, n, n, n, x, x, bits) } -> std::same_as<typename P::Share>;
  // Several products, each through its public linear map, concatenated and
  // truncated together: trunc(concat(map_i(matmul_i) + addend_i), bits). A backward
  // pass gets dW and dX (after col2im) in one truncation, and rep3 never
  // replicates the (often much larger) product before the map.
  { p.matmuls_trunc(terms, bits) } -> std::same_as<typename P::Share>;

  // Binary domain, bit-sliced: a Bits holds boolean (XOR) shares of packed
  // bits in 64-bit words whatever the ring, 64 elements per word (element e is bit e%64 of word e/64). For an
  // n-element operand that is ceil(n/64) words; callers concatenate several
  // operands into one Bits to get many ANDs in one round.
  typename P::Bits;
  { p.bit_and(b, b) } -> std::same_as<typename P::Bits>;  // one round
  { p.bit_xor(b, b) } -> std::same_as<typename P::Bits>;  // local
  { p.bit_not(b) } -> std::same_as<typename P::Bits>;     // local
  // Bit decomposition of the low `bits` bits of each element of x (two's
  // complement), returned as `bits` planes (plane j = bit j of every element).
  // Exact for x in exact_bits().bit_decompose (every ring value in rep3 and
  // clear); fixed rounds.
  { p.bit_decompose(x, bits) } -> std::same_as<std::vector<typename P::Bits>>;
  // Arithmetic shares (0 or 1) of the first n bits of a plane.
  { p.b2a(b, n) } -> std::same_as<typename P::Share>;
  { p.reveal_bits(b) } -> std::same_as<std::vector<std::uint64_t>>;
};

}  // namespace sqt::mpc
