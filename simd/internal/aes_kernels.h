// Dispatch entry points of the Highway AES kernels (prg_aes.cc).
#pragma once

#include <cstddef>
#include <cstdint>

namespace sqt::simd::internal {

// out[16 i ..] = AES(rk, BE128(hi:lo + i)) for i < blocks; lo + blocks must
// not wrap past 2^64 (the caller splits there).
void aes_ctr_blocks(const std::uint8_t* round_keys, std::uint64_t hi, std::uint64_t lo, std::uint8_t* out,
                    std::size_t blocks);

// ECB: out block i = AES(rk, in block i).
void aes_encrypt_blocks(const std::uint8_t* round_keys, const std::uint8_t* in, std::uint8_t* out,
                        std::size_t blocks);

}  // namespace sqt::simd::internal
