// The portable AES of hw/aes128.h against OpenSSL and the FIPS-197 vector.
#include "hw/aes128.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <array>
#include <cstring>
#include <random>

namespace {

std::array<std::uint8_t, 16> hw_encrypt(const std::uint8_t key[16], const std::uint8_t pt[16]) {
  const auto rk = sqt::hw::aes128_expand_key(key);
  std::uint64_t lo, hi, out_lo, out_hi;
  std::memcpy(&lo, pt, 8);
  std::memcpy(&hi, pt + 8, 8);
  sqt::hw::aes128_encrypt(rk, lo, hi, out_lo, out_hi);
  std::array<std::uint8_t, 16> ct;
  std::memcpy(ct.data(), &out_lo, 8);
  std::memcpy(ct.data() + 8, &out_hi, 8);
  return ct;
}

std::array<std::uint8_t, 16> openssl_encrypt(const std::uint8_t key[16], const std::uint8_t pt[16]) {
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  EVP_EncryptInit_ex(ctx, EVP_aes_128_ecb(), nullptr, key, nullptr);
  EVP_CIPHER_CTX_set_padding(ctx, 0);
  std::array<std::uint8_t, 16> ct{};
  int len = 0;
  EVP_EncryptUpdate(ctx, ct.data(), &len, pt, 16);
  EVP_CIPHER_CTX_free(ctx);
  return ct;
}

TEST(HwAes128, Fips197AppendixC1) {
  std::uint8_t key[16], pt[16];
  for (int i = 0; i < 16; ++i) {
    key[i] = static_cast<std::uint8_t>(i);
    pt[i] = static_cast<std::uint8_t>(0x11 * i);
  }
  const std::array<std::uint8_t, 16> want = {0x69, 0xc4, 0xe0, 0xd8, 0x6a, 0x7b, 0x04, 0x30,
                                             0xd8, 0xcd, 0xb7, 0x80, 0x70, 0xb4, 0xc5, 0x5a};
  EXPECT_EQ(hw_encrypt(key, pt), want);
}

TEST(HwAes128, MatchesOpenSslOnRandomKeysAndBlocks) {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 200; ++trial) {
    std::uint8_t key[16], pt[16];
    for (auto& b : key) b = static_cast<std::uint8_t>(rng());
    for (auto& b : pt) b = static_cast<std::uint8_t>(rng());
    ASSERT_EQ(hw_encrypt(key, pt), openssl_encrypt(key, pt)) << "trial " << trial;
  }
}

}  // namespace
