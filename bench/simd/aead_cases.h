// Benchmark cases of the TLS record cipher: simd::Aes128Gcm against OpenSSL's
// EVP AES-128-GCM (the baseline), sealing and opening 16 KiB records (the TLS
// maximum) with a 5-byte header as associated data, as host/net does.
#pragma once

#include <vector>

#include "bench/core/timed_cases.h"

namespace sqt::bench::simd_suite {

void add_aead_cases(bool quick, std::vector<TimedCase>& cases);

}  // namespace sqt::bench::simd_suite
