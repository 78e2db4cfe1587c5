// simd::Aes128Gcm against OpenSSL's EVP_aes_128_gcm (the independent
// reference): ciphertext and tag for many lengths, in place and out of
// place, and open() rejecting any changed byte.
#include "simd/aes_gcm.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <array>
#include <cstdint>
#include <random>
#include <vector>

namespace sqt::simd {
namespace {

using Bytes = std::vector<std::uint8_t>;

struct Sealed {
  Bytes ciphertext;
  std::array<std::uint8_t, 16> tag{};
};

Sealed openssl_seal(const std::array<std::uint8_t, 16>& key, const Bytes& nonce, const Bytes& aad,
                    const Bytes& plain) {
  Sealed s;
  s.ciphertext.resize(plain.size());
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  int len = 0;
  bool ok =
      EVP_EncryptInit_ex(ctx, EVP_aes_128_gcm(), nullptr, nullptr, nullptr) == 1 &&
      EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, 12, nullptr) == 1 &&
      EVP_EncryptInit_ex(ctx, nullptr, nullptr, key.data(), nonce.data()) == 1 &&
      (aad.empty() || EVP_EncryptUpdate(ctx, nullptr, &len, aad.data(), static_cast<int>(aad.size())) == 1) &&
      (plain.empty() ||
       EVP_EncryptUpdate(ctx, s.ciphertext.data(), &len, plain.data(), static_cast<int>(plain.size())) == 1);
  std::uint8_t final_block[16];
  ok = ok && EVP_EncryptFinal_ex(ctx, final_block, &len) == 1 &&
       EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, 16, s.tag.data()) == 1;
  EVP_CIPHER_CTX_free(ctx);
  EXPECT_TRUE(ok);
  return s;
}

Bytes random_bytes(std::mt19937_64& rng, std::size_t n) {
  Bytes b(n);
  for (auto& x : b) x = static_cast<std::uint8_t>(rng());
  return b;
}

std::array<std::uint8_t, 16> random_key(std::mt19937_64& rng) {
  std::array<std::uint8_t, 16> k;
  for (auto& x : k) x = static_cast<std::uint8_t>(rng());
  return k;
}

TEST(Aes128Gcm, MatchesOpenSslForManyLengths) {
  if (!aes128_gcm_available()) GTEST_SKIP() << "no AES-NI/PCLMULQDQ";
  std::mt19937_64 rng(7);
  std::vector<std::size_t> lengths;
  for (std::size_t n = 0; n <= 80; ++n) lengths.push_back(n);
  for (std::size_t n : {127, 128, 129, 255, 256, 4095, 4096, 4097, 8192 + 17, 16384, 16385, 70001})
    lengths.push_back(n);
  for (std::size_t aad_len : {0, 5, 13, 16, 33}) {
    for (std::size_t n : lengths) {
      const auto key = random_key(rng);
      const Bytes nonce = random_bytes(rng, 12), aad = random_bytes(rng, aad_len),
                  plain = random_bytes(rng, n);
      const Sealed want = openssl_seal(key, nonce, aad, plain);
      const Aes128Gcm gcm(key);
      Bytes out(n);
      std::array<std::uint8_t, 16> tag{};
      gcm.seal(nonce.data(), aad.data(), aad.size(), plain.data(), out.data(), n, tag.data());
      ASSERT_EQ(out, want.ciphertext) << "aad " << aad_len << " n " << n;
      ASSERT_EQ(tag, want.tag) << "aad " << aad_len << " n " << n;
      Bytes back(n);
      ASSERT_TRUE(gcm.open(nonce.data(), aad.data(), aad.size(), out.data(), back.data(), n, tag.data()));
      ASSERT_EQ(back, plain) << "aad " << aad_len << " n " << n;
    }
  }
}

TEST(Aes128Gcm, InPlaceEqualsOutOfPlace) {
  std::mt19937_64 rng(8);
  const auto key = random_key(rng);
  const Bytes nonce = random_bytes(rng, 12), aad = random_bytes(rng, 5), plain = random_bytes(rng, 16385);
  const Sealed want = openssl_seal(key, nonce, aad, plain);
  const Aes128Gcm gcm(key);
  Bytes buf = plain;
  std::array<std::uint8_t, 16> tag{};
  gcm.seal(nonce.data(), aad.data(), aad.size(), buf.data(), buf.data(), buf.size(), tag.data());
  EXPECT_EQ(buf, want.ciphertext);
  EXPECT_EQ(tag, want.tag);
  ASSERT_TRUE(gcm.open(nonce.data(), aad.data(), aad.size(), buf.data(), buf.data(), buf.size(), tag.data()));
  EXPECT_EQ(buf, plain);
}

TEST(Aes128Gcm, WithLastByteEqualsTheWholeMessage) {
  // A TLS record: content, then its inner type byte, sealed as one message.
  std::mt19937_64 rng(11);
  for (std::size_t n : {0, 1, 14, 15, 16, 17, 31, 32, 4095, 4096, 4111, 16384}) {
    const auto key = random_key(rng);
    const Aes128Gcm gcm(key);
    const Bytes nonce = random_bytes(rng, 12), aad = random_bytes(rng, 5), content = random_bytes(rng, n);
    Bytes whole = content;
    whole.push_back(23);
    const Sealed want = openssl_seal(key, nonce, aad, whole);
    Bytes out(n + 1);
    std::array<std::uint8_t, 16> tag{};
    gcm.seal_with_last(nonce.data(), aad.data(), aad.size(), content.data(), n, 23, out.data(), tag.data());
    ASSERT_EQ(out, want.ciphertext) << "n " << n;
    ASSERT_EQ(tag, want.tag) << "n " << n;
    Bytes back(n);
    std::uint8_t last = 0;
    ASSERT_TRUE(gcm.open_with_last(nonce.data(), aad.data(), aad.size(), out.data(), n, back.data(), &last,
                                   tag.data()));
    EXPECT_EQ(back, content) << "n " << n;
    EXPECT_EQ(last, 23) << "n " << n;
    out[n] ^= 1;  // the last byte is authenticated too
    EXPECT_FALSE(gcm.open_with_last(nonce.data(), aad.data(), aad.size(), out.data(), n, back.data(), &last,
                                    tag.data()));
  }
}

TEST(Aes128Gcm, NonceBytesNearTheCounterAreHandled) {
  // The last four nonce bytes share a 64-bit word with the block counter.
  std::mt19937_64 rng(9);
  const auto key = random_key(rng);
  const Aes128Gcm gcm(key);
  for (std::uint8_t fill : {0x00, 0xff}) {
    Bytes nonce(12, fill);
    const Bytes plain = random_bytes(rng, 5000);
    const Sealed want = openssl_seal(key, nonce, {}, plain);
    Bytes out(plain.size());
    std::array<std::uint8_t, 16> tag{};
    gcm.seal(nonce.data(), nullptr, 0, plain.data(), out.data(), out.size(), tag.data());
    EXPECT_EQ(out, want.ciphertext);
    EXPECT_EQ(tag, want.tag);
  }
}

TEST(Aes128Gcm, OpenRejectsAnyChangedByte) {
  std::mt19937_64 rng(10);
  const auto key = random_key(rng);
  const Aes128Gcm gcm(key);
  const Bytes nonce = random_bytes(rng, 12), aad = random_bytes(rng, 5), plain = random_bytes(rng, 100);
  Bytes ct(plain.size()), back(plain.size());
  std::array<std::uint8_t, 16> tag{};
  gcm.seal(nonce.data(), aad.data(), aad.size(), plain.data(), ct.data(), ct.size(), tag.data());
  auto opens = [&](const Bytes& n, const Bytes& a, const Bytes& c, const std::array<std::uint8_t, 16>& t) {
    return gcm.open(n.data(), a.data(), a.size(), c.data(), back.data(), c.size(), t.data());
  };
  for (std::size_t i = 0; i < ct.size(); i += 7) {
    Bytes bad = ct;
    bad[i] ^= 1;
    EXPECT_FALSE(opens(nonce, aad, bad, tag)) << "ciphertext byte " << i;
  }
  for (std::size_t i = 0; i < aad.size(); ++i) {
    Bytes bad = aad;
    bad[i] ^= 0x80;
    EXPECT_FALSE(opens(nonce, bad, ct, tag)) << "aad byte " << i;
  }
  for (std::size_t i = 0; i < tag.size(); ++i) {
    auto bad = tag;
    bad[i] ^= 0x01;
    EXPECT_FALSE(opens(nonce, aad, ct, bad)) << "tag byte " << i;
  }
  Bytes other_nonce = nonce;
  other_nonce[11] ^= 1;
  EXPECT_FALSE(opens(other_nonce, aad, ct, tag));
  EXPECT_TRUE(opens(nonce, aad, ct, tag));
}

}  // namespace
}  // namespace sqt::simd
