#include "host/mpc/rep3/rep3.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "host/core/error.h"
#include "host/core/os_random.h"
#include "host/mpc/carry_tree.h"
#include "host/mpc/rep3/bit_planes.h"

namespace sqt::mpc {
namespace {

constexpr int kP0 = 0, kP1 = 1, kP2 = 2;

void check_same_size(std::size_t a, std::size_t b, const char* op) {
  if (a != b) {
    throw ShapeError(std::string("rep3 ") + op + ": operand sizes differ (" + std::to_string(a) + " vs " +
                     std::to_string(b) + ")");
  }
}

void check_trunc_bits(int bits, int max_bits) {
  if (bits < 1 || bits > max_bits) {
    throw ShapeError("rep3 trunc: shift of " + std::to_string(bits) + " bits is outside [1, " +
                     std::to_string(max_bits) + "]");
  }
}

std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

backend::PrgSeed draw_key(std::uint64_t seed, int party) {
  backend::PrgSeed key;
  if (seed == 0) {
    fill_os_random(std::as_writable_bytes(std::span(key)));
  } else {
    std::uint64_t words[2];
    std::uint64_t state = seed ^ (0xA5A5A5A5ULL * static_cast<std::uint64_t>(party + 1));
    for (auto& w : words) w = splitmix64(state);
    std::memcpy(key.data(), words, key.size());
  }
  return key;
}

// Refuses keys that no honest draw gives: a zeroed or all-ones key (a broken
// generator, an uninitialised buffer) or a neighbour's key equal to our own
// (then the "pairwise" streams of two different pairs coincide and the
// zero-sharing masks cancel).
void check_keys(const backend::PrgSeed& own, const backend::PrgSeed& received, int from) {
  auto bytes = [](const backend::PrgSeed& k) { return std::as_bytes(std::span(k)); };
  if (degenerate_key(bytes(own))) {
    throw NetError(
        "rep3: this party drew a degenerate PRG key (all bits equal); the kernel's randomness is broken");
  }
  if (degenerate_key(bytes(received))) {
    throw NetError("rep3: the PRG key received from party " + std::to_string(from) +
                   " is degenerate (all bits equal); refusing the session");
  }
  if (own == received) {
    throw NetError("rep3: the PRG key received from party " + std::to_string(from) +
                   " equals this party's own key; refusing the session");
  }
}

// Width in bytes of a value known to be reduced mod 2^bits: whole bytes, so
// a Winograd layer's 18-bit terms take 3 (docs/PROTOCOLS.md).
std::size_t small_width(int bits) { return static_cast<std::size_t>((bits + 7) / 8); }

// Narrowing and widening loops with the width as a compile-time type, so
// they vectorize (a per-element memcpy of a run-time width does not).
template <class T, class Ring>
void pack_as(std::span<const Ring> v, std::byte* out) {
  for (std::size_t e = 0; e < v.size(); ++e) {
    const T t = static_cast<T>(v[e]);
    std::memcpy(out + e * sizeof(T), &t, sizeof(T));  // little endian on the wire
  }
}

template <class T, class Ring>
void unpack_as(const std::byte* in, std::span<Ring> v) {
  for (std::size_t e = 0; e < v.size(); ++e) {
    T t;
    std::memcpy(&t, in + e * sizeof(T), sizeof(T));
    v[e] = t;
  }
}

// The low `w` bytes of each value, for the widths without an integer type
// (3, 5, 6, 7). While 8 bytes fit in the run, a value is written as 8 bytes
// (little endian), the next one overwriting them from byte w on (and read as
// 8 bytes, masked); the last few byte by byte.
template <class Ring>
std::size_t whole_word_values(std::size_t n, std::size_t w) {
  return n * w >= sizeof(Ring) ? (n * w - sizeof(Ring)) / w + 1 : 0;
}

template <class Ring>
void pack_bytes(std::span<const Ring> v, std::size_t w, std::byte* out) {
  const std::size_t n = v.size(), fast = whole_word_values<Ring>(n, w);
  for (std::size_t e = 0; e < fast; ++e) std::memcpy(out + e * w, &v[e], sizeof(Ring));
  for (std::size_t e = fast; e < n; ++e)
    for (std::size_t b = 0; b < w; ++b) out[e * w + b] = static_cast<std::byte>(v[e] >> (8 * b));
}

template <class Ring>
void unpack_bytes(const std::byte* in, std::size_t w, std::span<Ring> v) {
  const std::size_t n = v.size(), fast = whole_word_values<Ring>(n, w);
  const Ring mask = (Ring{1} << (8 * w)) - 1;
  for (std::size_t e = 0; e < fast; ++e) {
    Ring x;
    std::memcpy(&x, in + e * w, sizeof(Ring));
    v[e] = x & mask;
  }
  for (std::size_t e = fast; e < n; ++e) {
    Ring x = 0;
    for (std::size_t b = 0; b < w; ++b) x |= static_cast<Ring>(in[e * w + b]) << (8 * b);
    v[e] = x;
  }
}

// Calls f with a value of the unsigned type that is `w` bytes wide (1, 2, 4,
// 8, and 16 in Z_2^128), or returns false for the other widths.
template <class Ring, class F>
bool with_width_type(std::size_t w, F&& f) {
  if constexpr (sizeof(Ring) == 16) {
    if (w == 16) {
      f(Ring128{});
      return true;
    }
  }
  switch (w) {
    case 1:
      f(std::uint8_t{});
      return true;
    case 2:
      f(std::uint16_t{});
      return true;
    case 4:
      f(std::uint32_t{});
      return true;
    case 8:
      f(std::uint64_t{});
      return true;
    default:
      return false;
  }
}

std::size_t small_bytes(std::span<const TruncRun> runs) {
  std::size_t bytes = 0;
  for (const auto& r : runs) bytes += r.count * small_width(r.bits);
  return bytes;
}

// One message of values that are only meaningful mod 2^bits of their run
// (the wrap-bit terms of truncation), each run packed at its own width.
template <class Ring>
void send_small(net::Network& net, int peer, std::span<const Ring> v, std::span<const TruncRun> runs) {
  std::vector<std::byte> buf(small_bytes(runs));
  std::size_t at = 0, pos = 0;
  for (const auto& r : runs) {
    const std::size_t w = small_width(r.bits);
    const auto run = v.subspan(at, r.count);
    if (!with_width_type<Ring>(w, [&](auto t) { pack_as<decltype(t), Ring>(run, buf.data() + pos); }))
      pack_bytes(run, w, buf.data() + pos);
    at += r.count;
    pos += r.count * w;
  }
  net.send_bytes(peer, buf);
}

template <class Ring>
RingVecOf<Ring> recv_small(net::Network& net, int peer, std::size_t n, std::span<const TruncRun> runs) {
  std::vector<std::byte> buf(small_bytes(runs));
  net.recv_bytes(peer, buf);
  RingVecOf<Ring> v(n);
  std::size_t at = 0, pos = 0;
  for (const auto& r : runs) {
    const std::size_t w = small_width(r.bits);
    const auto run = std::span<Ring>(v).subspan(at, r.count);
    if (!with_width_type<Ring>(w, [&](auto t) { unpack_as<decltype(t), Ring>(buf.data() + pos, run); }))
      unpack_bytes(buf.data() + pos, w, run);
    at += r.count;
    pos += r.count * w;
  }
  return v;
}

// Calls fn(begin, end, bits) for each run, in order.
template <class F>
void for_runs(std::span<const TruncRun> runs, F&& fn) {
  std::size_t at = 0;
  for (const auto& r : runs) {
    fn(at, at + r.count, r.bits);
    at += r.count;
  }
}

// n words of type W (ring elements or bit-plane words) from peer.
template <class W>
RingVecOf<W> recv_vec(net::Network& net, int peer, std::size_t n) {
  RingVecOf<W> v(n);
  net.recv(peer, std::span<W>(v));
  return v;
}

ShareVec<2> xor_bits(const ShareVec<2>& a, const ShareVec<2>& b) {
  ShareVec<2> out = a;
  for (int c = 0; c < 2; ++c)
    for (std::size_t w = 0; w < out.part[c].size(); ++w) out.part[c][w] ^= b.part[c][w];
  return out;
}

}  // namespace

template <RingElement R>
Rep3T<R>::Rep3T(net::Network& network, backend::Backend& backend, FixedParams fixed, TruncMode mode,
                std::uint64_t seed)
    : net_(network), backend_(backend), fixed_(fixed), mode_(mode), party_(network.party()) {
  if (network.parties() != 3) {
    throw NetError("rep3 needs exactly 3 parties, the network has " + std::to_string(network.parties()));
  }
  if (fixed.f < 1 || fixed.k <= fixed.f || fixed.k > ring_bits<R> - 2) {
    throw ConfigError("rep3: fixed-point parameters f=" + std::to_string(fixed.f) + " k=" +
                      std::to_string(fixed.k) + " need 1 <= f < k <= " + std::to_string(ring_bits<R> - 2));
  }
  key_next_ = draw_key(seed, party_);
  RingVecOf<std::uint64_t> out(2), in(2);  // the 16-byte key as two words
  std::memcpy(out.data(), key_next_.data(), key_next_.size());
  net_.exchange(net_.next_party(), out, net_.prev_party(), in);
  std::memcpy(key_prev_.data(), in.data(), key_prev_.size());
  check_keys(key_next_, key_prev_, net_.prev_party());
}

template <RingElement R>
std::span<R> Rep3T<R>::scratch(int slot, std::size_t n) {
  auto& buffer = scratch_[slot];
  if (buffer.size() < n) buffer.resize(n);
  return {buffer.data(), n};
}

template <RingElement R>
RingVecOf<R> Rep3T<R>::zero_share(Stream s, std::size_t n) {
  auto a = next_stream(s, n);
  const auto b = prev_stream(s, n);
  for (std::size_t e = 0; e < n; ++e) a[e] -= b[e];
  return a;
}

template <RingElement R>
RingVecOf<std::uint64_t> Rep3T<R>::zero_share_xor(Stream s, std::size_t n) {
  auto a = next_stream<std::uint64_t>(s, n);
  const auto b = prev_stream<std::uint64_t>(s, n);
  for (std::size_t e = 0; e < n; ++e) a[e] ^= b[e];
  return a;
}

template <RingElement R>
typename Rep3T<R>::Share Rep3T<R>::reshare(RingVecOf<R> z) {
  Share out;
  out.part[1].resize(z.size());
  net_.exchange(net_.prev_party(), z, net_.next_party(), out.part[1]);
  out.part[0] = std::move(z);
  return out;
}

template <RingElement R>
typename Rep3T<R>::Bits Rep3T<R>::reshare_xor(RingVecOf<std::uint64_t> z) {
  Bits out;
  out.part[1].resize(z.size());
  net_.exchange(net_.prev_party(), z, net_.next_party(), out.part[1]);
  out.part[0] = std::move(z);
  return out;
}

// ---------------------------------------------------------------- sharing

template <RingElement R>
typename Rep3T<R>::Share Rep3T<R>::input(int owner, std::span<const Ring> values, std::size_t n) {
  if (owner < 0 || owner > 2)
    throw ShapeError("rep3 input: owner " + std::to_string(owner) + " is not a party");
  next_op();
  Share out(n);
  if (party_ == owner) {
    check_same_size(values.size(), n, "input (owner's values vs n)");
    out.part[0] = prev_stream(kS0, n);  // component `owner`, known to owner-1 too
    for (std::size_t e = 0; e < n; ++e) out.part[1][e] = values[e] - out.part[0][e];
    net_.send(net_.next_party(), out.part[1]);
  } else if (party_ == (owner + 1) % 3) {
    net_.recv(net_.prev_party(), out.part[0]);
  } else {
    out.part[1] = next_stream(kS0, n);
  }
  out.known_zero = (owner + 2) % 3;  // the value is x_owner + x_{owner+1}
  return out;
}

template <RingElement R>
void Rep3T<R>::prg_at(const backend::PrgSeed& key, std::uint64_t counter, std::size_t first,
                      std::span<Ring> out) {
  constexpr std::size_t kPerBlock = 16 / sizeof(Ring);  // elements per AES block
  if (first % kPerBlock == 0) {
    backend_.prg_fill(key, counter + first / kPerBlock, out);
    return;
  }
  const std::span<Ring> with_previous = scratch(6, out.size() + 1);
  backend_.prg_fill(key, counter + first / kPerBlock, with_previous);
  std::copy(with_previous.begin() + 1, with_previous.end(), out.begin());
}

template <RingElement R>
typename Rep3T<R>::InputRows Rep3T<R>::input_rows(int owner, RowSourceOf<R> source, std::size_t rows,
                                                  std::size_t row_len) {
  if (owner < 0 || owner > 2)
    throw ShapeError("rep3 input_rows: owner " + std::to_string(owner) + " is not a party");
  next_op();
  InputRows t;
  t.owner = owner;
  t.rows = rows;
  t.row_len = row_len;
  t.counter = (op_ << 36) | (static_cast<std::uint64_t>(kS0) << 32);
  // Sent in slices of whole rows (about 2^20 values), so that nobody holds a
  // second copy of the table.
  const std::size_t slice_rows =
      std::max<std::size_t>(1, (std::size_t{1} << 20) / std::max<std::size_t>(row_len, 1));
  const int role = (party_ - owner + 3) % 3;
  if (role == 0) {
    if (!source)
      throw ShapeError("rep3 input_rows: the owner (party " + std::to_string(owner) + ") has no rows");
    t.key = key_prev_;
    RingVecOf<R> slice, mask;
    std::vector<std::uint32_t> idx;
    for (std::size_t r = 0; r < rows; r += slice_rows) {
      const std::size_t count = std::min(slice_rows, rows - r);
      idx.resize(count);
      for (std::size_t i = 0; i < count; ++i) idx[i] = static_cast<std::uint32_t>(r + i);
      slice.resize(count * row_len);
      mask.resize(count * row_len);
      source(idx, slice.data());
      prg_at(t.key, t.counter, r * row_len, mask);
      for (std::size_t i = 0; i < slice.size(); ++i) slice[i] -= mask[i];
      net_.send(net_.next_party(), slice);
    }
    t.source = std::move(source);
  } else if (role == 1) {
    t.component.resize(rows * row_len);
    for (std::size_t r = 0; r < rows; r += slice_rows) {
      const std::size_t count = std::min(slice_rows, rows - r);
      net_.recv(net_.prev_party(), std::span<Ring>(t.component).subspan(r * row_len, count * row_len));
    }
  } else {
    t.key = key_next_;
  }
  return t;
}

template <RingElement R>
typename Rep3T<R>::Share Rep3T<R>::gather_rows(const InputRows& t, std::span<const std::uint32_t> idx) {
  check_row_indices(idx, t.rows, "rep3");
  const std::size_t len = t.row_len;
  Share out = Share::uninitialized(idx.size() * len);
  out.known_zero = (t.owner + 2) % 3;
  auto regenerate = [&](RingVecOf<R>& dst) {
    for (std::size_t i = 0; i < idx.size(); ++i)
      prg_at(t.key, t.counter, std::size_t{idx[i]} * len, std::span<Ring>(dst).subspan(i * len, len));
  };
  switch ((party_ - t.owner + 3) % 3) {
    case 0:  // (component owner, component owner+1 = values - component owner)
      regenerate(out.part[0]);
      t.source(idx, out.part[1].data());
      for (std::size_t e = 0; e < out.size(); ++e) out.part[1][e] -= out.part[0][e];
      break;
    case 1:  // (component owner+1, zero)
      copy_rows(t.component.data(), len, idx, out.part[0].data());
      std::fill(out.part[1].begin(), out.part[1].end(), Ring{0});
      break;
    default:  // (zero, component owner)
      std::fill(out.part[0].begin(), out.part[0].end(), Ring{0});
      regenerate(out.part[1]);
  }
  return out;
}

template <RingElement R>
std::vector<R> Rep3T<R>::reveal(const Share& x) {
  std::vector<Ring> missing(x.size());
  net_.exchange(net_.next_party(), x.part[0], net_.prev_party(), missing);
  for (std::size_t e = 0; e < missing.size(); ++e) missing[e] += x.part[0][e] + x.part[1][e];
  return missing;
}

template <RingElement R>
std::vector<R> Rep3T<R>::reveal_to(int to, const Share& x) {
  if (to < 0 || to > 2) throw ShapeError("rep3 reveal_to: party " + std::to_string(to) + " does not exist");
  if (party_ == (to + 2) % 3) net_.send(to, x.part[0]);
  if (party_ != to) return {};
  std::vector<Ring> missing(x.size());
  net_.recv(net_.prev_party(), missing);
  for (std::size_t e = 0; e < missing.size(); ++e) missing[e] += x.part[0][e] + x.part[1][e];
  return missing;
}

// ---------------------------------------------------------------- local

template <RingElement R>
typename Rep3T<R>::Share Rep3T<R>::add(Share x, const Share& y) const {
  check_same_size(x.size(), y.size(), "add");
  Share out = std::move(x);
  out.known_zero = -1;
  for (int c = 0; c < 2; ++c)
    for (std::size_t e = 0; e < out.size(); ++e) out.part[c][e] += y.part[c][e];
  return out;
}

template <RingElement R>
typename Rep3T<R>::Share Rep3T<R>::sub(Share x, const Share& y) const {
  check_same_size(x.size(), y.size(), "sub");
  Share out = std::move(x);
  out.known_zero = -1;
  for (int c = 0; c < 2; ++c)
    for (std::size_t e = 0; e < out.size(); ++e) out.part[c][e] -= y.part[c][e];
  return out;
}

template <RingElement R>
typename Rep3T<R>::Share Rep3T<R>::neg(Share x) const {
  Share out = std::move(x);
  for (int c = 0; c < 2; ++c)
    for (auto& v : out.part[c]) v = Ring{0} - v;
  return out;
}

// A public constant lives in component 0: P0's part[0] and P2's part[1].
template <RingElement R>
typename Rep3T<R>::Share Rep3T<R>::add_public(Share x, std::span<const Ring> c) const {
  check_same_size(x.size(), c.size(), "add_public");
  Share out = std::move(x);
  out.known_zero = -1;
  const int slot = party_ == kP0 ? 0 : party_ == kP2 ? 1 : -1;
  if (slot >= 0)
    for (std::size_t e = 0; e < c.size(); ++e) out.part[slot][e] += c[e];
  return out;
}

template <RingElement R>
typename Rep3T<R>::Share Rep3T<R>::add_public(Share x, Ring c) const {
  Share out = std::move(x);
  out.known_zero = -1;
  const int slot = party_ == kP0 ? 0 : party_ == kP2 ? 1 : -1;
  if (slot >= 0)
    for (auto& v : out.part[slot]) v += c;
  return out;
}

template <RingElement R>
typename Rep3T<R>::Share Rep3T<R>::mul_public(Share x, std::span<const Ring> c) const {
  check_same_size(x.size(), c.size(), "mul_public");
  Share out = std::move(x);
  for (int p = 0; p < 2; ++p)
    for (std::size_t e = 0; e < c.size(); ++e) out.part[p][e] *= c[e];
  return out;
}

template <RingElement R>
typename Rep3T<R>::Share Rep3T<R>::mul_public(Share x, Ring c) const {
  Share out = std::move(x);
  for (int p = 0; p < 2; ++p)
    for (auto& v : out.part[p]) v *= c;
  return out;
}

// ---------------------------------------------------------------- products

template <RingElement R>
typename Rep3T<R>::Share Rep3T<R>::mul(const Share& x, const Share& y) {
  check_same_size(x.size(), y.size(), "mul");
  next_op();
  const std::size_t n = x.size();
  auto alpha = scratch(0, n), prev = scratch(1, n);
  fill_next(kS0, alpha);
  fill_prev(kS0, prev);
  for (std::size_t e = 0; e < n; ++e) alpha[e] -= prev[e];
  RingVecOf<R> z(n);
  backend_.cross_mul_add(x.part[0], x.part[1], y.part[0], y.part[1], alpha, z);
  return reshare(std::move(z));
}

template <RingElement R>
typename Rep3T<R>::Share Rep3T<R>::mul_trunc(const Share& x, const Share& y, int bits) {
  check_same_size(x.size(), y.size(), "mul_trunc");
  if (mode_ == TruncMode::kExact) return trunc(mul(x, y), bits);
  check_trunc_bits(bits, kMaxTruncBits);
  auto no_mask = scratch(0, x.size());
  std::fill(no_mask.begin(), no_mask.end(), Ring{0});
  RingVecOf<R> z(x.size());
  backend_.cross_mul_add(x.part[0], x.part[1], y.part[0], y.part[1], no_mask, z);
  return trunc_additive(std::move(z), x.size(), true, bits);
}

namespace {
// z += this party's summand of op(A) op(B), where party i holds (A_i, A_{i+1})
// and (B_i, B_{i+1}). The nine cross products A_a B_b are split so that the
// three parties compute five GEMMs instead of six: the "cheap" party c covers
// four of them with one GEMM, (A_c + A_{c+1})(B_c + B_{c+1}); party c+1 adds
// A_{c+2} (B_{c+1} + B_{c+2}) + A_{c+1} B_{c+2}; party c+2 adds
// A_{c+2} B_c + A_c B_{c+2}. The summands are masked before anything is sent,
// so which party computes which products is not visible. `cheap` rotates per
// call: on machines that host several parties the CPU work per product is
// 5/6 of the plain split, with every party doing the same share of it.
// With accumulate == false, z's old contents are ignored (overwritten).
template <class Ring>
void check_matmul_shapes(std::size_t m, std::size_t n, std::size_t k, const ShareVec<2, Ring>& a,
                         const ShareVec<2, Ring>& b) {
  if (a.size() != m * k || b.size() != k * n) {
    throw ShapeError("rep3 matmul: A has " + std::to_string(a.size()) + " elements and B " +
                     std::to_string(b.size()) + ", expected " + std::to_string(m) + "x" + std::to_string(k) +
                     " and " + std::to_string(k) + "x" + std::to_string(n));
  }
}

// One block of A and B: the block's m*k values of A start at a_at, its k*n
// values of B at b_at. The callers have checked the sizes (check_matmul_shapes,
// or matmul_terms_total for the blocks of a term).
template <class Ring>
void local_matmul(backend::Backend& be, int party, int cheap, Trans ta, Trans tb, std::size_t m,
                  std::size_t n, std::size_t k, const ShareVec<2, Ring>& a, std::size_t a_at,
                  const ShareVec<2, Ring>& b, std::size_t b_at, std::span<Ring> z, bool accumulate = true) {
  auto sum = [](const ShareVec<2, Ring>& x, std::size_t at, std::size_t len) {
    RingVecOf<Ring> s(len);
    const Ring* x0 = x.part[0].data() + at;
    const Ring* x1 = x.part[1].data() + at;
    for (std::size_t e = 0; e < len; ++e) s[e] = x0[e] + x1[e];
    return s;
  };
  const Ring* a0 = a.part[0].data() + a_at;
  const Ring* a1 = a.part[1].data() + a_at;
  const Ring* b0 = b.part[0].data() + b_at;
  const Ring* b1 = b.part[1].data() + b_at;
  if (a.known_zero >= 0) {
    // A is an input's sharing with component zc = 0 (Rep3::input): six cross
    // terms remain, three GEMMs, one per party. Party zc+1 holds both of A's
    // non-zero components and covers four terms with one GEMM; parties zc and
    // zc+2 each multiply one of them by B_zc. (The zero component is public,
    // so this split reveals nothing; the summands are masked as always.)
    const int role = (party - a.known_zero + 3) % 3;
    if (role == 1) {  // holds (A_{zc+1}, A_{zc+2}) and (B_{zc+1}, B_{zc+2})
      const RingVecOf<Ring> asum = sum(a, a_at, m * k), bsum = sum(b, b_at, k * n);
      be.gemm(ta, tb, m, n, k, asum.data(), bsum.data(), z.data(), accumulate);
    } else if (role == 0) {  // holds (A_zc = 0, A_{zc+1}) and (B_zc, B_{zc+1})
      be.gemm(ta, tb, m, n, k, a1, b0, z.data(), accumulate);
    } else {  // holds (A_{zc+2}, A_zc = 0) and (B_{zc+2}, B_zc)
      be.gemm(ta, tb, m, n, k, a0, b1, z.data(), accumulate);
    }
    return;
  }
  const int role = (party - cheap + 3) % 3;  // 0: the cheap party c, 1: c+1, 2: c+2
  if (role == 0) {
    const RingVecOf<Ring> asum = sum(a, a_at, m * k), bsum = sum(b, b_at, k * n);
    be.gemm(ta, tb, m, n, k, asum.data(), bsum.data(), z.data(), accumulate);
  } else if (role == 1) {  // holds (A_{c+1}, A_{c+2}): its three terms, summing the smaller operand
    if (k * n <= m * k) {  // A_{c+2} (B_{c+1} + B_{c+2}) + A_{c+1} B_{c+2}
      const RingVecOf<Ring> bsum = sum(b, b_at, k * n);
      be.gemm(ta, tb, m, n, k, a1, bsum.data(), z.data(), accumulate);
      be.gemm(ta, tb, m, n, k, a0, b1, z.data(), true);
    } else {  // (A_{c+1} + A_{c+2}) B_{c+2} + A_{c+2} B_{c+1}
      const RingVecOf<Ring> asum = sum(a, a_at, m * k);
      be.gemm(ta, tb, m, n, k, asum.data(), b1, z.data(), accumulate);
      be.gemm(ta, tb, m, n, k, a1, b0, z.data(), true);
    }
  } else {  // holds (A_{c+2}, A_c)
    be.gemm(ta, tb, m, n, k, a0, b1, z.data(), accumulate);
    be.gemm(ta, tb, m, n, k, a1, b0, z.data(), true);
  }
}

// Every block of a term into z (blocks x m x n), each with its own cheap
// party so that the blocks' work spreads over the parties.
template <class Ring>
void local_matmul_blocks(backend::Backend& be, int party, const std::function<int()>& next_cheap,
                         const MatmulTerm<ShareVec<2, Ring>>& t, std::span<Ring> z) {
  const std::size_t mk = t.m * t.k, kn = t.k * t.n, mn = t.m * t.n;
  for (std::size_t blk = 0; blk < t.blocks; ++blk) {
    local_matmul<Ring>(be, party, next_cheap(), t.ta, t.tb, t.m, t.n, t.k, *t.a, blk * mk, *t.b, blk * kn,
                       z.subspan(blk * mn, mn), false);
  }
}
}  // namespace

// The products stay 3-out-of-3 summands through the public maps (linear, so
// they commute with the sharing) and go straight into one truncation.
template <RingElement R>
typename Rep3T<R>::Share Rep3T<R>::matmuls_trunc(std::span<const MatmulTerm<Share>> terms, int bits) {
  const std::size_t total = matmul_terms_total(terms, "rep3");
  const std::vector<TruncRun> runs = matmul_term_runs(terms, bits);
  for (const auto& r : runs) check_trunc_bits(r.bits, kMaxTruncBits);
  if (mode_ == TruncMode::kExact) {
    Share all(total);
    std::size_t at = 0;
    for (const auto& t : terms) {
      Share product;
      if (t.a != nullptr) product = blocked_matmul(*this, t);
      for (int c = 0; c < 2; ++c) {
        Ring* out = all.part[c].data() + at;
        if (t.a != nullptr && t.map)
          t.map(product.part[c].data(), out);
        else if (t.a != nullptr)
          std::copy(product.part[c].begin(), product.part[c].end(), out);
        if (t.addend != nullptr)
          for (std::size_t e = 0; e < t.out_n; ++e) out[e] += t.addend->part[c][e];
      }
      at += t.out_n;
    }
    if (runs.size() == 1) return trunc(all, runs[0].bits);
    Share out(total);  // exact mode is not the hot path: one truncation per run
    at = 0;
    for (const auto& r : runs) {
      Share piece(r.count);
      for (int c = 0; c < 2; ++c)
        std::copy_n(all.part[c].begin() + static_cast<std::ptrdiff_t>(at), r.count, piece.part[c].begin());
      piece = trunc(piece, r.bits);
      for (int c = 0; c < 2; ++c)
        std::copy(piece.part[c].begin(), piece.part[c].end(),
                  out.part[c].begin() + static_cast<std::ptrdiff_t>(at));
      at += r.count;
    }
    return out;
  }
  RingVecOf<R> z(total), product;  // every segment is overwritten or zeroed below
  const std::function<int()> cheap = [this] { return next_cheap(); };
  std::size_t at = 0;
  for (const auto& t : terms) {
    Ring* out = z.data() + at;
    if (t.a == nullptr) {
      std::fill_n(out, t.out_n, Ring{0});
    } else if (t.map) {
      product.resize(t.blocks * t.m * t.n);
      local_matmul_blocks<Ring>(backend_, party_, cheap, t, product);
      std::fill_n(out, t.out_n, Ring{0});  // maps may accumulate
      t.map(product.data(), out);
    } else {
      local_matmul_blocks<Ring>(backend_, party_, cheap, t, std::span<Ring>(z).subspan(at, t.out_n));
    }
    // Component x_i is this party's additive summand of a replicated addend.
    if (t.addend != nullptr)
      for (std::size_t e = 0; e < t.out_n; ++e) out[e] += t.addend->part[0][e];
    at += t.out_n;
  }
  return trunc_additive(std::move(z), total, true, runs);
}

template <RingElement R>
typename Rep3T<R>::Share Rep3T<R>::matmul(Trans ta, Trans tb, std::size_t m, std::size_t n, std::size_t k,
                                          const Share& a, const Share& b) {
  check_matmul_shapes(m, n, k, a, b);
  next_op();
  auto z = zero_share(kS0, m * n);
  local_matmul<Ring>(backend_, party_, next_cheap(), ta, tb, m, n, k, a, 0, b, 0, z);
  return reshare(std::move(z));
}

template <RingElement R>
typename Rep3T<R>::Share Rep3T<R>::matmul_trunc(Trans ta, Trans tb, std::size_t m, std::size_t n,
                                                std::size_t k, const Share& a, const Share& b, int bits) {
  if (mode_ == TruncMode::kExact) return trunc(matmul(ta, tb, m, n, k, a, b), bits);
  check_trunc_bits(bits, kMaxTruncBits);
  RingVecOf<R> z(m * n);
  check_matmul_shapes(m, n, k, a, b);
  local_matmul<Ring>(backend_, party_, next_cheap(), ta, tb, m, n, k, a, 0, b, 0, z, false);
  return trunc_additive(std::move(z), m * n, true, bits);
}

// ---------------------------------------------------------------- truncation

template <RingElement R>
typename Rep3T<R>::Share Rep3T<R>::trunc(const Share& x, int bits) {
  check_trunc_bits(bits, kMaxTruncBits);
  if (mode_ == TruncMode::kExact) return trunc_exact(x, bits);
  // Summands from the replicated components: P0 contributes x_1, P2 x_2 + x_0.
  RingVecOf<R> z;
  if (party_ == kP0) z = x.part[1];
  if (party_ == kP2) {
    z = x.part[0];
    for (std::size_t e = 0; e < z.size(); ++e) z[e] += x.part[1][e];
  }
  return trunc_additive(std::move(z), x.size(), false, bits);
}

// Round 1: P0 (and P1) send masked summands, P2 opens c = x + 2^62 + r with r
// from K_0. Then y = (c >> b) - 2^(62-b) - (r >> b) + 2^(64-b) w, w = a & bb,
// a = msb(r) (P0, P1), bb = !msb(c) (P2). Round 2: P2 sends P0 its share of
// the known part and beta = bb - rho mod 2^b (rho from K_1, known to P1), so
// a*beta (P0) + a*rho (P1) = w mod 2^b. Round 3: P0 and P1 fold their halves
// of w, masked from K_0, into the components P2 co-holds.
template <RingElement R>
typename Rep3T<R>::Share Rep3T<R>::trunc_additive(RingVecOf<R> z, std::size_t n, bool p1_has_summand,
                                                  int bits) {
  const TruncRun run[] = {{n, bits}};
  return trunc_additive(std::move(z), n, p1_has_summand, run);
}

template <RingElement R>
typename Rep3T<R>::Share Rep3T<R>::trunc_additive(RingVecOf<R> z, std::size_t n, bool p1_has_summand,
                                                  std::span<const TruncRun> runs) {
  next_op();
  constexpr int kTop = ring_bits<R> - 1;  // the sign bit: 63 in Z_2^64
  const Ring offset = Ring{1} << (kTop - 1);
  // Per run of shift b: 2^(64-b), the weight of the wrap bit, and 2^b - 1.
  // Multiplications by 2^(64-b) and by a bit are written as a shift and a
  // mask: the same values, but loops that vectorize (there is no 64-bit
  // vector multiply below AVX-512).
  auto up = [](int b) { return ring_bits<R> - b; };
  auto low_mask = [](int b) { return (Ring{1} << b) - 1; };
  // The outputs are built in vectors that already hold one of their terms
  // (a received message, a summand already sent), not in fresh zeroed ones:
  // these are the hottest buffers of a training step.
  Share out;
  if (party_ == kP0 || party_ == kP1) {
    const bool p0 = party_ == kP0;
    // K_0 is P0's next key and P1's prev key.
    auto k0 = [&](Stream st, std::span<Ring> out) { p0 ? fill_next(st, out) : fill_prev(st, out); };
    auto r = scratch(0, n), s = scratch(1, n), mu = scratch(2, n), nu = scratch(3, n);
    k0(kS1, r);
    if (p1_has_summand) k0(kS2, s);
    if (p0) {
      if (p1_has_summand) {
        for (std::size_t e = 0; e < n; ++e) z[e] += s[e] + r[e];
      } else {
        for (std::size_t e = 0; e < n; ++e) z[e] += r[e];
      }
      net_.send(kP2, z);
    } else if (p1_has_summand) {
      for (std::size_t e = 0; e < n; ++e) z[e] -= s[e];
      net_.send(kP2, z);
    }
    k0(kS5, mu);
    k0(kS6, nu);
    // known: -(r >> b) + 2^(64-b) nu, P0 and P1 agree (z's storage, once sent).
    RingVecOf<R> known = z.size() == n ? std::move(z) : RingVecOf<R>(n);
    for_runs(runs, [&](std::size_t lo, std::size_t hi, int b) {
      const int u = up(b);
      for (std::size_t e = lo; e < hi; ++e) known[e] = (Ring{0} - (r[e] >> b)) + (nu[e] << u);
    });
    const std::span<Ring> d = mu;  // d overwrites mu element by element
    if (p0) {
      auto y0 = recv_vec<R>(net_, kP2, n);
      const auto beta = recv_small<Ring>(net_, kP2, n, runs);
      for_runs(runs, [&](std::size_t lo, std::size_t hi, int b) {
        const Ring mask = low_mask(b);
        for (std::size_t e = lo; e < hi; ++e)
          d[e] = (((Ring{0} - (r[e] >> kTop)) & beta[e]) + mu[e] - nu[e]) & mask;
      });
      send_small<Ring>(net_, kP2, std::span<const Ring>(d), runs);
      for_runs(runs, [&](std::size_t lo, std::size_t hi, int b) {
        const int u = up(b);
        for (std::size_t e = lo; e < hi; ++e) y0[e] += d[e] << u;
      });
      out.part[0] = std::move(y0);
      out.part[1] = std::move(known);
    } else {
      auto y2 = scratch(4, n), rho = scratch(5, n);
      fill_next(kS3, y2);
      fill_next(kS4, rho);
      for_runs(runs, [&](std::size_t lo, std::size_t hi, int b) {
        const Ring mask = low_mask(b);
        for (std::size_t e = lo; e < hi; ++e) d[e] = (((Ring{0} - (r[e] >> kTop)) & rho[e]) - mu[e]) & mask;
      });
      send_small<Ring>(net_, kP2, std::span<const Ring>(d), runs);
      out.part[0] = std::move(known);
      out.part[1].resize(n);
      for_runs(runs, [&](std::size_t lo, std::size_t hi, int b) {
        const int u = up(b);
        for (std::size_t e = lo; e < hi; ++e) out.part[1][e] = y2[e] + (d[e] << u);
      });
    }
    return out;
  }
  // P2
  auto c = recv_vec<R>(net_, kP0, n);
  if (p1_has_summand) {
    const auto m1 = recv_vec<R>(net_, kP1, n);
    for (std::size_t e = 0; e < n; ++e) c[e] += m1[e];
  }
  auto y2 = scratch(0, n), rho = scratch(1, n), beta = scratch(2, n);
  fill_prev(kS3, y2);
  fill_prev(kS4, rho);
  // c becomes y0 in place.
  for_runs(runs, [&](std::size_t lo, std::size_t hi, int b) {
    const Ring mask = low_mask(b);
    for (std::size_t e = lo; e < hi; ++e) {
      const Ring ce = c[e] + z[e] + offset;
      c[e] = (ce >> b) - (offset >> b) - y2[e];
      beta[e] = ((Ring{1} - (ce >> kTop)) - rho[e]) & mask;
    }
  });
  net_.send(kP0, c);
  send_small<Ring>(net_, kP0, std::span<const Ring>(beta), runs);
  auto d0 = recv_small<Ring>(net_, kP0, n, runs);
  auto d2 = recv_small<Ring>(net_, kP1, n, runs);
  for_runs(runs, [&](std::size_t lo, std::size_t hi, int b) {
    const int u = up(b);
    for (std::size_t e = lo; e < hi; ++e) {
      d2[e] = y2[e] + (d2[e] << u);
      c[e] += d0[e] << u;
    }
  });
  out.part[0] = std::move(d2);
  out.part[1] = std::move(c);
  return out;
}

// Exact: subtract the low `bits` bits (bit decomposition + b2a), then the
// probabilistic truncation of a multiple of 2^bits has nothing to round.
template <RingElement R>
typename Rep3T<R>::Share Rep3T<R>::trunc_exact(const Share& x, int bits) {
  const auto planes = bit_decompose(x, bits);
  const auto low_bits = b2a_planes(planes, x.size());
  Share y = x;
  for (int j = 0; j < bits; ++j)
    for (int c = 0; c < 2; ++c)
      for (std::size_t e = 0; e < y.size(); ++e) y.part[c][e] -= low_bits[j].part[c][e] << j;
  RingVecOf<R> z;
  if (party_ == kP0) z = y.part[1];
  if (party_ == kP2) {
    z = y.part[0];
    for (std::size_t e = 0; e < z.size(); ++e) z[e] += y.part[1][e];
  }
  return trunc_additive(std::move(z), x.size(), false, bits);
}

// ---------------------------------------------------------------- binary domain

template <RingElement R>
typename Rep3T<R>::Bits Rep3T<R>::bit_and(const Bits& a, const Bits& b) {
  check_same_size(a.size(), b.size(), "bit_and");
  const PlaneRef pa = plane_of(a, 0, a.size()), pb = plane_of(b, 0, b.size());
  return and_planes(std::span(&pa, 1), std::span(&pb, 1), a.size());
}

template <RingElement R>
typename Rep3T<R>::Bits Rep3T<R>::and_planes(std::span<const PlaneRef> a, std::span<const PlaneRef> b,
                                             std::size_t words) {
  next_op();
  auto z = zero_share_xor(kS0, a.size() * words);
  for (std::size_t q = 0; q < a.size(); ++q) {
    const std::uint64_t *a0 = a[q].part[0], *a1 = a[q].part[1], *b0 = b[q].part[0], *b1 = b[q].part[1];
    std::uint64_t* zq = z.data() + q * words;
    for (std::size_t w = 0; w < words; ++w) zq[w] ^= (a0[w] & b0[w]) ^ (a0[w] & b1[w]) ^ (a1[w] & b0[w]);
  }
  return reshare_xor(std::move(z));
}

template <RingElement R>
typename Rep3T<R>::Bits Rep3T<R>::bit_xor(const Bits& a, const Bits& b) const {
  check_same_size(a.size(), b.size(), "bit_xor");
  return xor_bits(a, b);
}

template <RingElement R>
typename Rep3T<R>::Bits Rep3T<R>::bit_not(const Bits& a) const {
  Bits out = a;
  const int slot = party_ == kP0 ? 0 : party_ == kP2 ? 1 : -1;
  if (slot >= 0)
    for (auto& w : out.part[slot]) w = ~w;
  return out;
}

template <RingElement R>
std::vector<std::uint64_t> Rep3T<R>::reveal_bits(const Bits& b) {
  std::vector<std::uint64_t> missing(b.size());
  net_.exchange(net_.next_party(), b.part[0], net_.prev_party(), missing);
  for (std::size_t w = 0; w < missing.size(); ++w) missing[w] ^= b.part[0][w] ^ b.part[1][w];
  return missing;
}

// x + offset = w + c with w = x_0 + x_1 + offset private to P0 and c = x_2
// known to P1 and P2. Round 1: P0 shares w's planes as (rho, w ^ rho, 0) with
// rho from K_2; c is (0, 0, c) for free. g = w & c is then P1's (w^rho) & c
// XOR P2's rho & c, which round 2 replicates (P1, P2 -> P0, masks from K_1).
template <RingElement R>
typename Rep3T<R>::TwoSummands Rep3T<R>::split_two_summands(const Share& x, int bits, Ring offset,
                                                            int g_planes) {
  next_op();
  const std::size_t n = x.size();
  TwoSummands out;
  out.words = words_for(n);
  const std::size_t all = static_cast<std::size_t>(bits) * out.words;
  const std::size_t g_all = static_cast<std::size_t>(g_planes) * out.words;
  if (party_ == kP0) {
    RingVecOf<std::uint64_t> masked(all);  // w's planes, then masked in place
    to_planes_flat(x.part[0].data(), x.part[1].data(), n, bits, offset, masked.data());
    RingVecOf<std::uint64_t> rho = prev_stream<std::uint64_t>(kS0, all);
    for (std::size_t i = 0; i < all; ++i) masked[i] ^= rho[i];
    net_.send(kP1, masked);
    out.p.part[0] = std::move(rho);
    out.p.part[1] = std::move(masked);
    out.g.part[0] = recv_vec<std::uint64_t>(net_, kP2, g_all);  // component 0 = g2 ^ tau2
    out.g.part[1] = recv_vec<std::uint64_t>(net_, kP1, g_all);  // component 1 = g1 ^ tau1
    return out;
  }
  const RingVecOf<R>& c = party_ == kP1 ? x.part[1] : x.part[0];
  RingVecOf<std::uint64_t> c_planes(all);
  to_planes_flat(c.data(), nullptr, n, bits, 0, c_planes.data());
  RingVecOf<std::uint64_t> tau1 =
      party_ == kP1 ? next_stream<std::uint64_t>(kS1, g_all) : prev_stream<std::uint64_t>(kS1, g_all);
  const RingVecOf<std::uint64_t> tau2 =
      party_ == kP1 ? next_stream<std::uint64_t>(kS2, g_all) : prev_stream<std::uint64_t>(kS2, g_all);
  RingVecOf<std::uint64_t> mine(g_all);
  // `other` is P0's masked planes (P1) or the mask rho (P2).
  RingVecOf<std::uint64_t> other =
      party_ == kP1 ? recv_vec<std::uint64_t>(net_, kP0, all) : next_stream<std::uint64_t>(kS0, all);
  const RingVecOf<std::uint64_t>& tau_mine = party_ == kP1 ? tau1 : tau2;
  for (std::size_t i = 0; i < g_all; ++i) mine[i] = (other[i] & c_planes[i]) ^ tau_mine[i];
  net_.send(kP0, mine);
  for (std::size_t i = 0; i < g_all; ++i) tau1[i] ^= tau2[i];  // component 2 = tau1 ^ tau2
  if (party_ == kP1) {
    out.p.part[0] = std::move(other);
    out.p.part[1] = std::move(c_planes);
    out.g.part[0] = std::move(mine);
    out.g.part[1] = std::move(tau1);
  } else {
    out.p.part[0] = std::move(c_planes);
    out.p.part[1] = std::move(other);
    out.g.part[0] = std::move(tau1);
    out.g.part[1] = std::move(mine);
  }
  return out;
}

template <RingElement R>
typename Rep3T<R>::Share Rep3T<R>::ltz(const Share& x) {
  return b2a(ltz_bits(x), x.size());
}

template <RingElement R>
typename Rep3T<R>::BitFactor Rep3T<R>::ltz_factor(const Share& x) {
  const Bits lt = ltz_bits(x);
  return make_factor(std::span(&lt, 1), x.size());
}

// Carry out of positions [0, m) (host/mpc/carry_tree.h: a log-depth tree
// of (G, P) combines of adjacent segments, one AND round per level).
template <RingElement R>
typename Rep3T<R>::Bits Rep3T<R>::ltz_bits(const Share& x) {
  const int k = fixed_.k;
  const std::size_t m = static_cast<std::size_t>(k - 1);
  auto two = split_two_summands(x, k, Ring{1} << (k - 1), k - 1);
  const std::size_t words = two.words;
  const Bits carry_planes = carry_out(
      two.g, two.p, m, words, [](const Bits& b, std::size_t j, std::size_t w) { return plane_of(b, j, w); },
      [this](std::span<const PlaneRef> l, std::span<const PlaneRef> r, std::size_t w) {
        return and_planes(l, r, w);
      });
  const Bits* g = &carry_planes;
  // bit k-1 of x + 2^(k-1) is 1 exactly when x >= 0: ltz = !(p_{k-1} ^ carry).
  Bits lt = Bits::uninitialized(words);
  for (int c = 0; c < 2; ++c) {
    const std::uint64_t* top = two.p.part[c].data() + m * words;
    const std::uint64_t* carry = g->part[c].data();
    for (std::size_t w = 0; w < words; ++w) lt.part[c][w] = top[w] ^ carry[w];
  }
  return bit_not(lt);
}

// b = u ^ v with u = b_lead ^ b_{lead+1} (the lead's components) and v =
// b_{lead+2} (the other two's common component). The lead sends u - rho to
// lead + 1; lead + 2 draws rho from the key it shares with the lead. The
// planes' first n bits are laid out plane after plane.
template <RingElement R>
typename Rep3T<R>::BitFactor Rep3T<R>::make_factor(std::span<const Bits> planes, std::size_t n) {
  for (const auto& b : planes) {
    if (b.size() < words_for(n)) {
      throw ShapeError("rep3: a bit plane of " + std::to_string(b.size()) + " words holds fewer than " +
                       std::to_string(n) + " bits");
    }
  }
  next_op();
  const std::size_t all = planes.size() * n;
  BitFactor f;
  f.lead = static_cast<int>(factors_++ % 3);
  const int role = (party_ - f.lead + 3) % 3;
  // The bits of plane j's component `slot` (both XORed when slot < 0), as
  // masks (0 or all ones), at out[j * n ..].
  auto masks_of = [&](int slot, RingVecOf<R>& out) {
    out.resize(all);
    RingVecOf<std::uint64_t> words(words_for(n));
    for (std::size_t j = 0; j < planes.size(); ++j) {
      const Bits& b = planes[j];
      for (std::size_t w = 0; w < words.size(); ++w)
        words[w] = slot < 0 ? b.part[0][w] ^ b.part[1][w] : b.part[slot][w];
      plane_to_ring(words.data(), n, out.data() + j * n);
    }
    for (auto& e : out) e = Ring{0} - e;
  };
  if (role == 0) {
    masks_of(-1, f.a);
    const auto rho = scratch(0, all);
    fill_prev(kS0, rho);
    RingVecOf<R> masked(all);
    for (std::size_t e = 0; e < all; ++e) masked[e] = (Ring{0} - f.a[e]) - rho[e];
    net_.send(net_.next_party(), masked);
  } else if (role == 1) {
    masks_of(1, f.v_mask);
    f.a = recv_vec<R>(net_, net_.prev_party(), all);
  } else {
    masks_of(0, f.v_mask);
    f.a = next_stream(kS0, all);
  }
  return f;
}

// y b = y v + (1 - 2v) u y. Round 1: the lead sends (y_lead + y_{lead+1}) u
// - r (r from the key of lead and lead + 2) to lead + 1, which then holds
// z1 = (y1 + y2) v + (1 - 2v)(that + (u - rho) y2) while lead + 2 holds
// z2 = y0 v + (1 - 2v)(r + rho y2) (indices relative to the lead), and
// z1 + z2 = y b. Round 2 replicates them as b2a does: both send their
// summand, masked from their common key, to the lead.
template <RingElement R>
typename Rep3T<R>::Share Rep3T<R>::mul_factor(const BitFactor& b, const Share& y) {
  check_same_size(b.size(), y.size(), "mul_factor");
  next_op();
  const std::size_t n = y.size();
  const int role = (party_ - b.lead + 3) % 3;
  // (1 - 2v) t: t, or -t where v_mask is all ones.
  auto signed_by = [](Ring t, Ring v_mask) { return (t ^ v_mask) - v_mask; };
  if (role == 0) {
    const auto r = scratch(0, n);
    fill_prev(kS0, r);
    RingVecOf<R> m(n);
    const Ring* y0 = y.part[0].data();
    const Ring* y1 = y.part[1].data();
    for (std::size_t e = 0; e < n; ++e) m[e] = ((y0[e] + y1[e]) & b.a[e]) - r[e];
    net_.send(net_.next_party(), m);
    return replicate_to_lead({}, b.lead, n);
  }
  RingVecOf<R> mine;
  if (role == 1) {
    mine = recv_vec<R>(net_, net_.prev_party(), n);
    const Ring* y1 = y.part[0].data();
    const Ring* y2 = y.part[1].data();
    for (std::size_t e = 0; e < n; ++e) {
      const Ring vm = b.v_mask[e];
      mine[e] = ((y1[e] + y2[e]) & vm) + signed_by(mine[e] + b.a[e] * y2[e], vm);
    }
  } else {
    mine.resize(n);
    fill_next(kS0, mine);  // r
    const Ring* y2 = y.part[0].data();
    const Ring* y0 = y.part[1].data();
    for (std::size_t e = 0; e < n; ++e) {
      const Ring vm = b.v_mask[e];
      mine[e] = (y0[e] & vm) + signed_by(mine[e] + b.a[e] * y2[e], vm);
    }
  }
  return replicate_to_lead(std::move(mine), b.lead, n);
}

// The two non-leads hold summands z1 (lead + 1) and z2 (lead + 2) of a value;
// component lead + 2 becomes -tau1 - tau2 (both know the masks, from their
// common key), and z1 + tau1, z2 + tau2 go to the lead as components lead + 1
// and lead. The lead passes an empty `mine`.
template <RingElement R>
typename Rep3T<R>::Share Rep3T<R>::replicate_to_lead(RingVecOf<R> mine, int lead, std::size_t n) {
  const int role = (party_ - lead + 3) % 3;
  Share out;
  if (role == 0) {
    out.part[0] = recv_vec<R>(net_, net_.prev_party(), n);
    out.part[1] = recv_vec<R>(net_, net_.next_party(), n);
    return out;
  }
  const auto tau1 = scratch(0, n), tau2 = scratch(1, n);
  role == 1 ? fill_next(kS1, tau1) : fill_prev(kS1, tau1);
  role == 1 ? fill_next(kS2, tau2) : fill_prev(kS2, tau2);
  const auto& tau_mine = role == 1 ? tau1 : tau2;
  for (std::size_t e = 0; e < n; ++e) mine[e] += tau_mine[e];
  net_.send(role == 1 ? net_.prev_party() : net_.next_party(), mine);
  RingVecOf<R> common(n);
  for (std::size_t e = 0; e < n; ++e) common[e] = Ring{0} - tau1[e] - tau2[e];
  out.part[role == 1 ? 0 : 1] = std::move(mine);
  out.part[role == 1 ? 1 : 0] = std::move(common);
  return out;
}

// Sklansky parallel prefix over the carry (G, P) pairs, then sum bit j =
// p_j ^ carry into j (host/mpc/carry_tree.h).
template <RingElement R>
std::vector<typename Rep3T<R>::Bits> Rep3T<R>::bit_decompose(const Share& x, int bits) {
  if (bits < 1 || bits > ring_bits<R>)
    throw ShapeError("rep3 bit_decompose: " + std::to_string(bits) + " bits");
  auto two = split_two_summands(x, bits, 0, bits - 1);
  return sklansky_sum_bits(
      two.g, two.p, bits, two.words,
      [](const Bits& b, std::size_t j, std::size_t w) { return plane_of(b, j, w); },
      [this](std::span<const PlaneRef> l, std::span<const PlaneRef> r, std::size_t w) {
        return and_planes(l, r, w);
      });
}

template <RingElement R>
typename Rep3T<R>::Share Rep3T<R>::b2a(const Bits& b, std::size_t n) {
  return std::move(b2a_planes(std::span(&b, 1), n)[0]);  // make_factor checks the size
}

// b = v + (1 - 2v) u from a factor (make_factor): lead + 1 holds
// v + (1 - 2v)(u - rho), lead + 2 holds (1 - 2v) rho, and replicate_to_lead
// makes them a share. The outputs are cut from the planes' joint vector
// (moved whole when there is one plane).
template <RingElement R>
std::vector<typename Rep3T<R>::Share> Rep3T<R>::b2a_planes(std::span<const Bits> planes, std::size_t n) {
  const std::size_t count = planes.size(), all = count * n;
  BitFactor f = make_factor(planes, n);
  const int role = (party_ - f.lead + 3) % 3;
  RingVecOf<R> mine;
  if (role != 0) {
    mine = std::move(f.a);
    for (std::size_t e = 0; e < all; ++e) {
      const Ring vm = f.v_mask[e];
      mine[e] = ((mine[e] ^ vm) - vm) + (role == 1 ? Ring{0} - vm : Ring{0});
    }
  }
  Share whole = replicate_to_lead(std::move(mine), f.lead, all);
  if (count == 1) return {std::move(whole)};
  std::vector<Share> out(count);
  for (std::size_t j = 0; j < count; ++j) {
    const auto lo = static_cast<std::ptrdiff_t>(j * n), hi = static_cast<std::ptrdiff_t>((j + 1) * n);
    for (int c = 0; c < 2; ++c) out[j].part[c].assign(whole.part[c].begin() + lo, whole.part[c].begin() + hi);
  }
  return out;
}

template class Rep3T<Ring>;
template class Rep3T<Ring128>;

}  // namespace sqt::mpc
