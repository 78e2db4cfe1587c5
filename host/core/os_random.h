// Secret randomness from the kernel CSPRNG (getrandom(2)): every key, seed
// and mask seed of a session comes from here. std::random_device is not
// used: libstdc++ on x86 serves it from RDRAND/RDSEED alone, a single
// hardware source with no kernel mixing.
#pragma once

#include <sys/random.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <span>
#include <string>

#include "host/core/error.h"

namespace sqt {

// Fills `out` from getrandom(2) (flags 0: blocks only until the kernel pool
// is seeded after boot, then never). Throws Error when the kernel refuses.
inline void fill_os_random(std::span<std::byte> out) {
  std::size_t done = 0;
  while (done < out.size()) {
    const ssize_t n = ::getrandom(out.data() + done, out.size() - done, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw Error(std::string("cannot draw randomness from the kernel (getrandom): ") + std::strerror(errno));
    }
    done += static_cast<std::size_t>(n);
  }
}

// A key no honest draw produces (probability 2^-(8 size - 1)): all zero or
// all one bits, the values a broken generator or a zeroed buffer give.
inline bool degenerate_key(std::span<const std::byte> key) {
  return std::all_of(key.begin(), key.end(), [](std::byte b) { return b == std::byte{0}; }) ||
         std::all_of(key.begin(), key.end(), [](std::byte b) { return b == std::byte{0xff}; });
}

}  // namespace sqt
