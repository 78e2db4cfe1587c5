// One runner per protocol: how a test runs a body on every party of that
// protocol. A runner R provides
//   using Protocol = ...;                      // the class that models mpc::Protocol
//   static constexpr std::string_view kName;   // test name part ("Rep3")
//   static constexpr int kParties;
//   static constexpr std::uint64_t kFirstSeed; // the suites' first protocol seed
//   static auto run_all(const RunConfig&, F&& fn);
// where run_all builds the protocol with that configuration on every party
// (threads over the FakeNetwork for the secure ones), calls fn(Protocol&)
// and returns the results in party order, rethrowing the first party's
// failure. Adding a protocol (rep4, shamir, ...) means one runner here and
// its suite file (tests/mpc_fixed/fixed_suite_<protocol>_test.cc).
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "host/backend/backend.h"
#include "host/core/ring.h"
#include "host/mpc/clear/clear.h"
#include "host/mpc/mal_rep3/mal_rep3.h"
#include "host/mpc/protocol.h"
#include "host/mpc/rep3/rep3.h"
#include "host/mpc/rep4/rep4.h"
#include "host/mpc/shamir/shamir.h"
#include "tests/common/fake_network.h"

namespace sqt::test {

struct RunConfig {
  FixedParams fixed{};
  mpc::TruncMode mode = mpc::TruncMode::kProbabilistic;
  std::uint64_t seed = 7;
};

// A one-process protocol (the clear emulations): one "party", no network.
template <class P>
struct OneProcessRunner {
  using Protocol = P;
  static constexpr int kParties = 1;

  template <class F>
  static auto run_all(const RunConfig& config, F&& fn) {
    auto backend = backend::make_backend("cpu", 1);
    Protocol p(*backend, config.fixed, config.mode, config.seed);
    std::vector<std::invoke_result_t<F&, Protocol&>> out;
    out.push_back(fn(p));
    return out;
  }
};

// A networked protocol of N parties: threads over the FakeNetwork, a CPU
// backend each.
template <class P, int N>
struct MeshRunner {
  using Protocol = P;
  static constexpr int kParties = N;

  template <class F>
  static auto run_all(const RunConfig& config, F&& fn) {
    return run_parties(kParties, [&](net::Network& network) {
      auto backend = backend::make_backend("cpu", 1);
      Protocol p(network, *backend, config.fixed, config.mode, config.seed);
      return fn(p);
    });
  }
};

struct ClearRunner : OneProcessRunner<mpc::Clear> {
  static constexpr std::string_view kName = "Clear";
  static constexpr std::uint64_t kFirstSeed = 20240611;
};

struct Rep3Runner : MeshRunner<mpc::Rep3, 3> {
  static constexpr std::string_view kName = "Rep3";
  static constexpr std::uint64_t kFirstSeed = 99;
};

struct Rep4Runner : MeshRunner<mpc::Rep4, 4> {
  static constexpr std::string_view kName = "Rep4";
  static constexpr std::uint64_t kFirstSeed = 404;
};

// Shamir over GR(2^64, 4) at 3, 5 and 10 parties (t = 1, 2, 4).
struct Shamir3Runner : MeshRunner<mpc::Shamir, 3> {
  static constexpr std::string_view kName = "Shamir3";
  static constexpr std::uint64_t kFirstSeed = 303;
};

struct Shamir5Runner : MeshRunner<mpc::Shamir, 5> {
  static constexpr std::string_view kName = "Shamir5";
  static constexpr std::uint64_t kFirstSeed = 505;
};

struct Shamir10Runner : MeshRunner<mpc::Shamir, 10> {
  static constexpr std::string_view kName = "Shamir10";
  static constexpr std::uint64_t kFirstSeed = 1010;
};

// rep3 and clear over Z_2^128 (f = 32, k = 63 by default in the suites): the
// ring is a parameter of the protocol layer.
struct Clear128Runner : OneProcessRunner<mpc::Clear128> {
  static constexpr std::string_view kName = "Clear128";
  static constexpr std::uint64_t kFirstSeed = 20261207;
};

struct Rep3_128Runner : MeshRunner<mpc::Rep3_128, 3> {
  static constexpr std::string_view kName = "Rep3_128";
  static constexpr std::uint64_t kFirstSeed = 128;
};

// mal-rep3 computes in Z_2^128 with f = 16, k = 31 (its checked range is 81
// bits), so the suites use those parameters and Z_2^64's error bounds.
struct MalRep3Runner : MeshRunner<mpc::MalRep3, 3> {
  static constexpr std::string_view kName = "MalRep3";
  static constexpr std::uint64_t kFirstSeed = 333;
  static constexpr FixedParams kFixed{16, 31};
  using BoundsRing = Ring64;
};

// Runs fn on every party of R and returns party 0's result; every party's
// result must equal it (a reveal that differs between parties is a bug).
template <class R, class F>
auto run_on_party0(const RunConfig& config, F&& fn) {
  auto results = R::run_all(config, std::forward<F>(fn));
  for (std::size_t i = 1; i < results.size(); ++i) {
    EXPECT_EQ(results[0], results[i]) << R::kName << ": parties 0 and " << i << " revealed different values";
  }
  return std::move(results[0]);
}

}  // namespace sqt::test
