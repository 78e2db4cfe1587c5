// mal-rep3's verify(): the MAC check of every kept value and the
// verification of every AND gate since the last call, then the checker's
// digests and verdicts.
#include <cmath>
#include <cstring>
#include <numeric>

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

// A uniform permutation of [0, n) (Fisher-Yates) from PRG words.
std::vector<std::uint32_t> permutation(backend::Backend& be, const backend::PrgSeed& key, std::uint64_t counter,
                                       std::size_t n) {
  std::vector<std::uint32_t> perm(n);
  std::iota(perm.begin(), perm.end(), 0u);
  RingVecOf<std::uint64_t> rnd(n);
  be.prg_fill(key, counter, std::span<std::uint64_t>(rnd));
  for (std::size_t i = n; i > 1; --i) {
    const auto j = static_cast<std::size_t>((static_cast<unsigned __int128>(rnd[i - 1]) * i) >> 64);
    std::swap(perm[i - 1], perm[j]);
  }
  return perm;
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

MalRep3::Triples MalRep3::make_triples(std::size_t words) {
  Triples t;
  t.a.part[0] = prev_words(2, words);
  t.a.part[1] = next_words(2, words);
  t.b.part[0] = prev_words(3, words);
  t.b.part[1] = next_words(3, words);
  Words z = zero_share_xor(4, words);
  for (std::size_t w = 0; w < words; ++w)
    z[w] ^= (t.a.part[0][w] & t.b.part[0][w]) ^ (t.a.part[0][w] & t.b.part[1][w]) ^
            (t.a.part[1][w] & t.b.part[0][w]);
  checker_.send(Check::kComparison, net_.prev_party(), bytes_of(z));
  t.c.part[1].resize(words);
  checker_.recv(net_.next_party(), std::as_writable_bytes(std::span<std::uint64_t>(t.c.part[1])));
  t.c.part[0] = std::move(z);
  return t;
}

// Rounds: triples (only with gates), the seed, then [alpha][U] with the
// sacrifices' openings, then T with the sacrifices' results, then the
// checker's digests and verdicts.
//
// MAC check: U = sum chi_e x_e and W = sum chi_e (alpha x)_e per check, with
// chi from the seed; T = W - [alpha][U] is opened and must be zero.
// AND gates: G gate words, G B random triple words shuffled into G buckets;
// in bucket i the first triple is sacrificed against the other B - 1 and
// then against gate word i: with rho = x ^ a, sigma = y ^ b opened,
// z ^ c ^ sigma a ^ rho b ^ rho sigma must open to zero.
void MalRep3::verify() {
  checker_.throw_if_failed();
  if (!checker_.pending()) return;
  if (kept_elements_ > 0 || gate_words_ > 0) {
    next_op();
    const std::size_t gates = gate_words_;
    const std::size_t per_bucket = gates > 0 ? bucket_size(gates) : 0;
    Triples tr;
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

    // The sacrifices: s < gates * (per_bucket - 1) are bucket-internal, the
    // last `gates` are the gates'.
    const std::size_t sacrifices = gates * per_bucket;
    Bits gx, gy, gz;
    std::vector<std::uint32_t> perm;
    Bits rs = Bits::uninitialized(2 * sacrifices);  // rho, then sigma
    // Triple word of sacrifice s: checked (a, b, c) and checking (x, y, z).
    auto checked = [&](std::size_t s) {
      const std::size_t bucket = s < gates * (per_bucket - 1) ? s / (per_bucket - 1) : s - gates * (per_bucket - 1);
      return perm[bucket * per_bucket];
    };
    auto checking = [&](std::size_t s) { return perm[(s / (per_bucket - 1)) * per_bucket + 1 + s % (per_bucket - 1)]; };
    const std::size_t inner = gates * (per_bucket - 1);
    if (gates > 0) {
      gx = concat_all(gate_x_, gates);
      gy = concat_all(gate_y_, gates);
      gz = concat_all(gate_z_, gates);
      gate_x_.clear();
      gate_y_.clear();
      gate_z_.clear();
      gate_words_ = 0;
      perm = permutation(backend_, chi_key, std::uint64_t{1} << 62, gates * per_bucket);
      for (std::size_t s = 0; s < sacrifices; ++s) {
        const std::uint32_t a = checked(s);
        for (int c = 0; c < 2; ++c) {
          const std::uint64_t x = s < inner ? tr.a.part[c][checking(s)] : gx.part[c][s - inner];
          const std::uint64_t y = s < inner ? tr.b.part[c][checking(s)] : gy.part[c][s - inner];
          rs.part[c][s] = x ^ tr.a.part[c][a];
          rs.part[c][sacrifices + s] = y ^ tr.b.part[c][a];
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
    Vec t_next(K);
    checker_.recv(net_.next_party(), std::as_writable_bytes(std::span<R>(t_next)));
    for (int k = 0; k < K; ++k) {
      w0[k] -= t[k];
      w1[k] -= t_next[k];
    }
    Bits v = Bits::uninitialized(sacrifices);
    const int slot = party_ == 0 ? 0 : party_ == 2 ? 1 : -1;  // holders of component 0
    for (std::size_t s = 0; s < sacrifices; ++s) {
      const std::uint32_t a = checked(s);
      const std::uint64_t rho = rs_open[s], sigma = rs_open[sacrifices + s];
      for (int c = 0; c < 2; ++c) {
        const std::uint64_t z = s < inner ? tr.c.part[c][checking(s)] : gz.part[c][s - inner];
        v.part[c][s] = z ^ tr.c.part[c][a] ^ (sigma & tr.a.part[c][a]) ^ (rho & tr.b.part[c][a]) ^
                       (c == slot ? rho & sigma : 0);
      }
    }
    // Round: T and the sacrifices' results, both opened (joint messages).
    checker_.joint_send(Check::kMac, bytes_of(w0));
    if (gates > 0) checker_.joint_send(Check::kComparison, bytes_of(v.part[0]));
    checker_.joint_hash(Check::kMac, bytes_of(w1));
    if (gates > 0) checker_.joint_hash(Check::kComparison, bytes_of(v.part[1]));
    Vec opened(K);
    checker_.joint_recv(Check::kMac, std::as_writable_bytes(std::span<R>(opened)));
    for (int k = 0; k < K; ++k) {
      opened[k] += w0[k] + w1[k];
      if (opened[k] != 0) checker_.local_failure(static_cast<Check>(k), Reason::kMac);
    }
    if (gates > 0) {
      Words zero(sacrifices);
      checker_.joint_recv(Check::kComparison, std::as_writable_bytes(std::span<std::uint64_t>(zero)));
      bool all_zero = true;
      for (std::size_t s = 0; s < sacrifices; ++s) all_zero &= (zero[s] ^ v.part[0][s] ^ v.part[1][s]) == 0;
      if (!all_zero) checker_.local_failure(Check::kComparison, Reason::kSacrifice);
    }
  }
  checker_.verify();
}

}  // namespace sqt::mpc
