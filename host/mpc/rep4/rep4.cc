// Rep4: keys, joint inputs, sharing and opening, the local operations.
#include "host/mpc/rep4/rep4.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "host/core/error.h"
#include "host/core/os_random.h"

namespace sqt::mpc {
namespace {

using rep4::Check;

void check_same_size(std::size_t a, std::size_t b, const char* op) {
  if (a != b) {
    throw ShapeError(std::string("rep4 ") + op + ": operand sizes differ (" + std::to_string(a) + " vs " +
                     std::to_string(b) + ")");
  }
}

void check_party(int p, const char* what) {
  if (p < 0 || p > 3)
    throw ShapeError(std::string("rep4 ") + what + ": party " + std::to_string(p) + " does not exist");
}

std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// A key this party draws: from the kernel CSPRNG, or (seed != 0, tests only)
// from the seed, this party and the key's purpose.
backend::PrgSeed draw_key(std::uint64_t seed, int party, int purpose) {
  backend::PrgSeed key;
  if (seed == 0) {
    fill_os_random(std::as_writable_bytes(std::span(key)));
  } else {
    std::uint64_t state = seed ^ (0xA5A5A5A5ULL * static_cast<std::uint64_t>(party + 1)) ^
                          (0x5A5A5A5A00ULL * static_cast<std::uint64_t>(purpose + 1));
    const std::uint64_t words[2] = {splitmix64(state), splitmix64(state)};
    std::memcpy(key.data(), words, key.size());
  }
  return key;
}

std::span<const std::byte> bytes_of(const backend::PrgSeed& k) { return std::as_bytes(std::span(k)); }

// a += b, a ^= b or a += b << (64 - bits) per run.
void combine_into(Ring* a, const Ring* b, std::size_t n, bool xor_, std::span<const TruncRun> scaled) {
  if (!scaled.empty()) {
    std::size_t at = 0;
    for (const auto& r : scaled) {
      const int up = 64 - r.bits;
      for (std::size_t e = at; e < at + r.count; ++e) a[e] += b[e] << up;
      at += r.count;
    }
  } else if (xor_) {
    for (std::size_t e = 0; e < n; ++e) a[e] ^= b[e];
  } else {
    for (std::size_t e = 0; e < n; ++e) a[e] += b[e];
  }
}

Ring low_mask(int bits) { return bits >= 64 ? ~Ring{0} : (Ring{1} << bits) - 1; }

// v &= 2^bits - 1 per run.
void mask_runs(std::span<Ring> v, std::span<const TruncRun> runs) {
  std::size_t at = 0;
  for (const auto& r : runs) {
    const Ring m = low_mask(r.bits);
    for (std::size_t e = at; e < at + r.count; ++e) v[e] &= m;
    at += r.count;
  }
}

}  // namespace

// ---------------------------------------------------------------- keys

// Party i draws the pair keys of every higher party and the triple key of
// all but party i-1 (sent to parties i+1 and i+2, who hash what they got for
// each other: kKeys, checked by a verify() at the end of the setup).
Rep4::Rep4(net::Network& network, backend::Backend& backend, FixedParams fixed, TruncMode mode,
           std::uint64_t seed)
    : net_(network),
      backend_(backend),
      fixed_(fixed),
      mode_(mode),
      party_(network.party()),
      checker_(network) {
  if (network.parties() != 4) {
    throw NetError("rep4 needs exactly 4 parties, the network has " + std::to_string(network.parties()));
  }
  if (fixed.f < 1 || fixed.k <= fixed.f || fixed.k > 62) {
    throw ConfigError("rep4: fixed-point parameters f=" + std::to_string(fixed.f) +
                      " k=" + std::to_string(fixed.k) + " need 1 <= f < k <= 62");
  }
  const int me = party_;
  for (int q = me + 1; q < 4; ++q) {
    pair_[q] = draw_key(seed, me, q);
    checker_.send(Check::kKeys, q, bytes_of(pair_[q]));
  }
  const int mine = (me + 3) % 4;  // the triple key this party draws: all but party me-1
  triple_[mine] = draw_key(seed, me, 4 + mine);
  checker_.send(Check::kKeys, (me + 1) % 4, bytes_of(triple_[mine]));
  checker_.send(Check::kKeys, (me + 2) % 4, bytes_of(triple_[mine]));
  for (int q = 0; q < me; ++q) checker_.recv(Check::kKeys, q, std::as_writable_bytes(std::span(pair_[q])));
  // The message checks' MAC keys: the start of each pair key's stream at
  // counter 0, which no operation uses (every one starts with next_op()).
  std::array<rep4::Checker::MacKey, 4> mac{};
  for (int q = 0; q < 4; ++q) {
    if (q == me) continue;
    Ring words[2];
    backend_.prg_fill(pair_[q], 0, words);
    std::memcpy(mac[q].data(), words, sizeof words);
  }
  checker_.set_mac_keys(mac);
  // Triple keys of all but e = me+1 (drawn by me+2) and e = me+2 (by me+3).
  for (int step = 1; step <= 2; ++step) {
    const int e = (me + step) % 4, drawer = (e + 1) % 4;
    const int other = 6 - me - e - drawer;  // the key's other receiver
    auto bytes = std::as_writable_bytes(std::span(triple_[e]));
    checker_.recv(Check::kKeys, drawer, bytes);
    checker_.hash_as_receiver(Check::kKeys, drawer, other, bytes);
    checker_.hash_as_hasher(Check::kKeys, other, drawer, bytes);
  }
  checker_.mark_pending();
  // Keys no honest draw gives: degenerate ones, or two equal keys (then two
  // streams that must be independent coincide).
  std::vector<const backend::PrgSeed*> keys;
  for (int q = 0; q < 4; ++q) {
    if (q == me) continue;
    keys.push_back(&pair_[q]);
    keys.push_back(&triple_[q]);
  }
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (degenerate_key(bytes_of(*keys[i])))
      throw NetError("rep4: party " + std::to_string(me) +
                     " holds a degenerate PRG key (all bits equal); refusing the session");
    for (std::size_t j = 0; j < i; ++j) {
      if (*keys[i] == *keys[j])
        throw NetError("rep4: party " + std::to_string(me) +
                       " received a PRG key equal to another of its keys; refusing the session");
    }
  }
  // The triple keys are checked before any stream is used: a member given
  // a different key would make honest parties' messages differ, and every
  // later check would then fail without naming the drawer.
  verify();
}

void Rep4::prg(const backend::PrgSeed& key, unsigned sub, std::span<Ring> out) {
  backend_.prg_fill(key, counter(sub), out);
}

void Rep4::prg_at(const backend::PrgSeed& key, std::uint64_t ctr, std::size_t first, std::span<Ring> out) {
  if (first % 2 == 0) {
    backend_.prg_fill(key, ctr + first / 2, out);
    return;
  }
  RingVec with_previous(out.size() + 1);
  backend_.prg_fill(key, ctr + first / 2, with_previous);
  std::copy(with_previous.begin() + 1, with_previous.end(), out.begin());
}

// ---------------------------------------------------------------- joint inputs

void Rep4::Joint::input(int a, int b, int l, int sender, Combine how, std::span<const Ring> v, std::size_t n,
                        Share& out, std::size_t at, std::span<const TruncRun> runs) {
  const int me = p_.party_;
  const int k = 6 - a - b - l;
  const int hasher = sender == a ? b : a;
  const unsigned sub = p_.next_sub();
  rep4::Wire wire;
  if (how == Combine::kScaled) wire.runs.assign(runs.begin(), runs.end());
  const bool xor_ = how == Combine::kXor;
  if (me == l) {
    const int h = round_.add(sender, hasher, l, {}, n, wire);
    finish_.push_back({h, p_.comp(out, k).data() + at, how, wire.runs});
    return;
  }
  RingVec r(n);
  p_.prg(p_.triple_key(l), sub, r);
  if (me != k && v.size() != n)
    throw ShapeError("rep4: a joint input of " + std::to_string(v.size()) + " values, expected " +
                     std::to_string(n));
  Ring* out_l = p_.comp(out, l).data() + at;
  if (how != Combine::kScaled) {  // one pass: component l += R, k += v - R
    if (me == k) {
      combine_into(out_l, r.data(), n, xor_, {});
      return;
    }
    Ring* out_k = p_.comp(out, k).data() + at;
    for (std::size_t e = 0; e < n; ++e) {
      const Ring re = r[e];
      const Ring m = xor_ ? v[e] ^ re : v[e] - re;
      out_l[e] = xor_ ? out_l[e] ^ re : out_l[e] + re;
      out_k[e] = xor_ ? out_k[e] ^ m : out_k[e] + m;
      r[e] = m;
    }
  } else {
    mask_runs(r, runs);
    combine_into(out_l, r.data(), n, xor_, wire.runs);
    if (me == k) return;
    for (std::size_t e = 0; e < n; ++e) r[e] = v[e] - r[e];
    mask_runs(r, runs);
    combine_into(p_.comp(out, k).data() + at, r.data(), n, xor_, wire.runs);
  }
  keep_.push_back(std::move(r));
  round_.add(sender, hasher, l, keep_.back(), n, wire);
}

int Rep4::Joint::message(int sender, int hasher, int receiver, std::span<const Ring> v, std::size_t n,
                         const rep4::Wire& wire) {
  return round_.add(sender, hasher, receiver, v, n, wire);
}

void Rep4::Joint::run() {
  round_.run();
  for (auto& f : finish_) {
    const RingVec& got = round_.received(f.handle);
    combine_into(f.dst, got.data(), got.size(), f.how == Combine::kXor, f.runs);
  }
  finish_.clear();
  keep_.clear();
}

// ---------------------------------------------------------------- sharing

// Components: owner 0, owner+1 and owner+2 from the keys of all but them,
// owner+3 = x - both, sent by the owner to owner+1 and owner+2.
Rep4::Share Rep4::input(int owner, std::span<const Ring> values, std::size_t n) {
  check_party(owner, "input");
  next_op();
  const int a = (owner + 1) % 4, b = (owner + 2) % 4, c = (owner + 3) % 4;
  const unsigned sub = next_sub();
  Share out(n);
  if (party_ != a) prg(triple_key(a), sub, comp(out, a));
  if (party_ != b) prg(triple_key(b), sub, comp(out, b));
  checker_.mark_pending();
  if (party_ == owner) {
    check_same_size(values.size(), n, "input (owner's values vs n)");
    RingVec& last = comp(out, c);
    const RingVec& ra = comp(out, a);
    const RingVec& rb = comp(out, b);
    for (std::size_t e = 0; e < n; ++e) last[e] = values[e] - ra[e] - rb[e];
    checker_.send(Check::kInput, a, std::as_bytes(std::span<const Ring>(last)));
    checker_.send(Check::kInput, b, std::as_bytes(std::span<const Ring>(last)));
  } else if (party_ == a || party_ == b) {
    const int other = party_ == a ? b : a;
    auto bytes = std::as_writable_bytes(std::span<Ring>(comp(out, c)));
    checker_.recv(Check::kInput, owner, bytes);
    checker_.hash_as_receiver(Check::kInput, owner, other, bytes);
    checker_.hash_as_hasher(Check::kInput, other, owner, bytes);
  }
  return out;
}

Rep4::InputRows Rep4::input_rows(int owner, RowSource source, std::size_t rows, std::size_t row_len) {
  check_party(owner, "input_rows");
  next_op();
  const int a = (owner + 1) % 4, b = (owner + 2) % 4;
  InputRows t;
  t.owner = owner;
  t.rows = rows;
  t.row_len = row_len;
  t.counter = counter(next_sub());
  checker_.mark_pending();
  // Slices of whole rows (about 2^20 values): nobody holds a second copy.
  const std::size_t slice_rows =
      std::max<std::size_t>(1, (std::size_t{1} << 20) / std::max<std::size_t>(row_len, 1));
  if (party_ == owner) {
    if (!source)
      throw ShapeError("rep4 input_rows: the owner (party " + std::to_string(owner) + ") has no rows");
    RingVec slice, ra, rb;
    std::vector<std::uint32_t> idx;
    for (std::size_t r = 0; r < rows; r += slice_rows) {
      const std::size_t count = std::min(slice_rows, rows - r);
      idx.resize(count);
      for (std::size_t i = 0; i < count; ++i) idx[i] = static_cast<std::uint32_t>(r + i);
      slice.resize(count * row_len);
      ra.resize(slice.size());
      rb.resize(slice.size());
      source(idx, slice.data());
      prg_at(triple_key(a), t.counter, r * row_len, ra);
      prg_at(triple_key(b), t.counter, r * row_len, rb);
      for (std::size_t i = 0; i < slice.size(); ++i) slice[i] -= ra[i] + rb[i];
      checker_.send(Check::kInput, a, std::as_bytes(std::span<const Ring>(slice)));
      checker_.send(Check::kInput, b, std::as_bytes(std::span<const Ring>(slice)));
    }
    t.source = std::move(source);
  } else if (party_ == a || party_ == b) {
    const int other = party_ == a ? b : a;
    t.kept.resize(rows * row_len);
    for (std::size_t r = 0; r < rows; r += slice_rows) {
      const std::size_t count = std::min(slice_rows, rows - r);
      auto bytes = std::as_writable_bytes(std::span<Ring>(t.kept).subspan(r * row_len, count * row_len));
      checker_.recv(Check::kInput, owner, bytes);
      checker_.hash_as_receiver(Check::kInput, owner, other, bytes);
      checker_.hash_as_hasher(Check::kInput, other, owner, bytes);
    }
  }
  return t;
}

Rep4::Share Rep4::gather_rows(const InputRows& t, std::span<const std::uint32_t> idx) {
  check_row_indices(idx, t.rows, "rep4");
  const std::size_t len = t.row_len;
  const int a = (t.owner + 1) % 4, b = (t.owner + 2) % 4, c = (t.owner + 3) % 4;
  Share out = Share::uninitialized(idx.size() * len);
  auto regenerate = [&](int which, RingVec& dst) {
    for (std::size_t i = 0; i < idx.size(); ++i)
      prg_at(triple_key(which), t.counter, std::size_t{idx[i]} * len,
             std::span<Ring>(dst).subspan(i * len, len));
  };
  if (party_ != t.owner) std::fill(comp(out, t.owner).begin(), comp(out, t.owner).end(), Ring{0});
  if (party_ != a) regenerate(a, comp(out, a));
  if (party_ != b) regenerate(b, comp(out, b));
  if (party_ == t.owner) {
    RingVec& last = comp(out, c);
    t.source(idx, last.data());
    const RingVec& ra = comp(out, a);
    const RingVec& rb = comp(out, b);
    for (std::size_t e = 0; e < last.size(); ++e) last[e] -= ra[e] + rb[e];
  } else if (party_ == a || party_ == b) {
    copy_rows(t.kept.data(), len, idx, comp(out, c).data());
  }
  return out;
}

// ---------------------------------------------------------------- opening

// Party p's missing component comes from party p+1, its digest from p+2.
std::vector<Ring> Rep4::reveal(const Share& x) {
  verify();
  next_op();
  const std::size_t n = x.size();
  Joint j(*this, Check::kOpening);
  int mine = -1;
  for (int p = 0; p < 4; ++p) {
    const std::span<const Ring> v = p == party_ ? std::span<const Ring>{} : std::span<const Ring>(comp(x, p));
    const int h = j.message((p + 1) % 4, (p + 2) % 4, p, v, n);
    if (p == party_) mine = h;
  }
  j.run();
  verify();
  std::vector<Ring> out(n);
  const RingVec& got = j.received(mine);
  for (std::size_t e = 0; e < n; ++e) out[e] = got[e] + x.part[0][e] + x.part[1][e] + x.part[2][e];
  return out;
}

std::vector<Ring> Rep4::reveal_to(int to, const Share& x) {
  check_party(to, "reveal_to");
  verify();
  next_op();
  const std::size_t n = x.size();
  Joint j(*this, Check::kOpening);
  const std::span<const Ring> v = to == party_ ? std::span<const Ring>{} : std::span<const Ring>(comp(x, to));
  const int h = j.message((to + 1) % 4, (to + 2) % 4, to, v, n);
  j.run();
  verify();
  if (party_ != to) return {};
  std::vector<Ring> out(n);
  const RingVec& got = j.received(h);
  for (std::size_t e = 0; e < n; ++e) out[e] = got[e] + x.part[0][e] + x.part[1][e] + x.part[2][e];
  return out;
}

std::vector<std::uint64_t> Rep4::reveal_bits(const Bits& b) {
  verify();
  next_op();
  const std::size_t n = b.size();
  Joint j(*this, Check::kOpening);
  int mine = -1;
  for (int p = 0; p < 4; ++p) {
    const std::span<const Ring> v = p == party_ ? std::span<const Ring>{} : std::span<const Ring>(comp(b, p));
    const int h = j.message((p + 1) % 4, (p + 2) % 4, p, v, n);
    if (p == party_) mine = h;
  }
  j.run();
  verify();
  std::vector<std::uint64_t> out(n);
  const RingVec& got = j.received(mine);
  for (std::size_t w = 0; w < n; ++w) out[w] = got[w] ^ b.part[0][w] ^ b.part[1][w] ^ b.part[2][w];
  return out;
}

// ---------------------------------------------------------------- local

Rep4::Share Rep4::add(Share x, const Share& y) const {
  check_same_size(x.size(), y.size(), "add");
  for (int c = 0; c < 3; ++c)
    for (std::size_t e = 0; e < x.size(); ++e) x.part[c][e] += y.part[c][e];
  x.known_zero = -1;
  return x;
}

Rep4::Share Rep4::sub(Share x, const Share& y) const {
  check_same_size(x.size(), y.size(), "sub");
  for (int c = 0; c < 3; ++c)
    for (std::size_t e = 0; e < x.size(); ++e) x.part[c][e] -= y.part[c][e];
  x.known_zero = -1;
  return x;
}

Rep4::Share Rep4::neg(Share x) const {
  for (int c = 0; c < 3; ++c)
    for (auto& v : x.part[c]) v = Ring{0} - v;
  return x;
}

// A public value lives in component 0 (held by parties 1, 2, 3).
Rep4::Share Rep4::add_public(Share x, std::span<const Ring> c) const {
  check_same_size(x.size(), c.size(), "add_public");
  x.known_zero = -1;
  if (party_ != 0)
    for (std::size_t e = 0; e < c.size(); ++e) comp(x, 0)[e] += c[e];
  return x;
}

Rep4::Share Rep4::add_public(Share x, Ring c) const {
  x.known_zero = -1;
  if (party_ != 0)
    for (auto& v : comp(x, 0)) v += c;
  return x;
}

Rep4::Share Rep4::mul_public(Share x, std::span<const Ring> c) const {
  check_same_size(x.size(), c.size(), "mul_public");
  for (int p = 0; p < 3; ++p)
    for (std::size_t e = 0; e < c.size(); ++e) x.part[p][e] *= c[e];
  return x;
}

Rep4::Share Rep4::mul_public(Share x, Ring c) const {
  for (int p = 0; p < 3; ++p)
    for (auto& v : x.part[p]) v *= c;
  return x;
}

Rep4::Bits Rep4::bit_xor(const Bits& a, const Bits& b) const {
  check_same_size(a.size(), b.size(), "bit_xor");
  Bits out = a;
  for (int c = 0; c < 3; ++c)
    for (std::size_t w = 0; w < out.size(); ++w) out.part[c][w] ^= b.part[c][w];
  return out;
}

Rep4::Bits Rep4::bit_not(const Bits& a) const {
  Bits out = a;
  if (party_ != 0)
    for (auto& w : comp(out, 0)) w = ~w;
  return out;
}

}  // namespace sqt::mpc
