#include "host/mpc/mal_rep3/mal_rep3.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "host/core/error.h"
#include "host/core/os_random.h"

namespace sqt::mpc {
namespace {

using R = Ring128;
using mal_rep3::Check;
using mal_rep3::Reason;

constexpr R kOffset = R{1} << 62;  // makes honest truncation inputs non-negative
constexpr R kMaskMask = (R{1} << MalRep3::kMaskBits) - 1;
// Every honest opened c = x + 2^62 + r is below 2^63 + 3 * 2^79 < 2^81, so
// the truncation reads c mod 2^81: bits the MAC check does not cover never
// reach a result (and an honest input outside the exact range gives a
// wrong value, not an abort).
constexpr R kCheckedMask = (R{1} << MalRep3::kCheckedBits) - 1;
// Past this many kept elements an operation runs verify() itself, so that
// the kept values stay bounded between the caller's checks.
constexpr std::size_t kAutoVerifyElements = std::size_t{1} << 22;

void check_same_size(std::size_t a, std::size_t b, const char* op) {
  if (a != b) {
    throw ShapeError(std::string("mal-rep3 ") + op + ": operand sizes differ (" + std::to_string(a) + " vs " +
                     std::to_string(b) + ")");
  }
}

template <class T>
std::span<const std::byte> bytes_of(const T& v) {
  return std::as_bytes(std::span(v.data(), v.size()));
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
  } else {  // tests only: reproducible keys
    std::uint64_t words[2];
    std::uint64_t state = seed ^ (0x5A5A5A5AULL * static_cast<std::uint64_t>(party + 1));
    for (auto& w : words) w = splitmix64(state);
    std::memcpy(key.data(), words, key.size());
  }
  return key;
}

R sign_extend(R v, int bits) {
  const int up = 128 - bits;
  return static_cast<R>(static_cast<SignedRing128>(v << up) >> up);
}

}  // namespace

MalRep3::MalRep3(net::Network& network, backend::Backend& backend, FixedParams fixed, TruncMode mode,
                 std::uint64_t seed, ProductRounding products)
    : net_(network),
      backend_(backend),
      fixed_(fixed),
      mode_(mode),
      products_(products),
      party_(network.party()),
      checker_(network) {
  if (network.parties() != 3) {
    throw NetError("mal-rep3 needs exactly 3 parties, the network has " + std::to_string(network.parties()));
  }
  if (fixed.f < 1 || fixed.k <= fixed.f || fixed.k > 31) {
    throw ConfigError("mal-rep3: fixed-point parameters f=" + std::to_string(fixed.f) +
                      " k=" + std::to_string(fixed.k) + " need 1 <= f < k <= 31");
  }
  key_next_ = draw_key(seed, party_);
  checker_.send(Check::kKeys, net_.next_party(), std::as_bytes(std::span(key_next_)));
  checker_.recv(net_.prev_party(), std::as_writable_bytes(std::span(key_prev_)));
  auto bytes = [](const backend::PrgSeed& k) { return std::as_bytes(std::span(k)); };
  if (degenerate_key(bytes(key_next_)))
    throw NetError("mal-rep3: this party drew a degenerate PRG key; the kernel's randomness is broken");
  if (degenerate_key(bytes(key_prev_)) || key_prev_ == key_next_) {
    throw NetError("mal-rep3: the PRG key received from party " + std::to_string(net_.prev_party()) +
                   " is degenerate or equals this party's own; refusing the session");
  }
  // The MAC key: component j from K_{j-1} at operation 0, known to its two
  // holders only, so no party knows alpha.
  alpha_[0] = prev_stream(0, 1)[0];
  alpha_[1] = next_stream(0, 1)[0];
}

void MalRep3::not_built(const char* what) const {
  throw ConfigError(std::string("mal-rep3: ") + what + " is not built yet (docs/PROTOCOLS.md, mal-rep3)");
}

MalRep3::Share MalRep3::faulty_copy(Share x, CopyFault::Where where) {
  if (copy_fault_.where != where || x.size() == 0) return x;
  x.part[copy_fault_.part][0] ^= R{1} << copy_fault_.bit;
  copy_fault_ = {};
  return x;
}

MalRep3::Vec MalRep3::next_stream(unsigned sub, std::size_t n) {
  Vec v(n);
  backend_.prg_fill(key_next_, counter(sub), std::span<R>(v));
  return v;
}

MalRep3::Vec MalRep3::prev_stream(unsigned sub, std::size_t n) {
  Vec v(n);
  backend_.prg_fill(key_prev_, counter(sub), std::span<R>(v));
  return v;
}

MalRep3::Vec MalRep3::zero_share(unsigned sub, std::size_t n) {
  Vec a = next_stream(sub, n);
  const Vec b = prev_stream(sub, n);
  for (std::size_t e = 0; e < n; ++e) a[e] -= b[e];
  return a;
}

MalRep3::Share MalRep3::reshare(Vec summands, std::size_t n, Check check) {
  checker_.send(check, net_.prev_party(), bytes_of(summands));
  Vec in(2 * n);
  checker_.recv(net_.next_party(), std::as_writable_bytes(std::span<R>(in)));
  Share out;
  out.part[0].assign(summands.begin(), summands.begin() + static_cast<std::ptrdiff_t>(n));
  out.part[2].assign(summands.begin() + static_cast<std::ptrdiff_t>(n), summands.end());
  out.part[1].assign(in.begin(), in.begin() + static_cast<std::ptrdiff_t>(n));
  out.part[3].assign(in.begin() + static_cast<std::ptrdiff_t>(n), in.end());
  return out;
}

// [alpha][x] = alpha_i (x_i + x_{i+1}) + alpha_{i+1} x_i per party, masked by
// a zero sharing and replicated.
void MalRep3::add_mac(Share& x, Check check) {
  const std::size_t n = x.size();
  Vec t = zero_share(1, n);
  const R* x0 = x.part[0].data();
  const R* x1 = x.part[1].data();
  for (std::size_t e = 0; e < n; ++e) t[e] += alpha_[0] * (x0[e] + x1[e]) + alpha_[1] * x0[e];
  checker_.send(check, net_.prev_party(), bytes_of(t));
  x.part[3].resize(n);
  checker_.recv(net_.next_party(), std::as_writable_bytes(std::span<R>(x.part[3])));
  x.part[2] = std::move(t);
}

void MalRep3::keep(const Share& x, Check check) {
  kept_[static_cast<int>(check)].push_back(x);
  kept_elements_ += x.size();
  if (kept_elements_ >= kAutoVerifyElements) verify();
}

MalRep3::Vec MalRep3::open(const Vec& c0, const Vec& c1, Check check) {
  Vec in(c0.size());
  checker_.joint(check, bytes_of(c0), bytes_of(c1), std::as_writable_bytes(std::span<R>(in)));
  for (std::size_t e = 0; e < in.size(); ++e) in[e] += c0[e] + c1[e];
  return in;
}

// ---------------------------------------------------------------- sharing

MalRep3::Share MalRep3::input(int owner, std::span<const Ring> values, std::size_t n) {
  if (owner < 0 || owner > 2)
    throw ShapeError("mal-rep3 input: owner " + std::to_string(owner) + " is not a party");
  next_op();
  Share out(n);
  if (party_ == owner) {
    check_same_size(values.size(), n, "input (owner's values vs n)");
    out.part[0] = prev_stream(0, n);  // component `owner`, known to owner-1 too
    for (std::size_t e = 0; e < n; ++e) out.part[1][e] = values[e] - out.part[0][e];
    checker_.send(Check::kInputShare, net_.next_party(), bytes_of(out.part[1]));
  } else if (party_ == (owner + 1) % 3) {
    checker_.recv(net_.prev_party(), std::as_writable_bytes(std::span<R>(out.part[0])));
  } else {
    out.part[1] = next_stream(0, n);
  }
  add_mac(out, Check::kInput);
  keep(out, Check::kInput);
  return out;
}

MalRep3::InputRows MalRep3::input_rows(int owner, RowSourceOf<Ring128> source, std::size_t rows,
                                       std::size_t row_len) {
  if (owner < 0 || owner > 2)
    throw ShapeError("mal-rep3 input_rows: owner " + std::to_string(owner) + " is not a party");
  if (party_ == owner && !source)
    throw ShapeError("mal-rep3 input_rows: the owner (party " + std::to_string(owner) + ") has no rows");
  return {owner, rows, row_len, party_ == owner ? std::move(source) : RowSourceOf<Ring128>{}};
}

MalRep3::Share MalRep3::gather_rows(const InputRows& t, std::span<const std::uint32_t> idx) {
  check_row_indices(idx, t.rows, "mal-rep3");
  std::vector<R> values;
  if (party_ == t.owner) {
    values.resize(idx.size() * t.row_len);
    t.source(idx, values.data());
  }
  return input(t.owner, values, idx.size() * t.row_len);
}

std::vector<R> MalRep3::reveal(const Share& x) {
  verify();
  const Vec v = open(x.part[0], x.part[1], Check::kOpening);
  verify();
  std::vector<R> out(v.size());
  for (std::size_t e = 0; e < v.size(); ++e) out[e] = sign_extend(v[e], kCheckedBits);
  return out;
}

// Party `to` misses component to+2: party to+2 sends it, party to+1 hashes it.
std::vector<R> MalRep3::reveal_to(int to, const Share& x) {
  if (to < 0 || to > 2)
    throw ShapeError("mal-rep3 reveal_to: party " + std::to_string(to) + " does not exist");
  verify();
  std::vector<R> out;
  if (party_ == (to + 2) % 3) checker_.joint_send(Check::kOpening, bytes_of(x.part[0]));
  if (party_ == (to + 1) % 3) checker_.joint_hash(Check::kOpening, bytes_of(x.part[1]));
  Vec missing;
  if (party_ == to) {
    missing.resize(x.size());
    checker_.joint_recv(Check::kOpening, std::as_writable_bytes(std::span<R>(missing)));
  }
  checker_.mark_pending();  // every party verifies the opening
  verify();
  if (party_ != to) return {};
  out.resize(x.size());
  for (std::size_t e = 0; e < out.size(); ++e)
    out[e] = sign_extend(missing[e] + x.part[0][e] + x.part[1][e], kCheckedBits);
  return out;
}

// Components uniform in [0, 2^bits), each known to its two holders (so no
// party knows the sum), MAC'd; their sum mod 2^bits through bit_decompose
// and b2a is uniform and known to no one.
MalRep3::Share MalRep3::random_int(std::size_t n, int bits) {
  if (bits < 1 || bits > fixed_.k - 2) {
    throw ShapeError("mal-rep3 random_int: " + std::to_string(bits) + " bits is outside [1, " +
                     std::to_string(fixed_.k - 2) + "]");
  }
  next_op();
  const R mask = (R{1} << bits) - 1;
  Share r(n);
  r.part[0] = prev_stream(0, n);
  r.part[1] = next_stream(0, n);
  for (int c = 0; c < 2; ++c)
    for (auto& v : r.part[c]) v &= mask;
  add_mac(r, Check::kInput);
  keep(r, Check::kInput);
  const auto planes = bit_decompose(r, bits);
  const std::size_t words = planes[0].size();
  Bits all = Bits::uninitialized(planes.size() * words);
  for (std::size_t j = 0; j < planes.size(); ++j)
    for (int c = 0; c < 2; ++c)
      std::copy(planes[j].part[c].begin(), planes[j].part[c].end(),
                all.part[c].begin() + static_cast<std::ptrdiff_t>(j * words));
  const Share b = b2a_flat(all, planes.size(), words, n);
  return linear(b, n, [&](const R* in, R* out) {
    for (std::size_t j = 0; j < planes.size(); ++j)
      for (std::size_t e = 0; e < n; ++e) out[e] += in[j * n + e] << j;
  });
}

// ---------------------------------------------------------------- local

MalRep3::Share MalRep3::add(Share x, const Share& y) const {
  check_same_size(x.size(), y.size(), "add");
  for (int c = 0; c < 4; ++c)
    for (std::size_t e = 0; e < x.size(); ++e) x.part[c][e] += y.part[c][e];
  return x;
}

MalRep3::Share MalRep3::sub(Share x, const Share& y) const {
  check_same_size(x.size(), y.size(), "sub");
  for (int c = 0; c < 4; ++c)
    for (std::size_t e = 0; e < x.size(); ++e) x.part[c][e] -= y.part[c][e];
  return x;
}

MalRep3::Share MalRep3::neg(Share x) const {
  for (int c = 0; c < 4; ++c)
    for (auto& v : x.part[c]) v = R{0} - v;
  return x;
}

// A public constant lives in component 0 (P0's part[0], P2's part[1]); its
// MAC is alpha c, from the key's components.
MalRep3::Share MalRep3::add_public(Share x, std::span<const Ring> c) const {
  check_same_size(x.size(), c.size(), "add_public");
  const int slot = party_ == 0 ? 0 : party_ == 2 ? 1 : -1;
  for (std::size_t e = 0; e < c.size(); ++e) {
    if (slot >= 0) x.part[slot][e] += c[e];
    x.part[2][e] += alpha_[0] * c[e];
    x.part[3][e] += alpha_[1] * c[e];
  }
  return x;
}

MalRep3::Share MalRep3::add_public(Share x, Ring c) const {
  const int slot = party_ == 0 ? 0 : party_ == 2 ? 1 : -1;
  if (slot >= 0)
    for (auto& v : x.part[slot]) v += c;
  for (auto& v : x.part[2]) v += alpha_[0] * c;
  for (auto& v : x.part[3]) v += alpha_[1] * c;
  return x;
}

MalRep3::Share MalRep3::mul_public(Share x, std::span<const Ring> c) const {
  check_same_size(x.size(), c.size(), "mul_public");
  for (int p = 0; p < 4; ++p)
    for (std::size_t e = 0; e < c.size(); ++e) x.part[p][e] *= c[e];
  return x;
}

MalRep3::Share MalRep3::mul_public(Share x, Ring c) const {
  for (int p = 0; p < 4; ++p)
    for (auto& v : x.part[p]) v *= c;
  return x;
}

// ---------------------------------------------------------------- products

MalRep3::Share MalRep3::mul(const Share& x, const Share& y) {
  check_same_size(x.size(), y.size(), "mul");
  next_op();
  const std::size_t n = x.size();
  Vec z(2 * n);
  const Vec mask_v = zero_share(0, n), mask_m = zero_share(1, n);
  const std::span<R> zv(z.data(), n), zm(z.data() + n, n);
  backend_.cross_mul_add(x.part[0], x.part[1], y.part[0], y.part[1], mask_v, zv);
  backend_.cross_mul_add(x.part[2], x.part[3], y.part[0], y.part[1], mask_m, zm);
  Share out = reshare(std::move(z), n, Check::kMultiplication);
  keep(out, Check::kMultiplication);
  return out;
}

// This party's summand of the value and of the MAC: (A_i + A_{i+1}) B_i +
// A_i B_{i+1}, with (alpha A) in place of A for the MAC. With A untransposed
// the value and MAC rows are stacked, two GEMMs of 2m rows; otherwise four.
void MalRep3::local_matmul(Trans ta, Trans tb, std::size_t m, std::size_t n, std::size_t k, const Share& a,
                           std::size_t a_at, const Share& b, std::size_t b_at, Ring* z_value, Ring* z_mac) {
  const std::size_t mk = m * k;
  const R* b0 = b.part[0].data() + b_at;
  const R* b1 = b.part[1].data() + b_at;
  if (ta == Trans::kNo && z_mac == z_value + m * n) {
    Vec sum(2 * mk), first(2 * mk);
    for (int h = 0; h < 2; ++h) {  // h = 0: value rows, 1: MAC rows
      const R* p0 = a.part[2 * h].data() + a_at;
      const R* p1 = a.part[2 * h + 1].data() + a_at;
      for (std::size_t e = 0; e < mk; ++e) {
        sum[h * mk + e] = p0[e] + p1[e];
        first[h * mk + e] = p0[e];
      }
    }
    backend_.gemm(ta, tb, 2 * m, n, k, sum.data(), b0, z_value, true);
    backend_.gemm(ta, tb, 2 * m, n, k, first.data(), b1, z_value, true);
    return;
  }
  Vec sum(mk);
  for (int h = 0; h < 2; ++h) {
    const R* p0 = a.part[2 * h].data() + a_at;
    const R* p1 = a.part[2 * h + 1].data() + a_at;
    for (std::size_t e = 0; e < mk; ++e) sum[e] = p0[e] + p1[e];
    R* z = h == 0 ? z_value : z_mac;
    backend_.gemm(ta, tb, m, n, k, sum.data(), b0, z, true);
    backend_.gemm(ta, tb, m, n, k, p0, b1, z, true);
  }
}

MalRep3::Share MalRep3::matmul(Trans ta, Trans tb, std::size_t m, std::size_t n, std::size_t k,
                               const Share& a, const Share& b) {
  if (a.size() != m * k || b.size() != k * n) {
    throw ShapeError("mal-rep3 matmul: A has " + std::to_string(a.size()) + " elements and B " +
                     std::to_string(b.size()) + ", expected " + std::to_string(m) + "x" + std::to_string(k) +
                     " and " + std::to_string(k) + "x" + std::to_string(n));
  }
  next_op();
  const std::size_t mn = m * n;
  Vec z(2 * mn);
  const Vec mask_v = zero_share(0, mn), mask_m = zero_share(1, mn);
  std::copy(mask_v.begin(), mask_v.end(), z.begin());
  std::copy(mask_m.begin(), mask_m.end(), z.begin() + static_cast<std::ptrdiff_t>(mn));
  local_matmul(ta, tb, m, n, k, a, 0, b, 0, z.data(), z.data() + mn);
  Share out = reshare(std::move(z), mn, Check::kMultiplication);
  keep(out, Check::kMultiplication);
  return out;
}

MalRep3::Share MalRep3::mul_trunc(const Share& x, const Share& y, int bits) { return trunc(mul(x, y), bits); }

MalRep3::Share MalRep3::matmul_trunc(Trans ta, Trans tb, std::size_t m, std::size_t n, std::size_t k,
                                     const Share& a, const Share& b, int bits) {
  const TruncRun run[] = {{m * n, bits}};
  return truncate_product(matmul(ta, tb, m, n, k, a, b), run);
}

// The products stay 3-out-of-3 summands through the public maps (linear) and
// are replicated once, with the addends, then truncated together.
MalRep3::Share MalRep3::matmuls_trunc(std::span<const MatmulTerm<Share>> terms, int bits) {
  const std::size_t total = matmul_terms_total(terms, "mal-rep3");
  const std::vector<TruncRun> runs = matmul_term_runs(terms, bits);
  for (const auto& r : runs) {
    if (r.bits < 1 || r.bits > kMaxTruncBits)
      throw ShapeError("mal-rep3 trunc: shift of " + std::to_string(r.bits) + " bits is outside [1, 62]");
  }
  next_op();
  Vec z(2 * total);
  {
    const Vec mask_v = zero_share(0, total), mask_m = zero_share(1, total);
    std::copy(mask_v.begin(), mask_v.end(), z.begin());
    std::copy(mask_m.begin(), mask_m.end(), z.begin() + static_cast<std::ptrdiff_t>(total));
  }
  Vec product, mapped;
  std::size_t at = 0;
  for (const auto& t : terms) {
    R* out_v = z.data() + at;
    R* out_m = z.data() + total + at;
    if (t.a != nullptr) {
      const std::size_t mk = t.m * t.k, kn = t.k * t.n, mn = t.m * t.n, all = t.blocks * mn;
      product.assign(2 * all, R{0});
      for (std::size_t blk = 0; blk < t.blocks; ++blk) {
        // Value rows of block blk, then its MAC rows, next to each other.
        Vec block(2 * mn, R{0});
        local_matmul(t.ta, t.tb, t.m, t.n, t.k, *t.a, blk * mk, *t.b, blk * kn, block.data(),
                     block.data() + mn);
        std::copy_n(block.begin(), mn, product.begin() + static_cast<std::ptrdiff_t>(blk * mn));
        std::copy_n(block.begin() + static_cast<std::ptrdiff_t>(mn), mn,
                    product.begin() + static_cast<std::ptrdiff_t>(all + blk * mn));
      }
      if (t.map) {
        mapped.assign(t.out_n, R{0});
        t.map(product.data(), mapped.data());
        for (std::size_t e = 0; e < t.out_n; ++e) out_v[e] += mapped[e];
        mapped.assign(t.out_n, R{0});
        t.map(product.data() + all, mapped.data());
        for (std::size_t e = 0; e < t.out_n; ++e) out_m[e] += mapped[e];
      } else {
        for (std::size_t e = 0; e < t.out_n; ++e) {
          out_v[e] += product[e];
          out_m[e] += product[all + e];
        }
      }
    }
    if (t.addend != nullptr) {  // component i is this party's summand of the addend
      for (std::size_t e = 0; e < t.out_n; ++e) {
        out_v[e] += t.addend->part[0][e];
        out_m[e] += t.addend->part[2][e];
      }
    }
    at += t.out_n;
  }
  Share sum = reshare(std::move(z), total, Check::kMultiplication);
  keep(sum, Check::kMultiplication);
  return truncate_product(sum, runs);
}

// ---------------------------------------------------------------- truncation

MalRep3::Share MalRep3::trunc(const Share& x, int bits) {
  const TruncRun run[] = {{x.size(), bits}};
  return truncate(x, run);
}

MalRep3::Share MalRep3::truncate_product(const Share& x, std::span<const TruncRun> runs) {
  if (product_rounding() == ProductRounding::kUnbiased) return trunc_runs(x, runs, Masks::kNoCarry);
  return truncate(x, runs);
}

MalRep3::Share MalRep3::truncate(const Share& x, std::span<const TruncRun> runs) {
  if (mode_ == TruncMode::kProbabilistic) return trunc_runs(x, runs, Masks::kCarry);
  // Exact: subtract each run's low bits (bit decomposition, b2a), then the
  // masked opening of a multiple of 2^b with masks whose low b bits are
  // zero has nothing to round. Exact mode is not the hot path: one
  // decomposition per run.
  Share low_free = Share::uninitialized(x.size());
  std::size_t at = 0;
  for (const auto& run : runs) {
    if (run.bits < 1 || run.bits > kMaxTruncBits) {
      throw ShapeError("mal-rep3 trunc: shift of " + std::to_string(run.bits) + " bits is outside [1, " +
                       std::to_string(kMaxTruncBits) + "]");
    }
    const Share piece = block_of(x, at, run.count);
    const auto planes = bit_decompose(faulty_copy(piece, CopyFault::Where::kValueLow), run.bits);
    const std::size_t words = planes[0].size();
    Bits all = Bits::uninitialized(planes.size() * words);
    for (std::size_t j = 0; j < planes.size(); ++j)
      for (int c = 0; c < 2; ++c)
        std::copy(planes[j].part[c].begin(), planes[j].part[c].end(),
                  all.part[c].begin() + static_cast<std::ptrdiff_t>(j * words));
    const Share bitsv = b2a_flat(all, planes.size(), words, run.count);
    const std::size_t count = run.count;
    const Share low = linear(bitsv, count, [&](const R* in, R* out) {
      for (std::size_t j = 0; j < planes.size(); ++j)
        for (std::size_t e = 0; e < count; ++e) out[e] += in[j * count + e] << j;
    });
    copy_range(low_free, at, sub(piece, low), 0, count);
    at += count;
  }
  return trunc_runs(low_free, runs, Masks::kMultiple);
}

// Per run of shift b: bits b and b+1 of the sum of `low`'s three components
// (each below 2^b), i.e. how far sum_j (r_j >> b) falls short of r >> b.
MalRep3::Share MalRep3::mask_carries(const Share& low, std::span<const TruncRun> runs) {
  Share out = Share::uninitialized(low.size());
  std::size_t at = 0;
  for (const auto& run : runs) {
    const std::size_t count = run.count;
    auto planes =
        bit_decompose(faulty_copy(block_of(low, at, count), CopyFault::Where::kMaskLow), run.bits + 2);
    const std::size_t words = planes[0].size();
    Bits top = Bits::uninitialized(2 * words);
    for (std::size_t j = 0; j < 2; ++j)
      for (int c = 0; c < 2; ++c)
        std::copy(planes[run.bits + j].part[c].begin(), planes[run.bits + j].part[c].end(),
                  top.part[c].begin() + static_cast<std::ptrdiff_t>(j * words));
    const Share bitsv = b2a_flat(top, 2, words, count);
    const Share carry = linear(bitsv, count, [&](const R* in, R* o) {
      for (std::size_t e = 0; e < count; ++e) o[e] = in[e] + (in[count + e] << 1);
    });
    copy_range(out, at, carry, 0, count);
    at += count;
  }
  return out;
}

// One round: the opening of c = x + 2^62 + r (joint messages) and the MAC
// product [alpha][r >> b] travel together; then everything is local.
MalRep3::Share MalRep3::trunc_runs(const Share& x, std::span<const TruncRun> runs, Masks masks) {
  std::size_t covered = 0;
  for (const auto& r : runs) {
    if (r.bits < 1 || r.bits > kMaxTruncBits) {
      throw ShapeError("mal-rep3 trunc: shift of " + std::to_string(r.bits) + " bits is outside [1, " +
                       std::to_string(kMaxTruncBits) + "]");
    }
    covered += r.count;
  }
  check_same_size(covered, x.size(), "trunc (runs vs values)");
  next_op();
  const std::size_t n = x.size();
  Vec r0 = prev_stream(0, n), r1 = next_stream(0, n);  // components i and i+1
  Vec c0(n), c1(n);
  Share shifted = Share::uninitialized(n);  // r >> b, componentwise
  // kNoCarry rounds component 2 up: sum_j (r_j >> b) then falls short of
  // r >> b by C - [l_2 != 0], mean exactly 0 (C alone has mean 1 - 2^-b).
  const bool ceil0 = masks == Masks::kNoCarry && party_ == 2;  // part 0 is component 2
  const bool ceil1 = masks == Masks::kNoCarry && party_ == 1;  // part 1 is component 2
  std::size_t at = 0;
  for (const auto& run : runs) {
    // A multiple of 2^b needs no mask below bit b (and then no carries).
    const R low_zero = masks == Masks::kMultiple ? kMaskMask & ~((R{1} << run.bits) - 1) : kMaskMask;
    const R up = (R{1} << run.bits) - 1;
    for (std::size_t e = at; e < at + run.count; ++e) {
      r0[e] &= low_zero;
      r1[e] &= low_zero;
      c0[e] = x.part[0][e] + r0[e];
      c1[e] = x.part[1][e] + r1[e];
      shifted.part[0][e] = (r0[e] + (ceil0 ? up : 0)) >> run.bits;
      shifted.part[1][e] = (r1[e] + (ceil1 ? up : 0)) >> run.bits;
    }
    at += run.count;
  }
  // kCarry: r >> b needs the carry of the components' low b bits into bit b
  // (0, 1 or 2); without it y - x / 2^b spans (-2, 2) even for a multiple of
  // 2^b or 0, and the fx code relies on stochastic rounding being exact
  // there (exp's integer products, its zero selector). kNoCarry: the
  // layers' products, which need only an unbiased result.
  if (masks == Masks::kCarry) {
    Share low(n);
    at = 0;
    for (const auto& run : runs) {
      const R lo = (R{1} << run.bits) - 1;
      for (std::size_t e = at; e < at + run.count; ++e) {
        low.part[0][e] = r0[e] & lo;
        low.part[1][e] = r1[e] & lo;
      }
      at += run.count;
    }
    const Share carry = mask_carries(low, runs);
    for (int c = 0; c < 2; ++c)
      for (std::size_t e = 0; e < n; ++e) shifted.part[c][e] += carry.part[c][e];
    next_op();
  }
  const int slot = party_ == 0 ? 0 : party_ == 2 ? 1 : -1;  // holders of component 0
  if (slot >= 0)
    for (auto& v : slot == 0 ? c0 : c1) v += kOffset;
  // MAC summands of r >> b, sent with the opening.
  Vec t = zero_share(1, n);
  for (std::size_t e = 0; e < n; ++e)
    t[e] += alpha_[0] * (shifted.part[0][e] + shifted.part[1][e]) + alpha_[1] * shifted.part[0][e];
  checker_.send(Check::kTruncation, net_.prev_party(), bytes_of(t));
  const Vec c = open(c0, c1, Check::kTruncation);
  shifted.part[3].resize(n);
  checker_.recv(net_.next_party(), std::as_writable_bytes(std::span<R>(shifted.part[3])));
  shifted.part[2] = std::move(t);
  keep(shifted, Check::kTruncation);
  // y = p - (r >> b) with the public p = (c >> b) - 2^(62-b).
  Share y = Share::uninitialized(n);
  at = 0;
  for (const auto& run : runs) {
    const R off = kOffset >> run.bits;
    for (std::size_t e = at; e < at + run.count; ++e) {
      const R p = ((c[e] & kCheckedMask) >> run.bits) - off;
      y.part[0][e] = R{0} - shifted.part[0][e];
      y.part[1][e] = R{0} - shifted.part[1][e];
      if (slot >= 0) y.part[slot][e] += p;
      y.part[2][e] = alpha_[0] * p - shifted.part[2][e];
      y.part[3][e] = alpha_[1] * p - shifted.part[3][e];
    }
    at += run.count;
  }
  return y;
}

}  // namespace sqt::mpc
