// AES-128-CTR on 256-bit VAES (two blocks per instruction) for CPUs that have
// VAES but not AVX-512 (AMD Zen 3). Highway 1.0.3 uses VAES only on its
// AVX3_DL target and splits 256-bit AES rounds into two AES-NI halves on
// AVX2, which ran at half of OpenSSL's speed there.
#include "simd/internal/aes_kernels.h"

#if defined(__x86_64__)
#include <immintrin.h>

#include <cstring>

namespace sqt::simd::internal {

bool vaes256_available() {
  static const bool available = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("vaes");
  return available;
}

__attribute__((target("avx2,aes,vaes"))) void aes_ctr_blocks_vaes256(const std::uint8_t* round_keys,
                                                                     std::uint64_t hi, std::uint64_t lo,
                                                                     const std::uint8_t* in,
                                                                     std::uint8_t* out, std::size_t blocks) {
  __m256i rk[11];
  for (int r = 0; r < 11; ++r) {
    rk[r] =
        _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(round_keys + 16 * r)));
  }
  // Counters as native (hi, lo) words per block, byte-swapped to big-endian
  // inside each block just before encryption.
  const __m256i bswap = _mm256_setr_epi8(7, 6, 5, 4, 3, 2, 1, 0, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3,
                                         2, 1, 0, 15, 14, 13, 12, 11, 10, 9, 8);
  const __m256i two = _mm256_setr_epi64x(0, 2, 0, 2);
  __m256i ctr = _mm256_setr_epi64x(static_cast<long long>(hi), static_cast<long long>(lo),
                                   static_cast<long long>(hi), static_cast<long long>(lo + 1));
  // (No lambda: it would not inherit this function's target attribute.)
#define SQT_VAES_NEXT(v)                                        \
  v = _mm256_xor_si256(_mm256_shuffle_epi8(ctr, bswap), rk[0]); \
  ctr = _mm256_add_epi64(ctr, two);
  constexpr std::size_t kWays = 8;  // independent vectors in flight (latency x throughput)
  std::size_t i = 0;
  for (; i + 2 * kWays <= blocks; i += 2 * kWays) {
    __m256i s[kWays];
    for (auto& v : s) {
      SQT_VAES_NEXT(v)
    }
    for (int r = 1; r < 10; ++r) {
      for (auto& v : s) v = _mm256_aesenc_epi128(v, rk[r]);
    }
    for (std::size_t w = 0; w < kWays; ++w) {
      __m256i v = _mm256_aesenclast_epi128(s[w], rk[10]);
      if (in != nullptr)
        v = _mm256_xor_si256(v, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(in + 16 * (i + 2 * w))));
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + 16 * (i + 2 * w)), v);
    }
  }
  for (; i < blocks; i += 2) {
    __m256i v;
    SQT_VAES_NEXT(v)
    for (int r = 1; r < 10; ++r) v = _mm256_aesenc_epi128(v, rk[r]);
    v = _mm256_aesenclast_epi128(v, rk[10]);
    alignas(32) std::uint8_t buf[32];
    _mm256_store_si256(reinterpret_cast<__m256i*>(buf), v);
    const std::size_t bytes = blocks - i >= 2 ? 32 : 16;
    if (in != nullptr)
      for (std::size_t b = 0; b < bytes; ++b) buf[b] ^= in[16 * i + b];
    std::memcpy(out + 16 * i, buf, bytes);
  }
}
#undef SQT_VAES_NEXT

}  // namespace sqt::simd::internal

#else

namespace sqt::simd::internal {
bool vaes256_available() { return false; }
void aes_ctr_blocks_vaes256(const std::uint8_t*, std::uint64_t, std::uint64_t, const std::uint8_t*,
                            std::uint8_t*, std::size_t) {}
}  // namespace sqt::simd::internal

#endif
