// AES-128 key expansion. The S-box is derived at start-up from its
// definition (multiplicative inverse in GF(2^8), then the affine map) rather
// than typed in as a table.
#include "simd/internal/aes_key_schedule.h"

namespace sqt::simd::internal {
namespace {

std::uint8_t gf_mul(std::uint8_t a, std::uint8_t b) {
  std::uint8_t product = 0;
  for (int i = 0; i < 8; ++i) {
    if (b & 1) product ^= a;
    const bool carry = a & 0x80;
    a = static_cast<std::uint8_t>(a << 1);
    if (carry) a ^= 0x1B;  // x^8 = x^4 + x^3 + x + 1
    b >>= 1;
  }
  return product;
}

std::uint8_t rotl8(std::uint8_t x, int s) { return static_cast<std::uint8_t>((x << s) | (x >> (8 - s))); }

std::array<std::uint8_t, 256> make_sbox() {
  std::array<std::uint8_t, 256> sbox{};
  for (int x = 0; x < 256; ++x) {
    // x^254 = x^-1 in GF(2^8) (and 0 -> 0).
    std::uint8_t inv = 1;
    std::uint8_t base = static_cast<std::uint8_t>(x);
    for (int e = 254; e != 0; e >>= 1, base = gf_mul(base, base)) {
      if (e & 1) inv = gf_mul(inv, base);
    }
    if (x == 0) inv = 0;
    sbox[x] =
        static_cast<std::uint8_t>(inv ^ rotl8(inv, 1) ^ rotl8(inv, 2) ^ rotl8(inv, 3) ^ rotl8(inv, 4) ^ 0x63);
  }
  return sbox;
}

}  // namespace

std::array<std::uint8_t, 176> aes128_expand_key(const std::array<std::uint8_t, 16>& key) {
  static const std::array<std::uint8_t, 256> sbox = make_sbox();
  std::array<std::uint8_t, 176> w{};
  for (int i = 0; i < 16; ++i) w[i] = key[i];
  std::uint8_t rcon = 1;
  for (int word = 4; word < 44; ++word) {
    std::uint8_t t[4] = {w[4 * word - 4], w[4 * word - 3], w[4 * word - 2], w[4 * word - 1]};
    if (word % 4 == 0) {
      const std::uint8_t first = t[0];  // RotWord, SubWord, Rcon
      t[0] = static_cast<std::uint8_t>(sbox[t[1]] ^ rcon);
      t[1] = sbox[t[2]];
      t[2] = sbox[t[3]];
      t[3] = sbox[first];
      rcon = gf_mul(rcon, 2);
    }
    for (int b = 0; b < 4; ++b) w[4 * word + b] = static_cast<std::uint8_t>(w[4 * word - 16 + b] ^ t[b]);
  }
  return w;
}

}  // namespace sqt::simd::internal
