// FIPS-197 AES-128 key expansion (section 5.2), in portable C++.
#pragma once

#include <array>
#include <cstdint>

namespace sqt::simd::internal {

// 11 round keys of 16 bytes, in the byte order AES-NI/VAES expect.
std::array<std::uint8_t, 176> aes128_expand_key(const std::array<std::uint8_t, 16>& key);

}  // namespace sqt::simd::internal
