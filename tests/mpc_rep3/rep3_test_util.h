// Shared helpers for the rep3 tests: run a body on three Rep3 parties over
// the FakeNetwork and make test data.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

#include "host/backend/backend.h"
#include "host/mpc/rep3/rep3.h"
#include "tests/common/fake_network.h"

namespace sqt::test {

struct Rep3Options {
  FixedParams fixed{};
  mpc::TruncMode mode = mpc::TruncMode::kProbabilistic;
  std::uint64_t seed = 7;
};

// fn(Rep3&) -> result, run by every party; returns the three results.
template <class F>
auto run_rep3(F&& fn, Rep3Options options = {}) {
  return run_three([&](net::Network& network) {
    auto backend = backend::make_backend("cpu", 1);
    mpc::Rep3 protocol(network, *backend, options.fixed, options.mode, options.seed);
    return fn(protocol);
  });
}

// Traffic of one step: stats after minus stats before.
inline net::TrafficStats operator-(const net::TrafficStats& a, const net::TrafficStats& b) {
  return {a.bytes_sent - b.bytes_sent, a.bytes_received - b.bytes_received, a.messages_sent - b.messages_sent,
          a.rounds - b.rounds};
}

inline std::vector<Ring> random_ring(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<Ring> v(n);
  for (auto& x : v) x = rng();
  return v;
}

// Uniform in [-bound, bound], encoded in the ring.
inline std::vector<Ring> random_signed(std::size_t n, std::int64_t bound, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<std::int64_t> dist(-bound, bound);
  std::vector<Ring> v(n);
  for (auto& x : v) x = static_cast<Ring>(dist(rng));
  return v;
}

inline std::int64_t as_signed(Ring v) { return static_cast<std::int64_t>(v); }

}  // namespace sqt::test
