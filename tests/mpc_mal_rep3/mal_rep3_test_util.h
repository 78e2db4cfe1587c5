// Shared helpers for the mal-rep3 tests: run a body on three MalRep3 parties
// over the FakeNetwork, optionally with one party deviating (a network
// wrapper that flips bits of, or withholds, that party's chosen frames), and
// make test data.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "host/backend/backend.h"
#include "host/core/error.h"
#include "host/mpc/mal_rep3/mal_rep3.h"
#include "tests/common/fake_network.h"
#include "tests/common/fault_outcome.h"

namespace sqt::test {

using R128 = Ring128;
using S128 = SignedRing128;

struct MalRep3Options {
  FixedParams fixed{16, 31};
  mpc::TruncMode mode = mpc::TruncMode::kProbabilistic;
  std::uint64_t seed = 7;
  mpc::ProductRounding products = mpc::ProductRounding::kUnbiased;
};

// fn(MalRep3&) -> result, run by every party; returns the three results.
template <class F>
auto run_mal_rep3(F&& fn, MalRep3Options options = {}) {
  return run_parties(3, [&](net::Network& network) {
    auto backend = backend::make_backend("cpu", 1);
    mpc::MalRep3 protocol(network, *backend, options.fixed, options.mode, options.seed, options.products);
    return fn(protocol);
  });
}

// One party's deviation: its `occurrence`-th frame of the given kind (and
// check, for value frames) gets bits `bit` and `bit2` (if >= 0) flipped
// (kFlip), or from that frame on it sends none of them (kWithhold).
struct Fault {
  enum class Action { kFlip, kWithhold };
  int party = 0;
  Action action = Action::kFlip;
  mpc::mal_rep3::FrameKind frame = mpc::mal_rep3::FrameKind::kValue;
  mpc::mal_rep3::Check check = mpc::mal_rep3::Check::kMultiplication;
  int occurrence = 0;
  std::size_t bit = 13;
  long bit2 = -1;
};

class FaultyNetwork : public net::Network {
 public:
  FaultyNetwork(net::Network& inner, Fault fault) : inner_(inner), fault_(fault) {}
  std::function<mpc::mal_rep3::FrameLabel()> label;  // set once the protocol exists

  int party() const override { return inner_.party(); }
  int parties() const override { return inner_.parties(); }
  void send_bytes(int peer, std::span<const std::byte> data) override {
    if (label && matches(label())) {
      const int seen = seen_++;
      if (fault_.action == Fault::Action::kWithhold && seen >= fault_.occurrence) {
        ++corrupted_;
        return;
      }
      if (fault_.action == Fault::Action::kFlip && seen == fault_.occurrence && !data.empty()) {
        ++corrupted_;
        std::vector<std::byte> copy(data.begin(), data.end());
        auto flip = [&](std::size_t bit) {
          bit %= 8 * copy.size();
          copy[bit / 8] ^= static_cast<std::byte>(1u << (bit % 8));
        };
        flip(fault_.bit);
        if (fault_.bit2 >= 0) flip(static_cast<std::size_t>(fault_.bit2));
        inner_.send_bytes(peer, copy);
        return;
      }
    }
    inner_.send_bytes(peer, data);
  }
  void recv_bytes(int peer, std::span<std::byte> out) override { inner_.recv_bytes(peer, out); }
  void abort(const std::string& reason) override { inner_.abort(reason); }
  net::TrafficStats stats() const override { return inner_.stats(); }
  int corrupted() const { return corrupted_; }

 private:
  bool matches(const mpc::mal_rep3::FrameLabel& l) const {
    return l.frame == fault_.frame &&
           (l.frame != mpc::mal_rep3::FrameKind::kValue || l.check == fault_.check);
  }
  net::Network& inner_;
  Fault fault_;
  int seen_ = 0;
  int corrupted_ = 0;
};

// fn(MalRep3&) on every party, party fault.party deviating; each party's
// error is caught and returned. `timeout` bounds each receive.
template <class F>
auto run_mal_rep3_with_fault(const Fault& fault, F&& fn, MalRep3Options options = {},
                             std::chrono::milliseconds timeout = std::chrono::milliseconds(1500)) {
  using T = std::invoke_result_t<F&, mpc::MalRep3&>;
  return run_parties(
      3,
      [&](net::Network& network) {
        Outcome<T> out;
        try {
          auto backend = backend::make_backend("cpu", 1);
          if (network.party() == fault.party) {
            FaultyNetwork faulty(network, fault);
            try {
              mpc::MalRep3 protocol(faulty, *backend, options.fixed, options.mode, options.seed,
                                    options.products);
              faulty.label = [&protocol] { return protocol.sending(); };
              out.value.emplace(fn(protocol));
            } catch (...) {
              out.frames_corrupted = faulty.corrupted();
              throw;
            }
            out.frames_corrupted = faulty.corrupted();
          } else {
            mpc::MalRep3 protocol(network, *backend, options.fixed, options.mode, options.seed,
                                  options.products);
            out.value.emplace(fn(protocol));
          }
        } catch (const VerificationError& e) {
          out.verification_error = true;
          out.error = e.what();
        } catch (const Error& e) {
          out.error = e.what();
        }
        return out;
      },
      timeout);
}

inline net::TrafficStats operator-(const net::TrafficStats& a, const net::TrafficStats& b) {
  return {a.bytes_sent - b.bytes_sent, a.bytes_received - b.bytes_received, a.messages_sent - b.messages_sent,
          a.rounds - b.rounds};
}

// Uniform in [-bound, bound], as Z_2^128 elements.
inline std::vector<R128> random_signed(std::size_t n, std::int64_t bound, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<std::int64_t> dist(-bound, bound);
  std::vector<R128> v(n);
  for (auto& x : v) x = static_cast<R128>(static_cast<S128>(dist(rng)));
  return v;
}

inline S128 as_signed(R128 v) { return static_cast<S128>(v); }

inline std::span<const R128> owned_by(const mpc::MalRep3& p, int owner, const std::vector<R128>& v) {
  return p.party() == owner ? std::span<const R128>(v) : std::span<const R128>{};
}

// floor(x / 2^b) for a signed value.
inline S128 floor_shift(S128 x, int b) { return x >> b; }

}  // namespace sqt::test
