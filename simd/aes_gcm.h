// AES-128-GCM (NIST SP 800-38D) with 96-bit nonces and 128-bit tags, for the
// TLS record layer (host/net/stream.cc). OpenSSL 3.0's AES-GCM runs at about
// 3 GB/s on the Zen 3 nodes while its AES-CTR runs at 8 and ours at 15: the
// difference is GHASH, which OpenSSL 3.0 computes one block per reduction.
// Here the counter blocks come from internal::aes_ctr_blocks (256-bit VAES
// where the CPU has it) and GHASH multiplies by carry-less multiplication
// (PCLMULQDQ), 16 blocks per reduction (H^16..H^1 precomputed, 256-bit
// VPCLMULQDQ where the CPU has it, else four per reduction). Both are
// data-independent in time (no tables). Tests compare every output with
// OpenSSL's EVP_aes_128_gcm.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace sqt::simd {

// True when the CPU has what Aes128Gcm needs (AES-NI, PCLMULQDQ, AVX2).
bool aes128_gcm_available();

class Aes128Gcm {
 public:
  static constexpr std::size_t kNonceBytes = 12, kTagBytes = 16;
  // At most 2^32 - 2 counter blocks per message (SP 800-38D's limit).
  static constexpr std::size_t kMaxBytes = (std::size_t{1} << 36) - 32;
  // Blocks per GHASH reduction on 256-bit VPCLMULQDQ (H^1..H^16 are kept).
  static constexpr int kGhashGroup = 16;

  // Throws std::runtime_error where aes128_gcm_available() is false.
  explicit Aes128Gcm(const std::array<std::uint8_t, 16>& key);
  ~Aes128Gcm();
  Aes128Gcm(const Aes128Gcm&) = delete;
  Aes128Gcm& operator=(const Aes128Gcm&) = delete;

  // Encrypts n bytes of `in` into `out` (the same buffer or disjoint ones)
  // and writes the tag over `aad` and the ciphertext.
  void seal(const std::uint8_t* nonce, const std::uint8_t* aad, std::size_t aad_len, const std::uint8_t* in,
            std::uint8_t* out, std::size_t n, std::uint8_t* tag) const;
  // Decrypts n bytes of `in` into `out` (the same buffer or disjoint ones);
  // false when `tag` does not authenticate them (then `out` holds
  // unauthenticated bytes the caller must discard).
  bool open(const std::uint8_t* nonce, const std::uint8_t* aad, std::size_t aad_len, const std::uint8_t* in,
            std::uint8_t* out, std::size_t n, const std::uint8_t* tag) const;

  // The message in[0, n) followed by one more byte `last` (a TLS 1.3
  // record's inner content type), sealed into out[0, n] without gathering
  // the plaintext first.
  void seal_with_last(const std::uint8_t* nonce, const std::uint8_t* aad, std::size_t aad_len,
                      const std::uint8_t* in, std::size_t n, std::uint8_t last, std::uint8_t* out,
                      std::uint8_t* tag) const;
  // Opens the n + 1 bytes in[0, n]: the first n plaintext bytes go to out,
  // the last to *last.
  bool open_with_last(const std::uint8_t* nonce, const std::uint8_t* aad, std::size_t aad_len,
                      const std::uint8_t* in, std::size_t n, std::uint8_t* out, std::uint8_t* last,
                      const std::uint8_t* tag) const;

 private:
  // One message of n bytes (plus the byte *last_in when sealing with a last
  // byte, or into *last_out when opening one). The tag's GHASH input is the
  // ciphertext: `in` when decrypting (hashed before the keystream is
  // applied), `out` when encrypting.
  struct Last {
    const std::uint8_t* in = nullptr;  // seal_with_last
    std::uint8_t* out = nullptr;       // open_with_last
  };
  void crypt(const std::uint8_t* nonce, const std::uint8_t* aad, std::size_t aad_len, const std::uint8_t* in,
             std::uint8_t* out, std::size_t n, bool decrypting, Last last, std::uint8_t* tag) const;

  std::array<std::uint8_t, 176> round_keys_{};
  alignas(16) std::uint8_t h_powers_[kGhashGroup][16]{};  // H^1.., byte-reversed for PCLMULQDQ
};

}  // namespace sqt::simd
