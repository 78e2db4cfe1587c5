// Shamir over GR(2^64, 4): keys, PRSS, sharing and opening, the local
// operations, and the products with their degree reduction.
#include "host/mpc/shamir/shamir.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "host/core/error.h"
#include "host/core/os_random.h"

namespace sqt::mpc {
namespace {

using shamir::Gr;

void check_same_size(std::size_t a, std::size_t b, const char* op) {
  if (a != b) {
    throw ShapeError(std::string("shamir ") + op + ": operand sizes differ (" + std::to_string(a) + " vs " +
                     std::to_string(b) + ")");
  }
}

std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// A key this party draws: from the kernel CSPRNG, or (seed != 0, tests only)
// from the seed, the party and the key's purpose.
backend::PrgSeed draw_key(std::uint64_t seed, int party, std::uint64_t purpose) {
  backend::PrgSeed key;
  if (seed == 0) {
    do {
      fill_os_random(std::as_writable_bytes(std::span(key)));
    } while (degenerate_key(std::as_bytes(std::span(key))));
  } else {
    std::uint64_t state =
        seed ^ (0xA5A5A5A5ULL * static_cast<std::uint64_t>(party + 1)) ^ (0x5A5A5A5A00ULL * (purpose + 1));
    const std::uint64_t words[2] = {splitmix64(state), splitmix64(state)};
    std::memcpy(key.data(), words, key.size());
  }
  return key;
}

// Every set of `size` parties out of n, in lexicographic order.
std::vector<std::vector<int>> subsets(int n, int size) {
  std::vector<std::vector<int>> out;
  std::vector<int> cur;
  auto rec = [&](auto&& self, int from) -> void {
    if (static_cast<int>(cur.size()) == size) {
      out.push_back(cur);
      return;
    }
    for (int i = from; i < n; ++i) {
      cur.push_back(i);
      self(self, i + 1);
      cur.pop_back();
    }
  };
  rec(rec, 0);
  return out;
}

// The run of elements [begin, end) whose king is party j.
std::pair<std::size_t, std::size_t> run_of(std::size_t n, int parties, int j) {
  const auto p = static_cast<std::size_t>(parties);
  return {n * static_cast<std::size_t>(j) / p, n * static_cast<std::size_t>(j + 1) / p};
}

std::vector<int> first_parties(int count) {
  std::vector<int> v(static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i) v[static_cast<std::size_t>(i)] = i;
  return v;
}

}  // namespace

Shamir::Shamir(net::Network& network, backend::Backend& backend, FixedParams fixed, TruncMode mode,
               std::uint64_t seed, ProductRounding products)
    : net_(network),
      backend_(backend),
      fixed_(fixed),
      mode_(mode),
      products_(products),
      party_(network.party()),
      n_(network.parties()),
      t_((network.parties() - 1) / 2) {
  if (n_ < kMinParties || n_ > kMaxParties) {
    throw NetError("shamir runs among 3 to 10 parties, the network has " + std::to_string(n_));
  }
  if (fixed.f < 1 || fixed.k <= fixed.f || fixed.k > 62) {
    throw ConfigError("shamir: fixed-point parameters f=" + std::to_string(fixed.f) +
                      " k=" + std::to_string(fixed.k) + " need 1 <= f < k <= 62");
  }
  const auto sets = subsets(n_, t_);
  // Phase 1: draw and send every key this party draws (the lowest member of
  // the set of key holders draws a PRSS key; the lower of a pair its key).
  std::vector<backend::PrgSeed> drawn(sets.size());
  for (std::size_t s = 0; s < sets.size(); ++s) {
    const auto& a = sets[s];
    int drawer = 0;
    while (std::find(a.begin(), a.end(), drawer) != a.end()) ++drawer;
    if (drawer != party_) continue;
    drawn[s] = draw_key(seed, party_, 1000 + s);
    for (int q = 0; q < n_; ++q) {
      if (q != party_ && std::find(a.begin(), a.end(), q) == a.end())
        net_.send_bytes(q, std::as_bytes(std::span(drawn[s])));
    }
  }
  pair_.resize(static_cast<std::size_t>(n_));
  for (int q = party_ + 1; q < n_; ++q) {
    pair_[static_cast<std::size_t>(q)] = draw_key(seed, party_, static_cast<std::uint64_t>(q));
    net_.send_bytes(q, std::as_bytes(std::span(pair_[static_cast<std::size_t>(q)])));
  }
  own_ = draw_key(seed, party_, 999);
  // Phase 2: receive, in the order each sender sent.
  for (std::size_t s = 0; s < sets.size(); ++s) {
    const auto& a = sets[s];
    if (std::find(a.begin(), a.end(), party_) != a.end()) continue;
    int drawer = 0;
    while (std::find(a.begin(), a.end(), drawer) != a.end()) ++drawer;
    PrssKey k;
    if (drawer == party_) {
      k.key = drawn[s];
    } else {
      net_.recv_bytes(drawer, std::as_writable_bytes(std::span(k.key)));
    }
    k.coeff = shamir::vanishing_at(a, party_);
    k.holder = drawer == party_;
    prss_.push_back(k);
  }
  for (int q = 0; q < party_; ++q)
    net_.recv_bytes(q, std::as_writable_bytes(std::span(pair_[static_cast<std::size_t>(q)])));
  const auto open = first_parties(t_ + 1), mul = first_parties(2 * t_ + 1);
  lambda_open_ = shamir::lagrange_at_zero(open);
  lambda_mul_ = shamir::lagrange_at_zero(mul);
  source_ = n_ >= kBatchedFrom ? DoubleSource::kBatched : DoubleSource::kPrss;
}

void Shamir::prg(const backend::PrgSeed& key, std::span<Ring> out) { backend_.prg_fill(key, ctr_, out); }

// ---------------------------------------------------------------- PRSS

Shamir::Double Shamir::draw_double(std::size_t n) {
  Double d{Share(n), RingVec(n, 0)};
  // [r]_t = F^T P per chunk: F holds the K keys' coefficients f_A(alpha_i)
  // (K x 4), P their streams (K x chunk); one backend GEMM per chunk.
  const std::size_t keys = prss_.size();
  RingVec f(keys * 4);
  for (std::size_t a = 0; a < keys; ++a)
    for (int j = 0; j < 4; ++j) f[a * 4 + static_cast<std::size_t>(j)] = prss_[a].coeff.c[j];
  constexpr std::size_t kChunk = 2048;  // even: a chunk starts on an AES block
  RingVec p(keys * std::min(n, kChunk)), out(4 * std::min(n, kChunk));
  for (std::size_t at = 0; at < n; at += kChunk) {
    const std::size_t len = std::min(kChunk, n - at);
    for (std::size_t a = 0; a < keys; ++a) {
      const std::span<Ring> row(p.data() + a * len, len);
      backend_.prg_fill(prss_[a].key, ctr_ + at / 2, row);
      if (prss_[a].holder)
        for (std::size_t e = 0; e < len; ++e) d.additive[at + e] += row[e];
    }
    backend_.gemm(Trans::kYes, Trans::kNo, 4, len, keys, f.data(), p.data(), out.data(), false);
    for (int j = 0; j < 4; ++j)
      std::copy_n(out.begin() + static_cast<std::size_t>(j) * len, len, d.r.part[j].begin() + at);
  }
  // A zero sum among the senders, from the pairwise keys.
  if (sender()) {
    RingVec stream(n);
    for (int q = 0; q <= 2 * t_; ++q) {
      if (q == party_) continue;
      prg(pair_[static_cast<std::size_t>(q)], stream);
      if (party_ < q)
        for (std::size_t e = 0; e < n; ++e) d.additive[e] += stream[e];
      else
        for (std::size_t e = 0; e < n; ++e) d.additive[e] -= stream[e];
    }
  }
  advance(n);
  return d;
}

Shamir::Double Shamir::draw_double_bits(std::size_t words) {
  Double d{Bits(words), RingVec(words, 0)};
  RingVec stream(words);
  for (const auto& k : prss_) {
    prg(k.key, stream);
    const shamir::Gf16 c = shamir::mod2(k.coeff);
    for (int j = 0; j < 4; ++j)
      if (c >> j & 1)
        for (std::size_t w = 0; w < words; ++w) d.r.part[j][w] ^= stream[w];
    if (k.holder)
      for (std::size_t w = 0; w < words; ++w) d.additive[w] ^= stream[w];
  }
  if (sender()) {
    for (int q = 0; q <= 2 * t_; ++q) {
      if (q == party_) continue;
      prg(pair_[static_cast<std::size_t>(q)], stream);
      for (std::size_t w = 0; w < words; ++w) d.additive[w] ^= stream[w];
    }
  }
  advance(words);
  return d;
}

// ---------------------------------------------------------------- king

std::vector<Ring> Shamir::king_open(const RingVec& u, bool xor_) {
  const std::size_t n = u.size();
  if (sender()) {
    for (int k = 0; k < n_; ++k) {
      const auto [b, e] = run_of(n, n_, k);
      if (k != party_ && e > b) net_.send(k, std::span(u).subspan(b, e - b));
    }
  }
  const auto [mb, me] = run_of(n, n_, party_);
  std::vector<Ring> out(n, 0);
  if (me > mb) {
    std::span<Ring> mine(out.data() + mb, me - mb);
    if (sender()) std::copy_n(u.begin() + mb, me - mb, mine.begin());
    RingVec got(me - mb);
    for (int s = 0; s <= 2 * t_; ++s) {
      if (s == party_) continue;
      net_.recv(s, got);
      if (xor_)
        for (std::size_t e = 0; e < got.size(); ++e) mine[e] ^= got[e];
      else
        for (std::size_t e = 0; e < got.size(); ++e) mine[e] += got[e];
    }
    for (int q = 0; q < n_; ++q)
      if (q != party_) net_.send(q, std::span<const Ring>(mine));
  }
  for (int k = 0; k < n_; ++k) {
    const auto [b, e] = run_of(n, n_, k);
    if (k != party_ && e > b) net_.recv(k, std::span(out).subspan(b, e - b));
  }
  return out;
}

Shamir::Share Shamir::reduce(RingVec u) {
  const std::size_t n = u.size();
  Double d = take_double(n);
  if (sender())
    for (std::size_t e = 0; e < n; ++e) u[e] += d.additive[e];
  const auto v = king_open(u, false);
  Share out = std::move(d.r);
  for (std::size_t e = 0; e < n; ++e) out.part[0][e] = v[e] - out.part[0][e];
  for (int j = 1; j < 4; ++j)
    for (auto& w : out.part[j]) w = Ring{0} - w;
  return out;
}

// ---------------------------------------------------------------- sharing

// Dealing with t shares from pairwise keys: dealer d's polynomial is fixed
// by the secret at 0 and by the shares of the first t parties other than d,
// which those parties draw from the key they share with d (no message); d
// interpolates the other n - 1 - t shares and sends them.
std::vector<int> Shamir::seeded(int dealer) const {
  std::vector<int> s;
  for (int q = 0; q < n_ && static_cast<int>(s.size()) < t_; ++q)
    if (q != dealer) s.push_back(q);
  return s;
}

// The stream of the key of d and j for d's dealing (each direction its own
// blocks at the current counter).
void Shamir::seeded_stream(int dealer, int other, std::span<Ring> out) {
  const std::uint64_t ctr = ctr_ + (dealer < other ? 0 : out.size() / 2 + 1);
  backend_.prg_fill(pair_[static_cast<std::size_t>(dealer == party_ ? other : dealer)], ctr, out);
}

namespace {

Shamir::Share split4(const RingVec& flat, std::size_t n) {
  auto s = Shamir::Share::uninitialized(n);
  for (int j = 0; j < 4; ++j)
    std::copy_n(flat.begin() + static_cast<std::ptrdiff_t>(j * n), n, s.part[j].begin());
  return s;
}

bool contains(const std::vector<int>& v, int x) { return std::find(v.begin(), v.end(), x) != v.end(); }

}  // namespace

std::vector<Shamir::Share> Shamir::deal_from(std::span<const int> dealers, std::span<const Ring> mine,
                                             std::size_t n, bool binary) {
  // n elements: 4n words in GR, 4n words of bit planes in GF(16) (n words
  // per plane). The stream of a seeded share is 4n words either way.
  const std::size_t words = 4 * n;
  std::vector<Share> out(dealers.size());
  RingVec flat(words);
  for (std::size_t k = 0; k < dealers.size(); ++k) {
    const int d = dealers[k];
    if (d != party_) continue;
    const auto set = seeded(d);
    std::vector<Gr> nodes = {Gr{}};
    std::vector<Share> known;
    for (const int j : set) {
      nodes.push_back(shamir::point(j));
      seeded_stream(d, j, flat);
      known.push_back(split4(flat, n));
    }
    for (int q = 0; q < n_; ++q) {
      if (contains(set, q)) continue;
      const Gr z = shamir::point(q);
      Share s(n);
      const Gr l0 = shamir::lagrange_basis(nodes, 0, z);
      if (binary) {
        const shamir::Gf16 c0 = shamir::mod2(l0);
        for (int j = 0; j < 4; ++j)
          if (c0 >> j & 1) std::copy(mine.begin(), mine.end(), s.part[j].begin());
        for (std::size_t m = 0; m < known.size(); ++m) {
          const shamir::Gf16 c = shamir::mod2(shamir::lagrange_basis(nodes, m + 1, z));
          for (int l = 0; l < 4; ++l) {
            const shamir::Gf16 col = shamir::gf16_mul(c, static_cast<shamir::Gf16>(1u << l));
            for (int j = 0; j < 4; ++j)
              if (col >> j & 1)
                for (std::size_t e = 0; e < n; ++e) s.part[j][e] ^= known[m].part[l][e];
          }
        }
      } else {
        for (int j = 0; j < 4; ++j)
          for (std::size_t e = 0; e < n; ++e) s.part[j][e] = mine[e] * l0.c[j];
        Ring* acc[4] = {s.part[0].data(), s.part[1].data(), s.part[2].data(), s.part[3].data()};
        for (std::size_t m = 0; m < known.size(); ++m) {
          const Gr c = shamir::lagrange_basis(nodes, m + 1, z);
          const auto& kn = known[m];
          const Ring* in[4] = {kn.part[0].data(), kn.part[1].data(), kn.part[2].data(), kn.part[3].data()};
          backend_.gr_mul_const_add(in, c.c.data(), acc, n);
        }
      }
      if (q == party_)
        out[k] = std::move(s);
      else
        send_share(q, s);
    }
  }
  for (std::size_t k = 0; k < dealers.size(); ++k) {
    const int d = dealers[k];
    if (d == party_) continue;
    if (contains(seeded(d), party_)) {
      seeded_stream(d, party_, flat);
      out[k] = split4(flat, n);
    } else {
      out[k] = recv_share(d, n);
    }
  }
  ctr_ += words + 4;  // both directions' blocks
  return out;
}

void Shamir::send_share(int to, const Share& s) {
  const std::size_t n = s.size();
  if (n == 0) return;
  RingVec flat(4 * n);
  for (int j = 0; j < 4; ++j) std::copy(s.part[j].begin(), s.part[j].end(), flat.begin() + j * n);
  net_.send(to, std::span<const Ring>(flat));
}

Shamir::Share Shamir::recv_share(int from, std::size_t n) {
  Share s(n);
  if (n == 0) return s;
  RingVec flat(4 * n);
  net_.recv(from, flat);
  for (int j = 0; j < 4; ++j) std::copy_n(flat.begin() + j * n, n, s.part[j].begin());
  return s;
}

// t + 1 dealers among the senders, the window moving on by t + 1 per call
// so that dealing work spreads over parties 0..2t.
std::vector<int> Shamir::next_dealers() {
  std::vector<int> who;
  const int senders = 2 * t_ + 1;
  for (int i = 0; i <= t_; ++i)
    who.push_back(static_cast<int>((rot_ + static_cast<std::uint64_t>(i)) % senders));
  rot_ += static_cast<std::uint64_t>(t_ + 1);
  return who;
}

Shamir::Share Shamir::input(int owner, std::span<const Ring> values, std::size_t n) {
  if (owner < 0 || owner >= n_)
    throw ShapeError("shamir input: party " + std::to_string(owner) + " does not exist");
  if (owner != party_ && !values.empty())
    throw ShapeError("shamir input: party " + std::to_string(party_) + " is not the owner but passed values");
  if (owner == party_ && values.size() != n) {
    throw ShapeError("shamir input: the owner passed " + std::to_string(values.size()) + " values for " +
                     std::to_string(n));
  }
  const int who[1] = {owner};
  return std::move(deal_from(who, values, n, false)[0]);
}

Shamir::InputRows Shamir::input_rows(int owner, RowSource source, std::size_t rows, std::size_t row_len) {
  if (owner < 0 || owner >= n_)
    throw ShapeError("shamir input_rows: party " + std::to_string(owner) + " does not exist");
  if (owner == party_ && !source) throw ShapeError("shamir input_rows: the owner passed no row source");
  return InputRows{owner, rows, row_len, owner == party_ ? std::move(source) : RowSource{}};
}

Shamir::Share Shamir::gather_rows(const InputRows& table, std::span<const std::uint32_t> idx) {
  check_row_indices(idx, table.rows, "shamir");
  const std::size_t n = idx.size() * table.row_len;
  RingVec values;
  if (party_ == table.owner) {
    values.resize(n);
    table.source(idx, values.data());
  }
  return input(table.owner, values, n);
}

std::vector<Shamir::Ring> Shamir::reveal_to(int to, const Share& x) {
  if (to < 0 || to >= n_)
    throw ShapeError("shamir reveal_to: party " + std::to_string(to) + " does not exist");
  const std::size_t n = x.size();
  RingVec w;
  if (party_ <= t_) {
    // coefficient 0 of lambda_i x_i
    w.assign(n, 0);
    const Gr& l = lambda_open_[static_cast<std::size_t>(party_)];
    for (std::size_t e = 0; e < n; ++e)
      w[e] = l.c[0] * x.part[0][e] - l.c[1] * x.part[3][e] - l.c[2] * x.part[2][e] - l.c[3] * x.part[1][e];
    if (to != party_ && n > 0) net_.send(to, std::span<const Ring>(w));
  }
  if (to != party_) return {};
  std::vector<Ring> out(n, 0);
  if (party_ <= t_) out.assign(w.begin(), w.end());
  RingVec got(n);
  for (int s = 0; s <= t_ && n > 0; ++s) {
    if (s == party_) continue;
    net_.recv(s, got);
    for (std::size_t e = 0; e < n; ++e) out[e] += got[e];
  }
  return out;
}

std::vector<Shamir::Ring> Shamir::reveal(const Share& x) {
  const std::size_t n = x.size();
  std::vector<Ring> out(n, 0);
  if (n == 0) return out;
  if (party_ <= t_) {
    const Gr& l = lambda_open_[static_cast<std::size_t>(party_)];
    for (std::size_t e = 0; e < n; ++e)
      out[e] = l.c[0] * x.part[0][e] - l.c[1] * x.part[3][e] - l.c[2] * x.part[2][e] - l.c[3] * x.part[1][e];
    for (int q = 0; q < n_; ++q)
      if (q != party_) net_.send(q, std::span<const Ring>(out));
  }
  RingVec got(n);
  for (int s = 0; s <= t_; ++s) {
    if (s == party_) continue;
    net_.recv(s, got);
    for (std::size_t e = 0; e < n; ++e) out[e] += got[e];
  }
  return out;
}

// ---------------------------------------------------------------- local

Shamir::Share Shamir::add(Share x, const Share& y) const {
  check_same_size(x.size(), y.size(), "add");
  for (int j = 0; j < 4; ++j)
    for (std::size_t e = 0; e < x.size(); ++e) x.part[j][e] += y.part[j][e];
  x.known_zero = -1;
  return x;
}

Shamir::Share Shamir::sub(Share x, const Share& y) const {
  check_same_size(x.size(), y.size(), "sub");
  for (int j = 0; j < 4; ++j)
    for (std::size_t e = 0; e < x.size(); ++e) x.part[j][e] -= y.part[j][e];
  x.known_zero = -1;
  return x;
}

Shamir::Share Shamir::neg(Share x) const {
  for (auto& p : x.part)
    for (auto& v : p) v = Ring{0} - v;
  return x;
}

// A public constant c is the constant polynomial c: every party's share is c.
Shamir::Share Shamir::add_public(Share x, std::span<const Ring> c) const {
  check_same_size(x.size(), c.size(), "add_public");
  for (std::size_t e = 0; e < x.size(); ++e) x.part[0][e] += c[e];
  x.known_zero = -1;
  return x;
}

Shamir::Share Shamir::add_public(Share x, Ring c) const {
  for (auto& v : x.part[0]) v += c;
  x.known_zero = -1;
  return x;
}

Shamir::Share Shamir::mul_public(Share x, std::span<const Ring> c) const {
  check_same_size(x.size(), c.size(), "mul_public");
  for (auto& p : x.part)
    for (std::size_t e = 0; e < x.size(); ++e) p[e] *= c[e];
  return x;
}

Shamir::Share Shamir::mul_public(Share x, Ring c) const {
  for (auto& p : x.part)
    for (auto& v : p) v *= c;
  return x;
}

// ---------------------------------------------------------------- products

Shamir::Share Shamir::mul(const Share& x, const Share& y) {
  check_same_size(x.size(), y.size(), "mul");
  const std::size_t n = x.size();
  RingVec u(n, 0);
  if (sender()) {
    // lambda x by blocks: a whole lambda x would be 32 bytes per element.
    constexpr std::size_t kBlock = 4096;
    Share lx(std::min(n, kBlock));
    for (std::size_t at = 0; at < n; at += kBlock) {
      const std::size_t len = std::min(kBlock, n - at);
      for (auto& part : lx.part) std::fill_n(part.begin(), len, Ring{0});
      const Ring* in[4] = {x.part[0].data() + at, x.part[1].data() + at, x.part[2].data() + at,
                           x.part[3].data() + at};
      Ring* acc[4] = {lx.part[0].data(), lx.part[1].data(), lx.part[2].data(), lx.part[3].data()};
      backend_.gr_mul_const_add(in, lambda_mul_[static_cast<std::size_t>(party_)].c.data(), acc, len);
      const Ring* a[4] = {lx.part[0].data(), lx.part[1].data(), lx.part[2].data(), lx.part[3].data()};
      const Ring* b[4] = {y.part[0].data() + at, y.part[1].data() + at, y.part[2].data() + at,
                          y.part[3].data() + at};
      backend_.gr_coef0_mul_add(a, b, u.data() + at, len);
    }
  }
  return reduce(std::move(u));
}

Shamir::Share Shamir::matmul(Trans ta, Trans tb, std::size_t m, std::size_t n, std::size_t k, const Share& a,
                             const Share& b) {
  if (a.size() != m * k || b.size() != k * n) {
    throw ShapeError("shamir matmul: A has " + std::to_string(a.size()) + " elements and B " +
                     std::to_string(b.size()) + ", expected " + std::to_string(m) + "x" + std::to_string(k) +
                     " and " + std::to_string(k) + "x" + std::to_string(n));
  }
  RingVec u(m * n, 0);
  if (sender()) {
    // coefficient 0 of (lambda A) B = A'0 B0 - A'1 B3 - A'2 B2 - A'3 B1:
    // four Z_2^64 GEMMs (the other coefficients are never needed).
    // One coefficient of lambda A at a time (8 bytes per element of A, not
    // 32), each from lambda A by blocks.
    constexpr std::size_t kBlock = 4096;
    const std::size_t len = m * k;
    RingVec la(len);
    Share block(std::min(len, kBlock));
    const int pair[4] = {0, 3, 2, 1};
    for (int j = 0; j < 4; ++j) {
      for (std::size_t at = 0; at < len; at += kBlock) {
        const std::size_t cnt = std::min(kBlock, len - at);
        for (auto& part : block.part) std::fill_n(part.begin(), cnt, Ring{0});
        const Ring* in[4] = {a.part[0].data() + at, a.part[1].data() + at, a.part[2].data() + at,
                             a.part[3].data() + at};
        Ring* acc[4] = {block.part[0].data(), block.part[1].data(), block.part[2].data(),
                        block.part[3].data()};
        backend_.gr_mul_const_add(in, lambda_mul_[static_cast<std::size_t>(party_)].c.data(), acc, cnt);
        const auto& src = block.part[static_cast<std::size_t>(j)];
        if (j == 0)
          std::copy_n(src.begin(), cnt, la.begin() + static_cast<std::ptrdiff_t>(at));
        else
          for (std::size_t e = 0; e < cnt; ++e) la[at + e] = Ring{0} - src[e];
      }
      backend_.gemm(ta, tb, m, n, k, la.data(), b.part[pair[j]].data(), u.data(), j > 0);
    }
  }
  return reduce(std::move(u));
}

Shamir::Share Shamir::matmuls_trunc(std::span<const MatmulTerm<Share>> terms, int bits) {
  const std::size_t total = matmul_terms_total(terms, "shamir");
  const auto runs = matmul_term_runs(terms, bits);
  auto value = [&](const MatmulTerm<Share>& t) {
    if (t.a == nullptr) return add(Share(t.out_n), *t.addend);  // the check enforces an addend
    Share product = blocked_matmul(*this, t);
    Share v = t.map ? linear(product, t.out_n, t.map) : std::move(product);
    return t.addend != nullptr ? add(std::move(v), *t.addend) : v;
  };
  // One term (a layer's product): truncated where it is, no second copy.
  if (terms.size() == 1) return trunc_runs(value(terms[0]), runs, product_carries());
  Share all = Share::uninitialized(total);
  std::size_t at = 0;
  for (const auto& t : terms) {
    assign_slice(all, at, value(t));
    at += t.out_n;
  }
  return trunc_runs(all, runs, product_carries());
}

Shamir::Share Shamir::trunc(const Share& x, int bits) {
  const TruncRun run{x.size(), bits};
  return trunc_runs(x, std::span(&run, 1));
}

}  // namespace sqt::mpc
