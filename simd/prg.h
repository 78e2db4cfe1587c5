// AES-128 in counter mode as a pseudo-random generator.
//
// Counter layout: keystream block i (16 bytes, i = 0, 1, ...) of a fill
// starting at `block_counter` is AES-128_key(X) where X is the 128-bit
// unsigned integer (block_counter + i), encoded big-endian: bytes 0..7 hold
// the high 64 bits (0, or 1 after block_counter + i wraps past 2^64), bytes
// 8..15 the low 64 bits. This is exactly the counter block sequence of
// NIST SP 800-38A CTR with initial counter block X = block_counter, so
// OpenSSL's EVP_aes_128_ctr with that IV gives the same stream.
//
// fill(c, out) writes the keystream bytes of fill_bytes(c, ...) into the
// u64 words in little-endian order: word j = bytes 8j..8j+7 as a
// little-endian integer. Output is a pure function of (key, counter), so
// disjoint counter ranges can be filled independently (and concurrently:
// the object is immutable after construction).
#pragma once

#include <array>
#include <cstdint>
#include <span>

namespace sqt::simd {

using u64 = std::uint64_t;

enum class AesImpl : std::uint8_t {
  kHighway,  // AES round instructions through Highway (VAES on AVX-512 targets)
  kOpenSsl,  // OpenSSL EVP_aes_128_ctr
};

// The implementation measured faster on this machine (see docs/PERFORMANCE.md).
AesImpl default_aes_impl();

class AesCtrPrg {
 public:
  explicit AesCtrPrg(const std::array<std::uint8_t, 16>& key);
  AesCtrPrg(const std::array<std::uint8_t, 16>& key, AesImpl impl);

  void fill(std::uint64_t block_counter, std::span<u64> out) const;
  void fill_bytes(std::uint64_t block_counter, std::span<std::uint8_t> out) const;

  AesImpl impl() const { return impl_; }

 private:
  std::array<std::uint8_t, 16> key_;
  std::array<std::uint8_t, 176> round_keys_;  // 11 round keys, FIPS-197 key expansion, computed once
  AesImpl impl_;
};

// FIPS-197 AES-128 encryption of one 16-byte block (known-answer tests).
std::array<std::uint8_t, 16> aes128_encrypt_block(const std::array<std::uint8_t, 16>& key,
                                                  const std::array<std::uint8_t, 16>& plaintext);

}  // namespace sqt::simd
