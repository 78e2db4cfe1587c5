// AES-128 encryption in plain portable C++ (T-table style), for the
// triple_gen kernel: HLS has no AES-NI, so the rounds are table look-ups and
// XORs that synthesize to ROMs and LUTs. The tables are computed at compile
// time from the GF(2^8) definition rather than typed in. No pragmas here:
// the callers' pipelined loops unroll these rounds in synthesis.
#pragma once

#include <cstdint>

namespace sqt::hw {

struct AesTables {
  std::uint8_t sbox[256];
  std::uint32_t te[4][256];  // te[r][x]: MixColumns column of S[x] entering from row r

  constexpr AesTables() : sbox(), te() {
    for (int x = 0; x < 256; ++x) {
      std::uint8_t inv = 0;
      for (int y = 1; y < 256 && x != 0; ++y) {
        if (gmul(static_cast<std::uint8_t>(x), static_cast<std::uint8_t>(y)) == 1) {
          inv = static_cast<std::uint8_t>(y);
          break;
        }
      }
      std::uint8_t s = static_cast<std::uint8_t>(inv ^ rotl8(inv, 1) ^ rotl8(inv, 2) ^ rotl8(inv, 3) ^
                                                 rotl8(inv, 4) ^ 0x63);
      sbox[x] = s;
      std::uint32_t s1 = s, s2 = gmul(s, 2), s3 = gmul(s, 3);
      std::uint32_t t0 = s2 | (s1 << 8) | (s1 << 16) | (s3 << 24);
      for (int r = 0; r < 4; ++r) te[r][x] = r == 0 ? t0 : ((t0 << (8 * r)) | (t0 >> (32 - 8 * r)));
    }
  }

  static constexpr std::uint8_t rotl8(std::uint8_t v, int r) {
    return static_cast<std::uint8_t>((v << r) | (v >> (8 - r)));
  }
  static constexpr std::uint8_t gmul(std::uint8_t a, std::uint8_t b) {
    std::uint8_t p = 0;
    for (int i = 0; i < 8; ++i) {
      if (b & 1) p ^= a;
      bool hi = (a & 0x80) != 0;
      a = static_cast<std::uint8_t>(a << 1);
      if (hi) a ^= 0x1b;
      b >>= 1;
    }
    return p;
  }
};

inline constexpr AesTables kAesTables{};

// Round keys as 44 little-endian column words (byte 0 of a column = row 0).
struct AesRoundKeys {
  std::uint32_t w[44];
};

inline AesRoundKeys aes128_expand_key(const std::uint8_t key[16]) {
  AesRoundKeys rk{};
  for (int i = 0; i < 4; ++i) {
    rk.w[i] = key[4 * i] | (std::uint32_t{key[4 * i + 1]} << 8) | (std::uint32_t{key[4 * i + 2]} << 16) |
              (std::uint32_t{key[4 * i + 3]} << 24);
  }
  std::uint8_t rcon = 1;
  for (int i = 4; i < 44; ++i) {
    std::uint32_t t = rk.w[i - 1];
    if (i % 4 == 0) {
      t = (t >> 8) | (t << 24);  // RotWord on little-endian columns
      t = kAesTables.sbox[t & 0xff] | (std::uint32_t{kAesTables.sbox[(t >> 8) & 0xff]} << 8) |
          (std::uint32_t{kAesTables.sbox[(t >> 16) & 0xff]} << 16) |
          (std::uint32_t{kAesTables.sbox[t >> 24]} << 24);
      t ^= rcon;
      rcon = AesTables::gmul(rcon, 2);
    }
    rk.w[i] = rk.w[i - 4] ^ t;
  }
  return rk;
}

// Encrypts one block given as two little-endian 64-bit halves (bytes 0-7 in
// in_lo, 8-15 in in_hi); the ciphertext comes back the same way.
inline void aes128_encrypt(const AesRoundKeys& rk, std::uint64_t in_lo, std::uint64_t in_hi,
                           std::uint64_t& out_lo, std::uint64_t& out_hi) {
  const auto& T = kAesTables.te;
  const auto& S = kAesTables.sbox;
  std::uint32_t s[4] = {
      static_cast<std::uint32_t>(in_lo) ^ rk.w[0], static_cast<std::uint32_t>(in_lo >> 32) ^ rk.w[1],
      static_cast<std::uint32_t>(in_hi) ^ rk.w[2], static_cast<std::uint32_t>(in_hi >> 32) ^ rk.w[3]};
  for (int round = 1; round < 10; ++round) {
    std::uint32_t t[4];
    for (int c = 0; c < 4; ++c) {
      t[c] = T[0][s[c] & 0xff] ^ T[1][(s[(c + 1) & 3] >> 8) & 0xff] ^ T[2][(s[(c + 2) & 3] >> 16) & 0xff] ^
             T[3][s[(c + 3) & 3] >> 24] ^ rk.w[4 * round + c];
    }
    for (int c = 0; c < 4; ++c) s[c] = t[c];
  }
  std::uint32_t o[4];
  for (int c = 0; c < 4; ++c) {
    o[c] = (S[s[c] & 0xff] | (std::uint32_t{S[(s[(c + 1) & 3] >> 8) & 0xff]} << 8) |
            (std::uint32_t{S[(s[(c + 2) & 3] >> 16) & 0xff]} << 16) |
            (std::uint32_t{S[s[(c + 3) & 3] >> 24]} << 24)) ^
           rk.w[40 + c];
  }
  out_lo = o[0] | (std::uint64_t{o[1]} << 32);
  out_hi = o[2] | (std::uint64_t{o[3]} << 32);
}

}  // namespace sqt::hw
