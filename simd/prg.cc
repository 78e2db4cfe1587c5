// AesCtrPrg: counter-range bookkeeping and the two implementations (Highway
// AES round instructions, OpenSSL EVP).
#include "simd/prg.h"

#include <openssl/evp.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <limits>
#include <memory>
#include <stdexcept>

#include "simd/internal/aes_kernels.h"
#include "simd/internal/aes_key_schedule.h"

namespace sqt::simd {
namespace {

// The 128-bit counter (hi:lo) starting at block_counter; lo wraps into hi.
void fill_highway(const std::uint8_t* round_keys, std::uint64_t block_counter, std::uint8_t* out,
                  std::size_t bytes) {
  std::uint64_t hi = 0;
  std::uint64_t lo = block_counter;
  std::size_t full_blocks = bytes / 16;
  while (full_blocks > 0) {
    // Blocks before lo wraps around: 2^64 - lo (at least 1).
    const std::uint64_t until_wrap = std::numeric_limits<std::uint64_t>::max() - lo + 1;
    const std::size_t run = (until_wrap == 0 || until_wrap > full_blocks) ? full_blocks : until_wrap;
    internal::aes_ctr_blocks(round_keys, hi, lo, out, run);
    out += run * 16;
    full_blocks -= run;
    lo += run;
    if (lo == 0) ++hi;
  }
  if (bytes % 16 != 0) {
    std::uint8_t block[16];
    internal::aes_ctr_blocks(round_keys, hi, lo, block, 1);
    std::memcpy(out, block, bytes % 16);
  }
}

struct CipherCtxDeleter {
  void operator()(EVP_CIPHER_CTX* ctx) const { EVP_CIPHER_CTX_free(ctx); }
};

void fill_openssl(const std::array<std::uint8_t, 16>& key, std::uint64_t block_counter, std::uint8_t* out,
                  std::size_t bytes) {
  std::unique_ptr<EVP_CIPHER_CTX, CipherCtxDeleter> ctx(EVP_CIPHER_CTX_new());
  std::uint8_t iv[16] = {};
  for (int i = 0; i < 8; ++i) iv[15 - i] = static_cast<std::uint8_t>(block_counter >> (8 * i));
  if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_128_ctr(), nullptr, key.data(), iv) != 1) {
    throw std::runtime_error("sqt::simd::AesCtrPrg: OpenSSL EVP_aes_128_ctr initialisation failed");
  }
  std::memset(out, 0, bytes);                           // CTR output = keystream XOR zeros
  constexpr std::size_t kChunk = std::size_t{1} << 30;  // EVP lengths are int
  for (std::size_t done = 0; done < bytes;) {
    const int len = static_cast<int>(std::min(kChunk, bytes - done));
    int written = 0;
    if (EVP_EncryptUpdate(ctx.get(), out + done, &written, out + done, len) != 1 || written != len) {
      throw std::runtime_error("sqt::simd::AesCtrPrg: OpenSSL EVP_EncryptUpdate failed");
    }
    done += static_cast<std::size_t>(len);
  }
}

}  // namespace

// Measured in bench/simd (docs/PERFORMANCE.md): the Highway path with VAES
// is several times faster than EVP here.
AesImpl default_aes_impl() { return AesImpl::kHighway; }

AesCtrPrg::AesCtrPrg(const std::array<std::uint8_t, 16>& key) : AesCtrPrg(key, default_aes_impl()) {}

AesCtrPrg::AesCtrPrg(const std::array<std::uint8_t, 16>& key, AesImpl impl)
    : key_(key), round_keys_(internal::aes128_expand_key(key)), impl_(impl) {}

void AesCtrPrg::fill_bytes(std::uint64_t block_counter, std::span<std::uint8_t> out) const {
  if (out.empty()) return;
  if (impl_ == AesImpl::kOpenSsl) {
    fill_openssl(key_, block_counter, out.data(), out.size());
  } else {
    fill_highway(round_keys_.data(), block_counter, out.data(), out.size());
  }
}

void AesCtrPrg::fill(std::uint64_t block_counter, std::span<u64> out) const {
  // Words are the keystream bytes read little-endian, which on x86 is the
  // in-memory layout.
  static_assert(std::endian::native == std::endian::little, "fill assumes a little-endian host");
  fill_bytes(block_counter,
             std::span<std::uint8_t>(reinterpret_cast<std::uint8_t*>(out.data()), out.size() * sizeof(u64)));
}

std::array<std::uint8_t, 16> aes128_encrypt_block(const std::array<std::uint8_t, 16>& key,
                                                  const std::array<std::uint8_t, 16>& plaintext) {
  const auto round_keys = internal::aes128_expand_key(key);
  std::array<std::uint8_t, 16> out{};
  internal::aes_encrypt_blocks(round_keys.data(), plaintext.data(), out.data(), 1);
  return out;
}

}  // namespace sqt::simd
