#include "simd/aes_gcm.h"

#include <immintrin.h>
#include <string.h>  // explicit_bzero

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "simd/internal/aes_kernels.h"
#include "simd/internal/aes_key_schedule.h"

namespace sqt::simd {
namespace {

// GHASH works on bit-reflected field elements; reversing the bytes of a block
// lets PCLMULQDQ multiply them as polynomials, with one left shift of the
// product (Gueron and Kounavis, "Intel Carry-Less Multiplication Instruction
// and its Usage for Computing the GCM Mode", algorithms 1 and 5).
inline __m128i reverse_bytes(__m128i v) {
  return _mm_shuffle_epi8(v, _mm_setr_epi8(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0));
}

// The unreduced 256-bit product, its middle terms not yet folded in.
struct Wide {
  __m128i lo = _mm_setzero_si128(), mid = _mm_setzero_si128(), hi = _mm_setzero_si128();
};

inline void multiply_add(Wide& acc, __m128i a, __m128i b) {
  acc.lo = _mm_xor_si128(acc.lo, _mm_clmulepi64_si128(a, b, 0x00));
  acc.hi = _mm_xor_si128(acc.hi, _mm_clmulepi64_si128(a, b, 0x11));
  acc.mid = _mm_xor_si128(acc.mid,
                          _mm_xor_si128(_mm_clmulepi64_si128(a, b, 0x01), _mm_clmulepi64_si128(a, b, 0x10)));
}

// Reduces a product (or a sum of products: every step is linear) modulo
// x^128 + x^7 + x^2 + x + 1 in the reflected representation.
inline __m128i reduce(const Wide& w) {
  __m128i lo = _mm_xor_si128(w.lo, _mm_slli_si128(w.mid, 8));
  __m128i hi = _mm_xor_si128(w.hi, _mm_srli_si128(w.mid, 8));
  // <hi:lo> <<= 1 (the reflected product is one bit short).
  __m128i t7 = _mm_srli_epi32(lo, 31), t8 = _mm_srli_epi32(hi, 31);
  lo = _mm_slli_epi32(lo, 1);
  hi = _mm_slli_epi32(hi, 1);
  const __m128i t9 = _mm_srli_si128(t7, 12);
  t8 = _mm_slli_si128(t8, 4);
  t7 = _mm_slli_si128(t7, 4);
  lo = _mm_or_si128(lo, t7);
  hi = _mm_or_si128(_mm_or_si128(hi, t8), t9);
  // First phase of the reduction.
  t7 = _mm_xor_si128(_mm_xor_si128(_mm_slli_epi32(lo, 31), _mm_slli_epi32(lo, 30)), _mm_slli_epi32(lo, 25));
  t8 = _mm_srli_si128(t7, 4);
  lo = _mm_xor_si128(lo, _mm_slli_si128(t7, 12));
  // Second phase.
  __m128i t2 =
      _mm_xor_si128(_mm_xor_si128(_mm_srli_epi32(lo, 1), _mm_srli_epi32(lo, 2)), _mm_srli_epi32(lo, 7));
  t2 = _mm_xor_si128(t2, t8);
  lo = _mm_xor_si128(lo, t2);
  return _mm_xor_si128(hi, lo);
}

inline __m128i gf_multiply(__m128i a, __m128i b) {
  Wide w;
  multiply_add(w, a, b);
  return reduce(w);
}

inline __m128i load_block(const std::uint8_t* p) {
  return reverse_bytes(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
}

bool vpclmul_available() {
  static const bool available = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("vpclmulqdq");
  return available;
}

// y = GHASH state after `blocks` more full blocks of `data`; h[j] = H^(j+1).
// Four blocks per reduction: (y + x1) H^4 + x2 H^3 + x3 H^2 + x4 H.
__m128i ghash_blocks_128(__m128i y, const std::uint8_t (*h)[16], const std::uint8_t* data,
                         std::size_t blocks) {
  const __m128i h1 = _mm_load_si128(reinterpret_cast<const __m128i*>(h[0]));
  const __m128i h2 = _mm_load_si128(reinterpret_cast<const __m128i*>(h[1]));
  const __m128i h3 = _mm_load_si128(reinterpret_cast<const __m128i*>(h[2]));
  const __m128i h4 = _mm_load_si128(reinterpret_cast<const __m128i*>(h[3]));
  std::size_t i = 0;
  for (; i + 4 <= blocks; i += 4) {
    const std::uint8_t* p = data + 16 * i;
    Wide w;
    multiply_add(w, _mm_xor_si128(y, load_block(p)), h4);
    multiply_add(w, load_block(p + 16), h3);
    multiply_add(w, load_block(p + 32), h2);
    multiply_add(w, load_block(p + 48), h1);
    y = reduce(w);
  }
  for (; i < blocks; ++i) y = gf_multiply(_mm_xor_si128(y, load_block(data + 16 * i)), h1);
  return y;
}

// The same, 16 blocks per reduction on 256-bit VPCLMULQDQ (two blocks per
// instruction, Karatsuba: three per pair): block j of a group is multiplied
// by H^(16-j). The reduction is a chain of dependent steps, so the more
// blocks share one, the closer the loop gets to the multipliers' throughput.
__attribute__((target("avx2,vpclmulqdq,pclmul"))) __m128i ghash_blocks_256(__m128i y,
                                                                           const std::uint8_t (*h)[16],
                                                                           const std::uint8_t* data,
                                                                           std::size_t blocks) {
  constexpr int kPairs = Aes128Gcm::kGhashGroup / 2;
  const __m256i reverse = _mm256_setr_epi8(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 15, 14, 13,
                                           12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
  __m256i power[kPairs], halves[kPairs];  // pair q: (H^(16-2q), H^(15-2q)); h_lo ^ h_hi of each
  for (int q = 0; q < kPairs; ++q) {
    const int lo = Aes128Gcm::kGhashGroup - 2 * q, hi = lo - 1;
    power[q] = _mm256_inserti128_si256(
        _mm256_castsi128_si256(_mm_load_si128(reinterpret_cast<const __m128i*>(h[lo - 1]))),
        _mm_load_si128(reinterpret_cast<const __m128i*>(h[hi - 1])), 1);
    halves[q] = _mm256_xor_si256(power[q], _mm256_shuffle_epi32(power[q], 0x4E));
  }
  std::size_t i = 0;
  for (; i + Aes128Gcm::kGhashGroup <= blocks; i += Aes128Gcm::kGhashGroup) {
    const std::uint8_t* p = data + 16 * i;
    __m256i lo = _mm256_setzero_si256(), hi = _mm256_setzero_si256(), mid = _mm256_setzero_si256();
    for (int q = 0; q < kPairs; ++q) {
      __m256i d =
          _mm256_shuffle_epi8(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 32 * q)), reverse);
      if (q == 0) d = _mm256_xor_si256(d, _mm256_zextsi128_si256(y));
      lo = _mm256_xor_si256(lo, _mm256_clmulepi64_epi128(d, power[q], 0x00));
      hi = _mm256_xor_si256(hi, _mm256_clmulepi64_epi128(d, power[q], 0x11));
      const __m256i d_halves = _mm256_xor_si256(d, _mm256_shuffle_epi32(d, 0x4E));
      mid = _mm256_xor_si256(mid, _mm256_clmulepi64_epi128(d_halves, halves[q], 0x00));
    }
    mid = _mm256_xor_si256(mid, _mm256_xor_si256(lo, hi));  // Karatsuba's correction
    Wide w;
    w.lo = _mm_xor_si128(_mm256_castsi256_si128(lo), _mm256_extracti128_si256(lo, 1));
    w.mid = _mm_xor_si128(_mm256_castsi256_si128(mid), _mm256_extracti128_si256(mid, 1));
    w.hi = _mm_xor_si128(_mm256_castsi256_si128(hi), _mm256_extracti128_si256(hi, 1));
    y = reduce(w);
  }
  return ghash_blocks_128(y, h, data + 16 * i, blocks - i);
}

__m128i ghash_blocks(__m128i y, const std::uint8_t (*h)[16], const std::uint8_t* data, std::size_t blocks) {
  return vpclmul_available() ? ghash_blocks_256(y, h, data, blocks) : ghash_blocks_128(y, h, data, blocks);
}

// GHASH over `n` bytes, the last block zero-padded.
__m128i ghash_padded(__m128i y, const std::uint8_t (*h)[16], const std::uint8_t* data, std::size_t n) {
  y = ghash_blocks(y, h, data, n / 16);
  if (n % 16 != 0) {
    std::uint8_t last[16] = {};
    std::memcpy(last, data + n / 16 * 16, n % 16);
    y = ghash_blocks(y, h, last, 1);
  }
  return y;
}

std::uint64_t load_be64(const std::uint8_t* p) {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | p[i];
  return v;
}

void store_be64(std::uint8_t* p, std::uint64_t v) {
  for (int i = 7; i >= 0; --i, v >>= 8) p[i] = static_cast<std::uint8_t>(v);
}

}  // namespace

bool aes128_gcm_available() {
  static const bool available =
      __builtin_cpu_supports("aes") && __builtin_cpu_supports("pclmul") && __builtin_cpu_supports("ssse3");
  return available;
}

Aes128Gcm::Aes128Gcm(const std::array<std::uint8_t, 16>& key) {
  if (!aes128_gcm_available()) throw std::runtime_error("AES-128-GCM needs AES-NI and PCLMULQDQ");
  round_keys_ = internal::aes128_expand_key(key);
  std::uint8_t zero[16] = {}, h[16];
  internal::aes_encrypt_blocks(round_keys_.data(), zero, h, 1);
  const __m128i h1 = load_block(h);
  __m128i power = h1;
  for (auto& slot : h_powers_) {
    _mm_store_si128(reinterpret_cast<__m128i*>(slot), power);
    power = gf_multiply(power, h1);
  }
  explicit_bzero(h, sizeof h);
}

Aes128Gcm::~Aes128Gcm() {
  explicit_bzero(round_keys_.data(), round_keys_.size());
  explicit_bzero(h_powers_, sizeof h_powers_);
}

void Aes128Gcm::seal(const std::uint8_t* nonce, const std::uint8_t* aad, std::size_t aad_len,
                     const std::uint8_t* in, std::uint8_t* out, std::size_t n, std::uint8_t* tag) const {
  crypt(nonce, aad, aad_len, in, out, n, false, {}, tag);
}

void Aes128Gcm::seal_with_last(const std::uint8_t* nonce, const std::uint8_t* aad, std::size_t aad_len,
                               const std::uint8_t* in, std::size_t n, std::uint8_t last, std::uint8_t* out,
                               std::uint8_t* tag) const {
  crypt(nonce, aad, aad_len, in, out, n, false, {&last, nullptr}, tag);
}

namespace {
bool tags_equal(const std::uint8_t* a, const std::uint8_t* b) {
  std::uint8_t diff = 0;  // constant time in the tags' contents
  for (std::size_t i = 0; i < Aes128Gcm::kTagBytes; ++i) diff |= static_cast<std::uint8_t>(a[i] ^ b[i]);
  return diff == 0;
}
}  // namespace

bool Aes128Gcm::open(const std::uint8_t* nonce, const std::uint8_t* aad, std::size_t aad_len,
                     const std::uint8_t* in, std::uint8_t* out, std::size_t n,
                     const std::uint8_t* tag) const {
  std::uint8_t expected[kTagBytes];
  crypt(nonce, aad, aad_len, in, out, n, true, {}, expected);
  return tags_equal(expected, tag);
}

bool Aes128Gcm::open_with_last(const std::uint8_t* nonce, const std::uint8_t* aad, std::size_t aad_len,
                               const std::uint8_t* in, std::size_t n, std::uint8_t* out, std::uint8_t* last,
                               const std::uint8_t* tag) const {
  std::uint8_t expected[kTagBytes];
  crypt(nonce, aad, aad_len, in, out, n, true, {nullptr, last}, expected);
  return tags_equal(expected, tag);
}

void Aes128Gcm::crypt(const std::uint8_t* nonce, const std::uint8_t* aad, std::size_t aad_len,
                      const std::uint8_t* in, std::uint8_t* out, std::size_t n, bool decrypting, Last last,
                      std::uint8_t* tag) const {
  const bool with_last = last.in != nullptr || last.out != nullptr;
  const std::size_t total = n + (with_last ? 1 : 0);
  if (total > kMaxBytes) throw std::length_error("AES-GCM message longer than 2^32 - 2 blocks");
  // Counter block i is nonce || BE32(i), J0 = nonce || 1; the data starts at
  // 2. As (hi, lo) 64-bit words the 32-bit counter sits in lo, and lo never
  // carries into the nonce because the count is bounded above.
  const std::uint64_t hi = load_be64(nonce);
  const std::uint64_t lo0 =
      (static_cast<std::uint64_t>(nonce[8]) << 56) | (static_cast<std::uint64_t>(nonce[9]) << 48) |
      (static_cast<std::uint64_t>(nonce[10]) << 40) | (static_cast<std::uint64_t>(nonce[11]) << 32);
  __m128i y = ghash_padded(_mm_setzero_si128(), h_powers_, aad, aad_len);
  // With a last byte, the final block (in's last n % 16 bytes and that byte)
  // is done on its own below.
  const std::size_t bulk = with_last ? n / 16 * 16 : n;
  // 4 KiB at a time, so that the hash reads what the cipher just wrote from
  // L1.
  constexpr std::size_t kChunkBytes = 4096;
  std::uint8_t block[16];
  for (std::size_t done = 0; done < bulk;) {
    const std::size_t bytes = std::min(bulk - done, kChunkBytes);
    const std::size_t whole = bytes / 16;
    const std::uint64_t counter = lo0 + 2 + done / 16;
    if (decrypting) y = ghash_padded(y, h_powers_, in + done, bytes);
    internal::aes_ctr_xor_blocks(round_keys_.data(), hi, counter, in + done, out + done, whole);
    if (bytes % 16 != 0) {  // the message's last, partial block
      internal::aes_ctr_blocks(round_keys_.data(), hi, counter + whole, block, 1);
      const std::size_t at = done + whole * 16;
      for (std::size_t b = 0; b < bytes % 16; ++b) out[at + b] = in[at + b] ^ block[b];
    }
    if (!decrypting) y = ghash_padded(y, h_powers_, out + done, bytes);
    done += bytes;
  }
  if (with_last) {
    const std::size_t r = n - bulk;  // 0..15 bytes before the last one
    std::uint8_t text[16];
    std::memcpy(text, in + bulk, decrypting ? r + 1 : r);
    if (!decrypting) text[r] = *last.in;
    internal::aes_ctr_blocks(round_keys_.data(), hi, lo0 + 2 + bulk / 16, block, 1);
    if (decrypting) y = ghash_padded(y, h_powers_, text, r + 1);
    for (std::size_t b = 0; b <= r; ++b) text[b] ^= block[b];
    if (decrypting) {
      std::memcpy(out + bulk, text, r);
      *last.out = text[r];
    } else {
      std::memcpy(out + bulk, text, r + 1);
      y = ghash_padded(y, h_powers_, text, r + 1);
    }
    explicit_bzero(text, sizeof text);
  }
  explicit_bzero(block, sizeof block);
  std::uint8_t lengths[16];
  store_be64(lengths, static_cast<std::uint64_t>(aad_len) * 8);
  store_be64(lengths + 8, static_cast<std::uint64_t>(total) * 8);
  y = ghash_blocks(y, h_powers_, lengths, 1);
  std::uint8_t j0[16], ek_j0[16];
  std::memcpy(j0, nonce, 12);
  j0[12] = j0[13] = j0[14] = 0;
  j0[15] = 1;
  internal::aes_encrypt_blocks(round_keys_.data(), j0, ek_j0, 1);
  const __m128i s = _mm_xor_si128(reverse_bytes(y), _mm_loadu_si128(reinterpret_cast<const __m128i*>(ek_j0)));
  _mm_storeu_si128(reinterpret_cast<__m128i*>(tag), s);
}

}  // namespace sqt::simd
