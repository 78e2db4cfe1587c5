// Fuzz builds only: clang 14 cannot compile simd/prg_vaes256.cc (no "vaes"
// for __builtin_cpu_supports), so the AES-CTR of simd::Aes128Gcm runs on the
// Highway kernels here. The record layer's parsing is what the fuzzers
// exercise; the kernels agree bit for bit and are tested in tests/simd.
#include <cstdlib>

#include "simd/internal/aes_kernels.h"

namespace sqt::simd::internal {

bool vaes256_available() { return false; }

void aes_ctr_blocks_vaes256(const std::uint8_t*, std::uint64_t, std::uint64_t, const std::uint8_t*,
                            std::uint8_t*, std::size_t) {
  std::abort();  // never called: vaes256_available() is false
}

}  // namespace sqt::simd::internal
