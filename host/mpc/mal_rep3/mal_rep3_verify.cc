// mal-rep3's verify(): the MAC check of every kept value and the
// verification of every AND gate since the last call, then the checker's
// digests and verdicts.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "host/mpc/mal_rep3/mal_rep3.h"

namespace sqt::mpc {
namespace {

using R = Ring128;
using mal_rep3::Check;
using mal_rep3::Reason;

template <class T>
std::span<const std::byte> bytes_of(const T& v) {
  return std::as_bytes(std::span(v.data(), v.size()));
}

// Bucket size: a set of B bad triple words (equal errors) lands in one of
// G buckets of B with probability about B! / (B^B G^(B-1)) under a random
// permutation of the G B words; the smallest B that makes it 2^-40. Words,
// not bits, are shuffled, so a word is the unit of the bound.
std::size_t bucket_size(std::size_t gate_words) {
  const double lg = std::log2(static_cast<double>(std::max<std::size_t>(gate_words, 1)));
  for (std::size_t b = 2;; ++b) {
    const double bd = static_cast<double>(b);
    const double log_bound = std::lgamma(bd + 1) / std::log(2.0) - bd * std::log2(bd) - (bd - 1) * lg;
    if (log_bound <= -40) return b;
  }
}

// Uniform draws in [0, bound) from a PRG stream: Lemire's multiply-shift
// with rejection, so that every draw is exactly uniform (the shuffle's bound
// assumes a uniform permutation).
class UniformDraws {
 public:
  UniformDraws(backend::Backend& be, const backend::PrgSeed& key, std::uint64_t counter)
      : be_(be), key_(key), counter_(counter) {}
  std::uint64_t below(std::uint64_t bound) {
    const std::uint64_t threshold = (0 - bound) % bound;
    for (;;) {
      const unsigned __int128 m = static_cast<unsigned __int128>(next()) * bound;
      if (static_cast<std::uint64_t>(m) >= threshold) return static_cast<std::uint64_t>(m >> 64);
    }
  }

 private:
  std::uint64_t next() {
    if (at_ == buf_.size()) {
      be_.prg_fill(key_, counter_, std::span<std::uint64_t>(buf_));
      counter_ += buf_.size() / 2;  // two words per AES block
      at_ = 0;
    }
    return buf_[at_++];
  }
  backend::Backend& be_;
  const backend::PrgSeed& key_;
  std::uint64_t counter_;
  RingVecOf<std::uint64_t> buf_ = RingVecOf<std::uint64_t>(4096);
  std::size_t at_ = 4096;
};

// Fisher-Yates: a uniform permutation of the triple words, in place.
template <class T>
void shuffle(std::vector<T>& v, backend::Backend& be, const backend::PrgSeed& key, std::uint64_t counter) {
  UniformDraws draw(be, key, counter);
  for (std::size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[draw.below(i)]);
}

template <class Bits>
Bits concat_all(const std::vector<Bits>& parts, std::size_t total) {
  Bits out = Bits::uninitialized(total);
  std::size_t at = 0;
  for (const auto& b : parts) {
    for (int c = 0; c < 2; ++c)
      std::copy(b.part[c].begin(), b.part[c].end(), out.part[c].begin() + static_cast<std::ptrdiff_t>(at));
    at += b.size();
  }
  return out;
}

}  // namespace

std::vector<MalRep3::TripleWord> MalRep3::make_triples(std::size_t words) {
  std::vector<TripleWord> t(words);
  Words z(words);
  // a and b from the pairwise streams, in chunks (an even number of words,
  // so that a chunk starts at a block): component i from K_{i-1}, i+1 from K_i.
  constexpr std::size_t kChunk = 8192;
  Words a0(kChunk), a1(kChunk), b0(kChunk), b1(kChunk), m0(kChunk), m1(kChunk);
  for (std::size_t at = 0; at < words; at += kChunk) {
    const std::size_t len = std::min(kChunk, words - at);
    auto fill = [&](const backend::PrgSeed& key, unsigned sub, Words& out) {
      backend_.prg_fill(key, counter(sub) + at / 2, std::span<std::uint64_t>(out.data(), len));
    };
    fill(key_prev_, 2, a0);
    fill(key_next_, 2, a1);
    fill(key_prev_, 3, b0);
    fill(key_next_, 3, b1);
    fill(key_next_, 4, m0);  // the zero sharing m0 ^ m1
    fill(key_prev_, 4, m1);
    for (std::size_t w = 0; w < len; ++w) {
      TripleWord& tw = t[at + w];
      tw.a[0] = a0[w];
      tw.a[1] = a1[w];
      tw.b[0] = b0[w];
      tw.b[1] = b1[w];
      tw.c[0] = z[at + w] = m0[w] ^ m1[w] ^ (a0[w] & b0[w]) ^ (a0[w] & b1[w]) ^ (a1[w] & b0[w]);
    }
  }
  checker_.send(Check::kComparison, net_.prev_party(), bytes_of(z));
  checker_.recv(net_.next_party(), std::as_writable_bytes(std::span<std::uint64_t>(z)));
  for (std::size_t w = 0; w < words; ++w) t[w].c[1] = z[w];
  return t;
}

// Rounds: triples (only with gates), the seed, then [alpha][U] with the
// sacrifices' openings, then T, then the checker's digests (which hold the
// sacrifices' zero checks) and verdicts.
//
// MAC check: U = sum chi_e x_e and W = sum chi_e (alpha x)_e per check, with
// chi from the seed; T = W - [alpha][U] is opened and must be zero.
// AND gates: G gate words, G B random triple words shuffled into G buckets
// of B; in bucket i the first triple is sacrificed against the other B - 1
// and then against gate word i: with rho = x ^ a, sigma = y ^ b opened,
// z ^ c ^ sigma a ^ rho b ^ rho sigma must be zero, which the digests
// compare without sending it (Checker::expect_zero_xor).
void MalRep3::verify() {
  checker_.throw_if_failed();
  if (!checker_.pending()) return;
  if (kept_elements_ > 0 || gate_words_ > 0) {
    next_op();
    const std::size_t gates = gate_words_;
    const std::size_t per_bucket = gates > 0 ? bucket_size(gates) : 0;
    std::vector<TripleWord> tr;
    if (gates > 0) tr = make_triples(gates * per_bucket);
    const Vec seed = open(prev_stream(0, 1), next_stream(0, 1), Check::kMac);
    backend::PrgSeed chi_key;
    std::memcpy(chi_key.data(), &seed[0], chi_key.size());

    constexpr int K = mal_rep3::kCheckKinds;
    Vec u0(K, 0), u1(K, 0), w0(K, 0), w1(K, 0), chi;
    std::uint64_t block = 0;  // one AES block per coefficient
    for (int k = 0; k < K; ++k) {
      for (const Share& s : kept_[k]) {
        const std::size_t n = s.size();
        chi.resize(n);
        backend_.prg_fill(chi_key, block, std::span<R>(chi));
        block += n;
        R a = 0, b = 0, c = 0, d = 0;
        for (std::size_t e = 0; e < n; ++e) {
          a += chi[e] * s.part[0][e];
          b += chi[e] * s.part[1][e];
          c += chi[e] * s.part[2][e];
          d += chi[e] * s.part[3][e];
        }
        u0[k] += a;
        u1[k] += b;
        w0[k] += c;
        w1[k] += d;
      }
      kept_[k].clear();
    }
    kept_elements_ = 0;
    Vec t = zero_share(1, K);
    for (int k = 0; k < K; ++k) t[k] += alpha_[0] * (u0[k] + u1[k]) + alpha_[1] * u0[k];

    // Sacrifice s < inner = G (B - 1): bucket s / (B - 1)'s first triple
    // checks the bucket's triple 1 + s % (B - 1); s >= inner: bucket
    // s - inner's first triple checks gate word s - inner.
    const std::size_t sacrifices = gates * per_bucket;
    const std::size_t inner = gates * (per_bucket - 1);
    Bits gx, gy, gz;
    Bits rs = Bits::uninitialized(2 * sacrifices);  // rho, then sigma
    if (gates > 0) {
      gx = concat_all(gate_x_, gates);
      gy = concat_all(gate_y_, gates);
      gz = concat_all(gate_z_, gates);
      gate_x_.clear();
      gate_y_.clear();
      gate_z_.clear();
      gate_words_ = 0;
      shuffle(tr, backend_, chi_key, std::uint64_t{1} << 62);  // bucket i: tr[i B, (i + 1) B)
      for (std::size_t i = 0; i < gates; ++i) {
        const TripleWord& head = tr[i * per_bucket];
        for (int c = 0; c < 2; ++c) {
          for (std::size_t j = 1; j < per_bucket; ++j) {
            const std::size_t s = i * (per_bucket - 1) + j - 1;
            const TripleWord& x = tr[i * per_bucket + j];
            rs.part[c][s] = x.a[c] ^ head.a[c];
            rs.part[c][sacrifices + s] = x.b[c] ^ head.b[c];
          }
          rs.part[c][inner + i] = gx.part[c][i] ^ head.a[c];
          rs.part[c][sacrifices + inner + i] = gy.part[c][i] ^ head.b[c];
        }
      }
    }
    // Round: [alpha][U] and the openings of rho, sigma.
    checker_.send(Check::kMac, net_.prev_party(), bytes_of(t));
    Words rs_open(2 * sacrifices);
    if (gates > 0) {
      checker_.joint(Check::kComparison, bytes_of(rs.part[0]), bytes_of(rs.part[1]),
                     std::as_writable_bytes(std::span<std::uint64_t>(rs_open)));
      for (std::size_t w = 0; w < rs_open.size(); ++w) rs_open[w] ^= rs.part[0][w] ^ rs.part[1][w];
    }
    rs = Bits();
    Vec t_next(K);
    checker_.recv(net_.next_party(), std::as_writable_bytes(std::span<R>(t_next)));
    for (int k = 0; k < K; ++k) {
      w0[k] -= t[k];
      w1[k] -= t_next[k];
    }
    if (gates > 0) {
      Bits v = Bits::uninitialized(sacrifices);
      const int slot = party_ == 0 ? 0 : party_ == 2 ? 1 : -1;  // holders of component 0
      auto result = [&](std::size_t s, const TripleWord& head, const std::uint64_t z[2]) {
        const std::uint64_t rho = rs_open[s], sigma = rs_open[sacrifices + s];
        for (int c = 0; c < 2; ++c) {
          v.part[c][s] =
              z[c] ^ head.c[c] ^ (sigma & head.a[c]) ^ (rho & head.b[c]) ^ (c == slot ? rho & sigma : 0);
        }
      };
      for (std::size_t i = 0; i < gates; ++i) {
        const TripleWord& head = tr[i * per_bucket];
        for (std::size_t j = 1; j < per_bucket; ++j)
          result(i * (per_bucket - 1) + j - 1, head, tr[i * per_bucket + j].c);
        const std::uint64_t z[2] = {gz.part[0][i], gz.part[1][i]};
        result(inner + i, head, z);
      }
      checker_.expect_zero_xor(Check::kComparison, v.part[0], v.part[1]);
    }
    // Round: T opened (a joint message).
    checker_.joint_send(Check::kMac, bytes_of(w0));
    checker_.joint_hash(Check::kMac, bytes_of(w1));
    Vec opened(K);
    checker_.joint_recv(Check::kMac, std::as_writable_bytes(std::span<R>(opened)));
    for (int k = 0; k < K; ++k) {
      opened[k] += w0[k] + w1[k];
      if (opened[k] != 0) checker_.local_failure(static_cast<Check>(k), Reason::kMac);
    }
  }
  checker_.verify();
}

}  // namespace sqt::mpc
