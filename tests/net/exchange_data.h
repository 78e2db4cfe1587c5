// Deterministic test traffic: the frame party `from` sends party `to` in
// round `round` (size and bytes from a seeded generator), so senders and
// receivers agree without sharing anything but the seed.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <random>
#include <vector>

#include "host/net/network.h"

namespace sqt::net::testing {

// Sizes cover empty frames, tiny ones, the small-message path and large
// frames that stream straight into the receiver's buffer.
inline constexpr std::array<std::size_t, 6> kExchangeSizes{0, 1, 8, 1000, 70000, (1u << 20) + 3};

inline std::vector<std::byte> exchange_data(std::uint64_t seed, int from, int to, int round) {
  std::seed_seq seq{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32),
                    static_cast<std::uint32_t>(from), static_cast<std::uint32_t>(to),
                    static_cast<std::uint32_t>(round)};
  std::mt19937_64 gen(seq);
  const std::size_t size =
      kExchangeSizes[static_cast<std::size_t>(round + from + 2 * to) % kExchangeSizes.size()];
  std::vector<std::byte> out(size);
  std::size_t i = 0;
  for (; i + 8 <= size; i += 8) {
    const std::uint64_t v = gen();
    for (int b = 0; b < 8; ++b) out[i + b] = std::byte{static_cast<std::uint8_t>(v >> (8 * b))};
  }
  for (; i < size; ++i) out[i] = std::byte{static_cast<std::uint8_t>(gen())};
  return out;
}

// One party's side of `rounds` all-to-all exchanges: in each round it sends
// exchange_data(seed, me, j, round) to every other party j, then receives
// from each and compares. Returns the number of frames that differed.
inline int exchange_all(Network& net, std::uint64_t seed, int rounds) {
  const int me = net.party(), n = net.parties();
  int bad = 0;
  for (int r = 0; r < rounds; ++r) {
    for (int j = 0; j < n; ++j) {
      if (j != me) net.send_bytes(j, exchange_data(seed, me, j, r));
    }
    for (int j = 0; j < n; ++j) {
      if (j == me) continue;
      const auto expected = exchange_data(seed, j, me, r);
      std::vector<std::byte> got(expected.size());
      net.recv_bytes(j, got);
      if (got != expected) ++bad;
    }
  }
  return bad;
}

// n bytes of a seeded xorshift stream: distinct, reproducible payloads.
inline std::vector<std::byte> pattern_bytes(std::size_t n, std::uint64_t seed) {
  std::vector<std::byte> out(n);
  std::uint64_t x = seed * 0x9E3779B97F4A7C15ULL + 1;
  for (auto& b : out) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    b = std::byte{static_cast<std::uint8_t>(x)};
  }
  return out;
}

}  // namespace sqt::net::testing
