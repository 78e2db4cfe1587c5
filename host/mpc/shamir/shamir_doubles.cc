// Random double sharings in batches (DN07 with a hyper-invertible, here
// systematic MDS, extraction) and the pool the degree reductions draw from.
//
// Every party deals 4B uniform Z_2^64 secrets as degree-t sharings (t
// shares from pairwise keys, as input() does) and as additive shares among
// the senders (pairwise streams, the dealer keeps the rest). Four secrets
// s_0..s_3 of one dealer are read as one GR element S = sum_l s_l X^l, so a
// GR constant acts on them as a 4 x 4 Z_2^64 matrix and applies to their
// shares locally. Outputs R_j = S_j + sum_i A_ji S_(n-t+i), j < n - t, with
// the Cauchy A of extraction_matrix: for any t corrupt dealers the other
// n - t columns of [I | A] form an invertible matrix over GR, so the outputs
// are uniform given the corrupt parties' view, and their 4 (n - t)
// coefficients are the pairs' secrets (each a Z_2^64 combination of
// Z_2^64 secrets, as a product's reduction needs).
#include <algorithm>
#include <string>

#include "host/core/error.h"
#include "host/mpc/shamir/shamir.h"

namespace sqt::mpc {
namespace {

using shamir::Gf16;
using shamir::Gr;

Gf16 gf16_inverse(Gf16 a) {
  Gf16 inv = 1;
  while (shamir::gf16_mul(a, inv) != 1) ++inv;
  return inv;
}

// acc[k] ^= coefficient k of c * sum_l X^l in[l], on bit-sliced words:
// c X^l has bit k set for the planes that feed plane k.
void gf16_mul_const_xor(const Ring* const in[4], Gf16 c, Ring* const acc[4], std::size_t n) {
  for (int l = 0; l < 4; ++l) {
    const Gf16 col = shamir::gf16_mul(c, static_cast<Gf16>(1u << l));
    for (int k = 0; k < 4; ++k)
      if (col >> k & 1)
        for (std::size_t e = 0; e < n; ++e) acc[k][e] ^= in[l][e];
  }
}

}  // namespace

std::vector<Gr> Shamir::extraction_matrix(int n, int t) {
  if (t < 1 || n <= 2 * t || n > 16)
    throw ConfigError("shamir extraction matrix: needs 1 <= t < n / 2 and n <= 16, got n=" +
                      std::to_string(n) + " t=" + std::to_string(t));
  // Cauchy over GF(16): 1 / (x_j + y_i) with x_j = j, y_i = n - t + i all
  // distinct, so every square submatrix is nonsingular.
  const int outs = n - t;
  std::vector<Gr> a;
  for (int j = 0; j < outs; ++j) {
    for (int i = 0; i < t; ++i) {
      const Gf16 v = gf16_inverse(static_cast<Gf16>(j ^ (outs + i)));
      a.push_back(Gr{{Ring{v} & 1, Ring{v} >> 1 & 1, Ring{v} >> 2 & 1, Ring{v} >> 3 & 1}});
    }
  }
  return a;
}

void Shamir::set_double_source(DoubleSource source, std::size_t batch, std::size_t bit_batch) {
  if (batch == 0 || bit_batch == 0)
    throw ConfigError("shamir: a batch of double sharings must hold at least one pair, got " +
                      std::to_string(batch) + " pairs and " + std::to_string(bit_batch) + " words");
  source_ = source;
  double_batch_ = batch;
  bit_batch_ = bit_batch;
  pool_ = Double{};
  pool_at_ = 0;
  bit_pool_ = Double{};
  bit_pool_at_ = 0;
  grow_ = bit_grow_ = kFirstBatch;
}

Shamir::Double Shamir::make_doubles(std::size_t count, bool binary) {
  const int outs = n_ - t_;
  const std::size_t per_column = 4 * static_cast<std::size_t>(outs);
  const std::size_t b = (count + per_column - 1) / per_column;
  const std::size_t len = 4 * b;  // secrets this party deals, [l][e]
  const auto pn = static_cast<std::size_t>(n_);
  RingVec mine(len);
  backend_.prg_fill(own_, own_ctr_, mine);
  own_ctr_ += len / 2 + 2;

  // Additive shares among the senders: pairwise streams, the dealer keeps
  // the rest; a non-sender dealer sends the rest to party 0 (which holds a
  // seeded share of that dealer's polynomial, so no dealing message of the
  // same dealer comes between).
  auto is_sender = [&](int q) { return q <= 2 * t_; };
  std::vector<RingVec> add(pn);
  RingVec stream(len);
  RingVec rest = mine;
  for (int q = 0; q <= 2 * t_; ++q) {
    if (q == party_ || (!sender() && q == 0)) continue;
    seeded_stream(party_, q, stream);
    if (binary)
      for (std::size_t e = 0; e < len; ++e) rest[e] ^= stream[e];
    else
      for (std::size_t e = 0; e < len; ++e) rest[e] -= stream[e];
  }
  if (sender()) {
    add[static_cast<std::size_t>(party_)] = std::move(rest);
    for (int d = 0; d < n_; ++d) {
      if (d == party_ || (!is_sender(d) && party_ == 0)) continue;
      add[static_cast<std::size_t>(d)].resize(len);
      seeded_stream(d, party_, add[static_cast<std::size_t>(d)]);
    }
  } else {
    net_.send(0, std::span<const Ring>(rest));
  }
  ctr_ += len + 4;  // both directions' blocks

  std::vector<int> everyone(pn);
  for (int d = 0; d < n_; ++d) everyone[static_cast<std::size_t>(d)] = d;
  const auto dealt = deal_from(everyone, mine, len, binary);
  if (party_ == 0) {
    for (int d = 2 * t_ + 1; d < n_; ++d) {
      add[static_cast<std::size_t>(d)].resize(len);
      net_.recv(d, add[static_cast<std::size_t>(d)]);
    }
  }

  // Extraction: output column j, coefficient k, element e at (4 j + k) b + e.
  const auto a = extraction_matrix(n_, t_);
  const std::size_t total = per_column * b;
  Double out{Share::uninitialized(total), RingVec(total, 0)};
  auto apply = [&](auto&& source_of, auto&& target_of) {
    for (int j = 0; j < outs; ++j) {
      Ring* acc[4];
      for (int k = 0; k < 4; ++k) {
        acc[k] = target_of(j, k);
        const Ring* id = source_of(j, k);
        std::copy_n(id, b, acc[k]);
      }
      for (int i = 0; i < t_; ++i) {
        const Ring* in[4] = {source_of(outs + i, 0), source_of(outs + i, 1), source_of(outs + i, 2),
                             source_of(outs + i, 3)};
        const Gr& m = a[static_cast<std::size_t>(j * t_ + i)];
        if (binary)
          gf16_mul_const_xor(in, shamir::mod2(m), acc, b);
        else
          backend_.gr_mul_const_add(in, m.c.data(), acc, b);
      }
    }
  };
  const auto at = [&](int j, int k) {
    return (static_cast<std::size_t>(j) * 4 + static_cast<std::size_t>(k)) * b;
  };
  for (int c = 0; c < 4; ++c) {
    apply(
        [&](int d, int l) {
          return dealt[static_cast<std::size_t>(d)].part[c].data() + static_cast<std::size_t>(l) * b;
        },
        [&](int j, int k) { return out.r.part[c].data() + at(j, k); });
  }
  if (sender()) {
    apply([&](int d,
              int l) { return add[static_cast<std::size_t>(d)].data() + static_cast<std::size_t>(l) * b; },
          [&](int j, int k) { return out.additive.data() + at(j, k); });
  }
  return out;
}

void Shamir::prepare_doubles(std::size_t count) {
  if (source_ != DoubleSource::kBatched) return;
  const std::size_t left = pool_.additive.size() - pool_at_;
  if (left >= count) return;
  Double fresh = make_doubles(std::max(count - left, std::min(grow_, double_batch_)), false);
  grow_ = std::min(2 * grow_, double_batch_);
  if (left > 0) {
    // Keep the unused pairs in front of the new ones.
    const auto from = static_cast<std::ptrdiff_t>(pool_at_);
    for (int c = 0; c < 4; ++c)
      fresh.r.part[c].insert(fresh.r.part[c].begin(), pool_.r.part[c].begin() + from, pool_.r.part[c].end());
    fresh.additive.insert(fresh.additive.begin(), pool_.additive.begin() + from, pool_.additive.end());
  }
  pool_ = std::move(fresh);
  pool_at_ = 0;
}

// A large request is served batch by batch (each at most double_batch_
// new pairs): one dealing of all of it held its senders' shares of every
// dealer's secrets at once, several hundred bytes per pair at n = 10.
Shamir::Double Shamir::take_double(std::size_t n) {
  doubles_used_ += n;
  if (source_ == DoubleSource::kPrss) return draw_double(n);
  Double d{Share::uninitialized(n), RingVec(n)};
  for (std::size_t at = 0; at < n;) {
    prepare_doubles(std::min(n - at, double_batch_));
    const std::size_t take = std::min(n - at, pool_.additive.size() - pool_at_);
    const auto from = static_cast<std::ptrdiff_t>(pool_at_);
    for (int c = 0; c < 4; ++c)
      std::copy_n(pool_.r.part[c].begin() + from, take,
                  d.r.part[c].begin() + static_cast<std::ptrdiff_t>(at));
    std::copy_n(pool_.additive.begin() + from, take, d.additive.begin() + static_cast<std::ptrdiff_t>(at));
    pool_at_ += take;
    at += take;
  }
  return d;
}

// Binary pairs from a pool: an AND round is often a few words. Unused
// words of an old pool are dropped (random, never opened).
void Shamir::prepare_bit_doubles(std::size_t words) {
  if (bit_pool_.additive.size() - bit_pool_at_ >= words) return;
  constexpr std::size_t kPrssPool = 16384;  // each PRSS draw expands C(n - 1, t) keys
  if (source_ == DoubleSource::kBatched) {
    bit_pool_ = make_doubles(std::max(words, std::min(bit_grow_, bit_batch_)), true);
    bit_grow_ = std::min(2 * bit_grow_, bit_batch_);
  } else {
    bit_pool_ = draw_double_bits(std::max(words, kPrssPool));
  }
  bit_pool_at_ = 0;
}

Shamir::Double Shamir::take_double_bits(std::size_t words) {
  bit_doubles_used_ += words;
  prepare_bit_doubles(words);
  Double d{Bits::uninitialized(words), RingVec(words)};
  const auto at = static_cast<std::ptrdiff_t>(bit_pool_at_);
  for (int j = 0; j < 4; ++j) std::copy_n(bit_pool_.r.part[j].begin() + at, words, d.r.part[j].begin());
  std::copy_n(bit_pool_.additive.begin() + at, words, d.additive.begin());
  bit_pool_at_ += words;
  return d;
}

}  // namespace sqt::mpc
