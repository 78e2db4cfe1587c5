// rep3's pairwise PRG keys: drawn from the kernel CSPRNG in production
// (seed 0), fresh per session, and degenerate or copied keys refused at the
// key exchange with an error naming the neighbour.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <array>
#include <cstring>
#include <vector>

#include "host/core/os_random.h"
#include "tests/mpc_rep3/rep3_test_util.h"

namespace sqt::test {
namespace {

using ::testing::HasSubstr;

// Wraps one party's network and rewrites the first frame it receives (the
// key exchange), standing in for a neighbour whose key is broken.
class KeyTamperingNetwork : public net::Network {
 public:
  enum class Mode { kZero, kOnes, kEchoOwn };
  KeyTamperingNetwork(net::Network& inner, Mode mode) : inner_(inner), mode_(mode) {}
  int party() const override { return inner_.party(); }
  int parties() const override { return inner_.parties(); }
  void send_bytes(int peer, std::span<const std::byte> data) override {
    if (first_sent_.empty()) first_sent_.assign(data.begin(), data.end());
    inner_.send_bytes(peer, data);
  }
  void recv_bytes(int peer, std::span<std::byte> out) override {
    inner_.recv_bytes(peer, out);
    if (tampered_) return;
    tampered_ = true;
    switch (mode_) {
      case Mode::kZero:
        std::fill(out.begin(), out.end(), std::byte{0});
        break;
      case Mode::kOnes:
        std::fill(out.begin(), out.end(), std::byte{0xff});
        break;
      case Mode::kEchoOwn:  // the neighbour "sends" this party's own key
        std::memcpy(out.data(), first_sent_.data(), out.size());
        break;
    }
  }
  void abort(const std::string& reason) override { inner_.abort(reason); }
  net::TrafficStats stats() const override { return inner_.stats(); }

 private:
  net::Network& inner_;
  Mode mode_;
  std::vector<std::byte> first_sent_;
  bool tampered_ = false;
};

std::string session_error(KeyTamperingNetwork::Mode mode, std::uint64_t seed) {
  try {
    run_three([&](net::Network& network) {
      auto backend = backend::make_backend("cpu", 1);
      if (network.party() == 2) {
        KeyTamperingNetwork tampered(network, mode);
        mpc::Rep3 p(tampered, *backend, FixedParams{}, mpc::TruncMode::kProbabilistic, seed);
        return p.reveal(p.zeros(1))[0];
      }
      mpc::Rep3 p(network, *backend, FixedParams{}, mpc::TruncMode::kProbabilistic, seed);
      return p.reveal(p.zeros(1))[0];
    });
  } catch (const Error& e) {
    return e.what();
  }
  return "accepted";
}

TEST(Rep3Keys, DegenerateOrCopiedNeighbourKeysAreRefused) {
  for (const std::uint64_t seed : {std::uint64_t{0}, std::uint64_t{7}}) {
    SCOPED_TRACE(seed);
    EXPECT_THAT(session_error(KeyTamperingNetwork::Mode::kZero, seed),
                HasSubstr("the PRG key received from party 1 is degenerate"));
    EXPECT_THAT(session_error(KeyTamperingNetwork::Mode::kOnes, seed),
                HasSubstr("the PRG key received from party 1 is degenerate"));
    EXPECT_THAT(session_error(KeyTamperingNetwork::Mode::kEchoOwn, seed),
                HasSubstr("equals this party's own key"));
  }
}

// Production keys (seed 0) differ between sessions: each party's share of
// the same input differs between two sessions in every element (a fixed or
// seed-derived key would repeat it), while both reconstruct the input.
TEST(Rep3Keys, KernelKeysAreFreshPerSession) {
  const std::vector<Ring> values{1, 2, 3, 4, 5, 6, 7, 8};
  auto components = [&] {
    return run_rep3(
        [&](mpc::Rep3& p) {
          auto s = p.input(0, values, values.size());
          EXPECT_EQ(p.reveal(s), values);
          std::vector<Ring> both(s.part[0].begin(), s.part[0].end());
          both.insert(both.end(), s.part[1].begin(), s.part[1].end());
          return both;
        },
        Rep3Options{.seed = 0});
  };
  const auto a = components(), b = components();
  for (int party = 0; party < 3; ++party) {
    int equal = 0;
    const std::size_t n = values.size();
    for (std::size_t i = 0; i < n; ++i)
      equal += a[party][i] == b[party][i] && a[party][n + i] == b[party][n + i];
    EXPECT_EQ(equal, 0) << "party " << party << " holds the same share in two sessions";
  }
}

TEST(OsRandom, FillsFromTheKernelAndFlagsDegenerateKeys) {
  std::array<std::byte, 32> a{}, b{};
  fill_os_random(a);
  fill_os_random(b);
  EXPECT_NE(a, b);
  EXPECT_FALSE(degenerate_key(a));
  std::array<std::byte, 16> zero{}, ones{};
  ones.fill(std::byte{0xff});
  EXPECT_TRUE(degenerate_key(zero));
  EXPECT_TRUE(degenerate_key(ones));
  zero[15] = std::byte{1};
  EXPECT_FALSE(degenerate_key(zero));
}

}  // namespace
}  // namespace sqt::test
