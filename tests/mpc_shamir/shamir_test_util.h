// Running Shamir on n parties over the FakeNetwork, and value helpers.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <span>
#include <vector>

#include "host/backend/backend.h"
#include "host/core/ring.h"
#include "host/mpc/shamir/shamir.h"
#include "tests/common/fake_network.h"

namespace sqt::test {

template <class F>
auto run_shamir(int parties, F&& fn, mpc::TruncMode mode = mpc::TruncMode::kProbabilistic,
                std::uint64_t seed = 17) {
  return run_parties(parties, [&](net::Network& network) {
    auto backend = backend::make_backend("cpu", 1);
    mpc::Shamir p(network, *backend, FixedParams{16, 31}, mode, seed);
    return fn(p);
  });
}

inline std::vector<Ring> random_ring(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<Ring> v(n);
  for (auto& x : v) x = rng();
  return v;
}

// The values for the owner, an empty span for everyone else.
inline std::span<const Ring> owned_by(const mpc::Shamir& p, int owner, const std::vector<Ring>& v) {
  return p.party() == owner ? std::span<const Ring>(v) : std::span<const Ring>();
}

// A truncation by `shift` of the signed value a: exactly floor(a / 2^shift)
// in exact mode, that or one more in probabilistic mode.
inline void expect_truncated(Ring got_ring, Ring a, int shift, mpc::TruncMode mode, std::size_t index) {
  const SignedRing floor = static_cast<SignedRing>(a) >> shift;
  const auto got = static_cast<SignedRing>(got_ring);
  if (mode == mpc::TruncMode::kExact) {
    EXPECT_EQ(got, floor) << index;
  } else {
    EXPECT_TRUE(got == floor || got == floor + 1) << index << ": " << got << " vs " << floor;
  }
}

template <class T>
T agreed(const std::vector<T>& all) {
  for (std::size_t i = 1; i < all.size(); ++i) EXPECT_EQ(all[0], all[i]) << "party " << i << " differs";
  return all[0];
}

}  // namespace sqt::test
