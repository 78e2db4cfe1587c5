#include "simd/prg.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <cstring>
#include <string>

#include "simd/internal/aes_kernels.h"
#include "simd/internal/aes_key_schedule.h"
#include "tests/simd/test_util.h"

namespace sqt::simd {
namespace {

using testing::on_every_target;
using Block = std::array<std::uint8_t, 16>;

Block from_hex(const std::string& hex) {
  Block out{};
  for (std::size_t i = 0; i < 16; ++i)
    out[i] = static_cast<std::uint8_t>(std::stoul(hex.substr(2 * i, 2), nullptr, 16));
  return out;
}

// FIPS-197 Appendix C.1 (AES-128).
TEST(Aes128, Fips197AppendixC1) {
  on_every_target([] {
    EXPECT_EQ(aes128_encrypt_block(from_hex("000102030405060708090a0b0c0d0e0f"),
                                   from_hex("00112233445566778899aabbccddeeff")),
              from_hex("69c4e0d86a7b0430d8cdb78070b4c55a"));
  });
}

// NIST SP 800-38A F.5.1 CTR-AES128.Encrypt: ciphertext = plaintext XOR
// AES(counter block), counter blocks f0f1..feff, f0f1..ff00, ...
TEST(Aes128, Sp80038aF51CtrKeystream) {
  const Block key = from_hex("2b7e151628aed2a6abf7158809cf4f3c");
  const char* plaintexts[] = {"6bc1bee22e409f96e93d7e117393172a", "ae2d8a571e03ac9c9eb76fac45af8e51",
                              "30c81c46a35ce411e5fbc1191a0a52ef", "f69f2445df4f9b17ad2b417be66c3710"};
  const char* ciphertexts[] = {"874d6191b620e3261bef6864990db6ce", "9806f66b7970fdff8617187bb9fffdff",
                               "5ae4df3edbd5d35e5b4f09020db03eab", "1e031dda2fbe03d1792170a0f3009cee"};
  on_every_target([&] {
    Block counter = from_hex("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff");
    for (int i = 0; i < 4; ++i) {
      const Block keystream = aes128_encrypt_block(key, counter);
      const Block pt = from_hex(plaintexts[i]);
      Block ct{};
      for (int j = 0; j < 16; ++j) ct[j] = pt[j] ^ keystream[j];
      EXPECT_EQ(ct, from_hex(ciphertexts[i])) << "block " << i + 1;
      for (int j = 15; j >= 0 && ++counter[j] == 0; --j) {
      }
    }
  });
}

// Counter block for block_counter + i as documented in prg.h (big-endian,
// carry into the high half).
Block counter_block(std::uint64_t start, std::uint64_t i) {
  const std::uint64_t lo = start + i;
  const std::uint64_t hi = lo < start ? 1 : 0;
  Block b{};
  for (int j = 0; j < 8; ++j) {
    b[7 - j] = static_cast<std::uint8_t>(hi >> (8 * j));
    b[15 - j] = static_cast<std::uint8_t>(lo >> (8 * j));
  }
  return b;
}

TEST(AesCtrPrg, StreamIsAesOfBigEndianCounters) {
  const Block key = from_hex("000102030405060708090a0b0c0d0e0f");
  const std::uint64_t starts[] = {0, 5, 0x0123456789abcdefull, ~std::uint64_t{0} - 2};  // the last wraps
  on_every_target([&] {
    for (AesImpl impl : {AesImpl::kHighway, AesImpl::kOpenSsl}) {
      const AesCtrPrg prg(key, impl);
      for (std::uint64_t start : starts) {
        std::vector<std::uint8_t> stream(16 * 9 + 7);
        prg.fill_bytes(start, stream);
        for (std::size_t i = 0; i * 16 < stream.size(); ++i) {
          const Block expected = aes128_encrypt_block(key, counter_block(start, i));
          for (std::size_t j = 0; j < 16 && i * 16 + j < stream.size(); ++j) {
            ASSERT_EQ(stream[i * 16 + j], expected[j])
                << "impl " << int(impl) << " start " << start << " block " << i;
          }
        }
      }
    }
  });
}

TEST(AesCtrPrg, HighwayEqualsEvpAtOddOffsetsAndLengths) {
  const Block key = from_hex("2b7e151628aed2a6abf7158809cf4f3c");
  const AesCtrPrg evp(key, AesImpl::kOpenSsl);
  const std::size_t lengths[] = {0, 1, 15, 16, 17, 63, 64, 65, 255, 257, 1000, 4096 + 3, 100003};
  const std::uint64_t starts[] = {0, 1, 3, 77, 1u << 20, ~std::uint64_t{0}};
  on_every_target([&] {
    const AesCtrPrg fast(key, AesImpl::kHighway);
    for (std::size_t len : lengths) {
      for (std::uint64_t start : starts) {
        std::vector<std::uint8_t> x(len, 0xAA), y(len, 0x55);
        fast.fill_bytes(start, x);
        evp.fill_bytes(start, y);
        ASSERT_EQ(x, y) << "len " << len << " start " << start;
      }
    }
    // A fill that starts mid-stream equals the tail of a longer fill.
    std::vector<std::uint8_t> whole(16 * 60), part(16 * 37 + 5);
    fast.fill_bytes(100, whole);
    fast.fill_bytes(113, part);
    EXPECT_TRUE(std::equal(part.begin(), part.end(), whole.begin() + 16 * 13));
  });
}

TEST(AesCtrPrg, Vaes256KernelEqualsEvp) {
  if (!sqt::simd::internal::vaes256_available()) GTEST_SKIP() << "this CPU has no 256-bit VAES";
  const Block key = from_hex("2b7e151628aed2a6abf7158809cf4f3c");
  const AesCtrPrg evp(key, AesImpl::kOpenSsl);
  const auto round_keys = sqt::simd::internal::aes128_expand_key(key);
  for (std::size_t blocks : {1, 2, 3, 15, 16, 17, 33, 1000}) {
    for (std::uint64_t start : {std::uint64_t{0}, std::uint64_t{5}, ~std::uint64_t{0} - 2000}) {
      std::vector<std::uint8_t> x(16 * blocks + 7, 0xAA), y(16 * blocks);
      sqt::simd::internal::aes_ctr_blocks_vaes256(round_keys.data(), 0, start, nullptr, x.data(), blocks);
      evp.fill_bytes(start, y);
      ASSERT_TRUE(std::equal(y.begin(), y.end(), x.begin())) << blocks << " blocks from " << start;
      for (std::size_t i = 16 * blocks; i < x.size(); ++i) ASSERT_EQ(x[i], 0xAA) << "wrote past the end";
    }
  }
}

// Both XOR forms (VAES where the CPU has it, and the Highway path every CPU
// can take) equal the input XOR OpenSSL's keystream, also in place.
TEST(AesCtrPrg, XorKernelsEqualInputXorEvpKeystream) {
  const Block key = from_hex("2b7e151628aed2a6abf7158809cf4f3c");
  const AesCtrPrg evp(key, AesImpl::kOpenSsl);
  const auto round_keys = sqt::simd::internal::aes128_expand_key(key);
  std::mt19937_64 rng(3);
  for (std::size_t blocks : {1, 2, 3, 63, 64, 65, 200}) {
    std::vector<std::uint8_t> in(16 * blocks), keystream(16 * blocks), want(16 * blocks);
    for (auto& b : in) b = static_cast<std::uint8_t>(rng());
    evp.fill_bytes(9, keystream);
    for (std::size_t i = 0; i < want.size(); ++i) want[i] = in[i] ^ keystream[i];
    std::vector<std::uint8_t> out(16 * blocks + 5, 0xAA);
    sqt::simd::internal::aes_ctr_xor_blocks_highway(round_keys.data(), 0, 9, in.data(), out.data(), blocks);
    ASSERT_TRUE(std::equal(want.begin(), want.end(), out.begin())) << "highway, " << blocks << " blocks";
    for (std::size_t i = want.size(); i < out.size(); ++i) ASSERT_EQ(out[i], 0xAA) << "wrote past the end";
    std::vector<std::uint8_t> buf = in;
    sqt::simd::internal::aes_ctr_xor_blocks(round_keys.data(), 0, 9, buf.data(), buf.data(), blocks);
    ASSERT_EQ(buf, want) << "dispatched, in place, " << blocks << " blocks";
    if (sqt::simd::internal::vaes256_available()) {
      buf = in;
      sqt::simd::internal::aes_ctr_blocks_vaes256(round_keys.data(), 0, 9, buf.data(), buf.data(), blocks);
      ASSERT_EQ(buf, want) << "vaes256, in place, " << blocks << " blocks";
    }
  }
}

TEST(AesCtrPrg, WordsAreLittleEndianKeystreamBytes) {
  const Block key = from_hex("000102030405060708090a0b0c0d0e0f");
  const AesCtrPrg prg(key);
  for (std::size_t words : {0, 1, 3, 1001}) {
    std::vector<std::uint64_t> w(words);
    std::vector<std::uint8_t> bytes(8 * words);
    prg.fill(9, w);
    prg.fill_bytes(9, bytes);
    for (std::size_t i = 0; i < words; ++i) {
      std::uint64_t expected = 0;
      for (int j = 7; j >= 0; --j) expected = (expected << 8) | bytes[8 * i + j];
      ASSERT_EQ(w[i], expected) << i;
    }
  }
  EXPECT_EQ(prg.impl(), default_aes_impl());
}

TEST(AesCtrPrg, DifferentKeysGiveDifferentStreams) {
  std::vector<std::uint64_t> a(64), b(64);
  AesCtrPrg(from_hex("000102030405060708090a0b0c0d0e0f")).fill(0, a);
  AesCtrPrg(from_hex("000102030405060708090a0b0c0d0e0e")).fill(0, b);
  EXPECT_NE(a, b);
}

}  // namespace
}  // namespace sqt::simd
