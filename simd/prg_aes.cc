// AES-128 with the AES round instructions through Highway: AES-NI on
// 128/256-bit targets, VAES (four blocks per instruction) on AVX3_DL.
#include <cstring>

#include "simd/internal/aes_kernels.h"

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "simd/prg_aes.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace sqt::simd::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

using D8 = hn::ScalableTag<uint8_t>;
using V8 = decltype(hn::Zero(D8()));

struct RoundKeys {
  V8 k[11];
};

HWY_INLINE RoundKeys LoadRoundKeys(const uint8_t* rk) {
  const D8 d8;
  RoundKeys keys;
  for (int i = 0; i < 11; ++i) keys.k[i] = hn::LoadDup128(d8, rk + 16 * i);
  return keys;
}

HWY_INLINE V8 Encrypt(V8 state, const RoundKeys& keys) {
  state = hn::Xor(state, keys.k[0]);
  for (int r = 1; r < 10; ++r) state = hn::AESRound(state, keys.k[r]);
  return hn::AESLastRound(state, keys.k[10]);
}

void EcbImpl(const uint8_t* rk, const uint8_t* in, uint8_t* out, size_t blocks) {
  const D8 d8;
  const RoundKeys keys = LoadRoundKeys(rk);
  const size_t bytes = blocks * 16;
  const size_t lanes = hn::Lanes(d8);
  size_t i = 0;
  for (; i + lanes <= bytes; i += lanes) hn::StoreU(Encrypt(hn::LoadU(d8, in + i), keys), d8, out + i);
  if (i < bytes) {
    HWY_ALIGN uint8_t buf[HWY_MAX_BYTES] = {};
    std::memcpy(buf, in + i, bytes - i);
    hn::Store(Encrypt(hn::Load(d8, buf), keys), d8, buf);
    std::memcpy(out + i, buf, bytes - i);
  }
}

// Counters are kept as native u64 lanes (hi, lo) per block and byte-swapped
// to big-endian inside each 128-bit block just before encryption.
void CtrImpl(const uint8_t* rk, uint64_t hi, uint64_t lo, uint8_t* out, size_t blocks) {
  const D8 d8;
  const hn::Repartition<uint64_t, D8> d64;
  const size_t lanes = hn::Lanes(d8);
  const size_t per_vec = lanes / 16;
  const RoundKeys keys = LoadRoundKeys(rk);

  HWY_ALIGN uint64_t init[HWY_MAX_BYTES / 8];
  HWY_ALIGN uint64_t step[HWY_MAX_BYTES / 8];
  for (size_t q = 0; q < per_vec; ++q) {
    init[2 * q] = hi;
    init[2 * q + 1] = lo + q;
    step[2 * q] = 0;
    step[2 * q + 1] = per_vec;
  }
  HWY_ALIGN uint8_t swap[HWY_MAX_BYTES];
  for (size_t i = 0; i < lanes; ++i)
    swap[i] = static_cast<uint8_t>((i & ~size_t{15}) + (i & 8) + 7 - (i & 7));
  const auto bswap = hn::Load(d8, swap);
  const auto inc = hn::Load(d64, step);
  auto ctr = hn::Load(d64, init);
  auto next = [&]() {
    const V8 block = hn::TableLookupBytes(hn::BitCast(d8, ctr), bswap);
    ctr = hn::Add(ctr, inc);
    return block;
  };

  const size_t bytes = blocks * 16;
  size_t i = 0;
  for (; i + 4 * lanes <= bytes; i += 4 * lanes) {
    V8 s0 = hn::Xor(next(), keys.k[0]);
    V8 s1 = hn::Xor(next(), keys.k[0]);
    V8 s2 = hn::Xor(next(), keys.k[0]);
    V8 s3 = hn::Xor(next(), keys.k[0]);
    for (int r = 1; r < 10; ++r) {
      s0 = hn::AESRound(s0, keys.k[r]);
      s1 = hn::AESRound(s1, keys.k[r]);
      s2 = hn::AESRound(s2, keys.k[r]);
      s3 = hn::AESRound(s3, keys.k[r]);
    }
    hn::StoreU(hn::AESLastRound(s0, keys.k[10]), d8, out + i);
    hn::StoreU(hn::AESLastRound(s1, keys.k[10]), d8, out + i + lanes);
    hn::StoreU(hn::AESLastRound(s2, keys.k[10]), d8, out + i + 2 * lanes);
    hn::StoreU(hn::AESLastRound(s3, keys.k[10]), d8, out + i + 3 * lanes);
  }
  for (; i + lanes <= bytes; i += lanes) hn::StoreU(Encrypt(next(), keys), d8, out + i);
  if (i < bytes) {
    HWY_ALIGN uint8_t buf[HWY_MAX_BYTES];
    hn::Store(Encrypt(next(), keys), d8, buf);
    std::memcpy(out + i, buf, bytes - i);
  }
}

}  // namespace sqt::simd::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace sqt::simd::internal {

HWY_EXPORT(CtrImpl);
HWY_EXPORT(EcbImpl);

namespace {
// Highway's targets below AVX3_DL split 256-bit AES rounds into AES-NI
// halves; 256-bit VAES, where the CPU has it, is faster.
bool prefer_vaes256() {
  static const bool prefer = (hwy::SupportedTargets() & HWY_AVX3_DL) == 0 && vaes256_available();
  return prefer;
}
}  // namespace

void aes_ctr_blocks(const std::uint8_t* round_keys, std::uint64_t hi, std::uint64_t lo, std::uint8_t* out,
                    std::size_t blocks) {
  if (prefer_vaes256()) return aes_ctr_blocks_vaes256(round_keys, hi, lo, nullptr, out, blocks);
  HWY_DYNAMIC_DISPATCH(CtrImpl)(round_keys, hi, lo, out, blocks);
}

void aes_ctr_xor_blocks(const std::uint8_t* round_keys, std::uint64_t hi, std::uint64_t lo,
                        const std::uint8_t* in, std::uint8_t* out, std::size_t blocks) {
  if (prefer_vaes256()) return aes_ctr_blocks_vaes256(round_keys, hi, lo, in, out, blocks);
  aes_ctr_xor_blocks_highway(round_keys, hi, lo, in, out, blocks);
}

void aes_ctr_xor_blocks_highway(const std::uint8_t* round_keys, std::uint64_t hi, std::uint64_t lo,
                                const std::uint8_t* in, std::uint8_t* out, std::size_t blocks) {
  constexpr std::size_t kRun = 64;  // keystream of 1 KiB at a time
  alignas(64) std::uint8_t keystream[kRun * 16];
  for (std::size_t done = 0; done < blocks; done += kRun) {
    const std::size_t run = std::min(kRun, blocks - done);
    HWY_DYNAMIC_DISPATCH(CtrImpl)(round_keys, hi, lo + done, keystream, run);
    for (std::size_t b = 0; b < run * 16; ++b) out[done * 16 + b] = in[done * 16 + b] ^ keystream[b];
  }
}

void aes_encrypt_blocks(const std::uint8_t* round_keys, const std::uint8_t* in, std::uint8_t* out,
                        std::size_t blocks) {
  HWY_DYNAMIC_DISPATCH(EcbImpl)(round_keys, in, out, blocks);
}

}  // namespace sqt::simd::internal
#endif  // HWY_ONCE
