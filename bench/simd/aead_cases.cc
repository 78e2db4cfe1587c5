#include "bench/simd/aead_cases.h"

#include <benchmark/benchmark.h>
#include <openssl/evp.h>

#include <array>
#include <memory>
#include <stdexcept>

#include "simd/aes_gcm.h"

namespace sqt::bench::simd_suite {
namespace {

constexpr std::size_t kRecord = 1 << 14;

// One EVP context kept across records, re-keyed by nonce only (what the
// record layer did with OpenSSL).
class EvpGcm {
 public:
  EvpGcm(const std::array<std::uint8_t, 16>& key, bool encrypt) : encrypt_(encrypt) {
    ctx_ = EVP_CIPHER_CTX_new();
    const bool ok =
        ctx_ != nullptr &&
        EVP_CipherInit_ex(ctx_, EVP_aes_128_gcm(), nullptr, nullptr, nullptr, encrypt ? 1 : 0) == 1 &&
        EVP_CIPHER_CTX_ctrl(ctx_, EVP_CTRL_AEAD_SET_IVLEN, 12, nullptr) == 1 &&
        EVP_CipherInit_ex(ctx_, nullptr, nullptr, key.data(), nullptr, encrypt ? 1 : 0) == 1;
    if (!ok) throw std::runtime_error("EVP AES-128-GCM setup failed");
  }
  ~EvpGcm() { EVP_CIPHER_CTX_free(ctx_); }
  EvpGcm(const EvpGcm&) = delete;
  EvpGcm& operator=(const EvpGcm&) = delete;

  void record(const std::uint8_t* nonce, const std::uint8_t* aad, const std::uint8_t* in, std::uint8_t* out,
              std::uint8_t* tag) {
    int len = 0;
    std::uint8_t final_block[16];
    bool ok = EVP_CipherInit_ex(ctx_, nullptr, nullptr, nullptr, nonce, encrypt_ ? 1 : 0) == 1 &&
              EVP_CipherUpdate(ctx_, nullptr, &len, aad, 5) == 1 &&
              EVP_CipherUpdate(ctx_, out, &len, in, static_cast<int>(kRecord)) == 1;
    if (!encrypt_) ok = ok && EVP_CIPHER_CTX_ctrl(ctx_, EVP_CTRL_AEAD_SET_TAG, 16, tag) == 1;
    ok = ok && EVP_CipherFinal_ex(ctx_, final_block, &len) == 1;
    if (encrypt_) ok = ok && EVP_CIPHER_CTX_ctrl(ctx_, EVP_CTRL_AEAD_GET_TAG, 16, tag) == 1;
    if (!ok) throw std::runtime_error("EVP AES-128-GCM record failed");
  }

 private:
  EVP_CIPHER_CTX* ctx_ = nullptr;
  bool encrypt_;
};

}  // namespace

void add_aead_cases(bool quick, std::vector<TimedCase>& cases) {
  if (!simd::aes128_gcm_available()) return;
  const std::size_t records = quick ? 8 : 64;
  const std::array<std::uint8_t, 16> key = {3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9, 3};
  struct Buffers {
    std::vector<std::uint8_t> plain, sealed, opened;
    std::vector<std::array<std::uint8_t, 16>> tags;
    std::array<std::uint8_t, 12> nonce{};
    std::array<std::uint8_t, 5> aad = {23, 3, 3, 0x40, 0x11};
  };
  auto buf = std::make_shared<Buffers>();
  buf->plain.assign(records * kRecord, 0x5a);
  buf->sealed.resize(records * kRecord);
  buf->opened.resize(records * kRecord);
  buf->tags.resize(records);
  auto ours = std::make_shared<simd::Aes128Gcm>(key);
  auto evp_seal = std::make_shared<EvpGcm>(key, true), evp_open = std::make_shared<EvpGcm>(key, false);
  // Sealed once by EVP so that both open cases authenticate the same records.
  for (std::size_t r = 0; r < records; ++r) {
    evp_seal->record(buf->nonce.data(), buf->aad.data(), buf->plain.data() + r * kRecord,
                     buf->sealed.data() + r * kRecord, buf->tags[r].data());
  }
  const TimedCaseFamily family{cases,
                               "bytes_per_s",
                               static_cast<double>(records * kRecord),
                               {{"record_bytes", kRecord}, {"records", records}, {"threads", 1}}};
  auto add = [&](std::string name, bool baseline, std::function<void()> body) {
    family.add(std::move(name), baseline, std::move(body));
  };
  add("aead/aes128_gcm_seal/openssl_evp", true, [=] {
    std::array<std::uint8_t, 16> tag{};
    for (std::size_t r = 0; r < records; ++r)
      evp_seal->record(buf->nonce.data(), buf->aad.data(), buf->plain.data() + r * kRecord,
                       buf->opened.data() + r * kRecord, tag.data());
    benchmark::DoNotOptimize(buf->opened.data());
  });
  add("aead/aes128_gcm_seal/sqt", false, [=] {
    std::array<std::uint8_t, 16> tag{};
    for (std::size_t r = 0; r < records; ++r)
      ours->seal(buf->nonce.data(), buf->aad.data(), 5, buf->plain.data() + r * kRecord,
                 buf->opened.data() + r * kRecord, kRecord, tag.data());
    benchmark::DoNotOptimize(buf->opened.data());
  });
  add("aead/aes128_gcm_open/openssl_evp", true, [=] {
    for (std::size_t r = 0; r < records; ++r)
      evp_open->record(buf->nonce.data(), buf->aad.data(), buf->sealed.data() + r * kRecord,
                       buf->opened.data() + r * kRecord, buf->tags[r].data());
    benchmark::DoNotOptimize(buf->opened.data());
  });
  add("aead/aes128_gcm_open/sqt", false, [=] {
    for (std::size_t r = 0; r < records; ++r) {
      if (!ours->open(buf->nonce.data(), buf->aad.data(), 5, buf->sealed.data() + r * kRecord,
                      buf->opened.data() + r * kRecord, kRecord, buf->tags[r].data()))
        throw std::runtime_error("aead benchmark: a record failed authentication");
    }
    benchmark::DoNotOptimize(buf->opened.data());
  });
}

}  // namespace sqt::bench::simd_suite
