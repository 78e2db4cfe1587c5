// Dispatch entry points of the AES kernels: Highway (prg_aes.cc) and 256-bit
// VAES (prg_vaes256.cc).
#pragma once

#include <cstddef>
#include <cstdint>

namespace sqt::simd::internal {

// out[16 i ..] = AES(rk, BE128(hi:lo + i)) for i < blocks; lo + blocks must
// not wrap past 2^64 (the caller splits there).
void aes_ctr_blocks(const std::uint8_t* round_keys, std::uint64_t hi, std::uint64_t lo, std::uint8_t* out,
                    std::size_t blocks);

// True when the CPU has 256-bit VAES (and AVX2); aes_ctr_blocks uses it when
// Highway's own target has no VAES (below AVX3_DL).
bool vaes256_available();
// aes_ctr_blocks on 256-bit VAES; only where vaes256_available(). With `in`
// (not null) it writes out = in ^ keystream instead (out may be in).
void aes_ctr_blocks_vaes256(const std::uint8_t* round_keys, std::uint64_t hi, std::uint64_t lo,
                            const std::uint8_t* in, std::uint8_t* out, std::size_t blocks);

// out[16 i ..] = in[16 i ..] ^ AES(rk, BE128(hi:lo + i)), whole blocks; out
// may be in. The same wrap condition as aes_ctr_blocks.
void aes_ctr_xor_blocks(const std::uint8_t* round_keys, std::uint64_t hi, std::uint64_t lo,
                        const std::uint8_t* in, std::uint8_t* out, std::size_t blocks);
// Its path without 256-bit VAES (keystream runs from Highway, then XOR);
// tests call it directly where the CPU would take the VAES path.
void aes_ctr_xor_blocks_highway(const std::uint8_t* round_keys, std::uint64_t hi, std::uint64_t lo,
                                const std::uint8_t* in, std::uint8_t* out, std::size_t blocks);

// ECB: out block i = AES(rk, in block i).
void aes_encrypt_blocks(const std::uint8_t* round_keys, const std::uint8_t* in, std::uint8_t* out,
                        std::size_t blocks);

}  // namespace sqt::simd::internal
