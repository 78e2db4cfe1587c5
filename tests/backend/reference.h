// Independent scalar references for the backend tests.
#pragma once

#include <openssl/evp.h>

#include <cstdint>
#include <memory>
#include <random>
#include <stdexcept>
#include <vector>

#include "host/backend/backend.h"

namespace sqt::backend::test {

inline std::vector<Ring> random_ring(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<Ring> v(n);
  for (auto& x : v) x = rng();
  return v;
}

// The textbook triple loop, mod 2^64.
inline void reference_gemm(Trans ta, Trans tb, std::size_t m, std::size_t n, std::size_t k, const Ring* a,
                           const Ring* b, Ring* c, bool accumulate) {
  for (std::size_t i = 0; i < m; ++i) {
    for (std::size_t j = 0; j < n; ++j) {
      Ring s = accumulate ? c[i * n + j] : 0;
      for (std::size_t p = 0; p < k; ++p) {
        const Ring av = ta == Trans::kNo ? a[i * k + p] : a[p * m + i];
        const Ring bv = tb == Trans::kNo ? b[p * n + j] : b[j * k + p];
        s += av * bv;
      }
      c[i * n + j] = s;
    }
  }
}

// Words [0, n) of seed's AES-128-CTR stream from block `counter`, by OpenSSL
// block by block: block i encrypts the 128-bit big-endian counter + i, and
// word j is the little-endian value of keystream bytes 8j .. 8j+7.
inline std::vector<Ring> reference_stream(const PrgSeed& seed, std::uint64_t counter, std::size_t n) {
  std::unique_ptr<EVP_CIPHER_CTX, void (*)(EVP_CIPHER_CTX*)> ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_128_ecb(), nullptr, seed.data(), nullptr) != 1)
    throw std::runtime_error("reference_stream: OpenSSL AES-128-ECB init failed");
  EVP_CIPHER_CTX_set_padding(ctx.get(), 0);
  std::vector<Ring> words(n);
  for (std::size_t i = 0; 2 * i < n; ++i) {
    const std::uint64_t lo = counter + i, hi = lo < counter ? 1 : 0;
    unsigned char in[16], out[16];
    for (int k = 0; k < 8; ++k) {
      in[k] = static_cast<unsigned char>(hi >> (56 - 8 * k));
      in[8 + k] = static_cast<unsigned char>(lo >> (56 - 8 * k));
    }
    int len = 0;
    if (EVP_EncryptUpdate(ctx.get(), out, &len, in, 16) != 1 || len != 16)
      throw std::runtime_error("reference_stream: OpenSSL AES-128-ECB failed");
    for (std::size_t w = 0; w < 2 && 2 * i + w < n; ++w) {
      Ring v = 0;
      for (int k = 7; k >= 0; --k) v = (v << 8) | out[8 * w + k];
      words[2 * i + w] = v;
    }
  }
  return words;
}

}  // namespace sqt::backend::test
