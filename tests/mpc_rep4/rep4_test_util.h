// Shared helpers for the rep4 tests: run a body on four Rep4 parties over the
// FakeNetwork, optionally with one party deviating (a network wrapper that
// flips a bit of, or withholds, that party's chosen frames), and make test
// data.
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
#include "host/mpc/rep4/rep4.h"
#include "tests/common/fake_network.h"
#include "tests/common/fault_outcome.h"

namespace sqt::test {

struct Rep4Options {
  FixedParams fixed{};
  mpc::TruncMode mode = mpc::TruncMode::kProbabilistic;
  std::uint64_t seed = 7;
};

// fn(Rep4&) -> result, run by every party; returns the four results.
template <class F>
auto run_rep4(F&& fn, Rep4Options options = {}) {
  return run_parties(4, [&](net::Network& network) {
    auto backend = backend::make_backend("cpu", 1);
    mpc::Rep4 protocol(network, *backend, options.fixed, options.mode, options.seed);
    return fn(protocol);
  });
}

// One party's deviation: from its `occurrence`-th frame of the given kind
// (and check, for value frames; to party `to` only, when it is not -1) on,
// flip bit `bit` of that frame only (kFlip) or send none of those frames
// (kWithhold). The frames sent while the protocol is being constructed are
// key-setup value frames.
struct Fault {
  enum class Action { kFlip, kWithhold };
  int party = 0;
  Action action = Action::kFlip;
  mpc::rep4::FrameKind frame = mpc::rep4::FrameKind::kValue;
  mpc::rep4::Check check = mpc::rep4::Check::kMultiplication;
  int occurrence = 0;
  std::size_t bit = 0;
  int to = -1;
};

// The deviating party's network: forwards to the FakeNetwork, corrupting the
// frames the fault names (the protocol says what it is sending).
class FaultyNetwork : public net::Network {
 public:
  FaultyNetwork(net::Network& inner, Fault fault) : inner_(inner), fault_(fault) {}
  std::function<mpc::rep4::FrameLabel()> label;  // set once the protocol exists

  int party() const override { return inner_.party(); }
  int parties() const override { return inner_.parties(); }
  void send_bytes(int peer, std::span<const std::byte> data) override {
    const mpc::rep4::FrameLabel now = label ? label() : mpc::rep4::FrameLabel{};
    if ((fault_.to < 0 || peer == fault_.to) && matches(now)) {
      const int seen = seen_++;
      if (fault_.action == Fault::Action::kWithhold && seen >= fault_.occurrence) {
        ++corrupted_;
        return;
      }
      if (fault_.action == Fault::Action::kFlip && seen == fault_.occurrence && !data.empty()) {
        ++corrupted_;
        std::vector<std::byte> copy(data.begin(), data.end());
        const std::size_t bit = fault_.bit % (8 * copy.size());
        copy[bit / 8] ^= static_cast<std::byte>(1u << (bit % 8));
        inner_.send_bytes(peer, copy);
        return;
      }
    }
    inner_.send_bytes(peer, data);
  }
  void recv_bytes(int peer, std::span<std::byte> out) override { inner_.recv_bytes(peer, out); }
  void abort(const std::string& reason) override { inner_.abort(reason); }
  net::TrafficStats stats() const override { return inner_.stats(); }
  // Frames flipped or withheld so far (a fault test must corrupt one).
  int corrupted() const { return corrupted_; }

 private:
  bool matches(const mpc::rep4::FrameLabel& l) const {
    return l.frame == fault_.frame && (l.frame != mpc::rep4::FrameKind::kValue || l.check == fault_.check);
  }
  net::Network& inner_;
  Fault fault_;
  int seen_ = 0;
  int corrupted_ = 0;
};

// fn(Rep4&) on every party, party fault.party deviating; errors are caught
// per party (so that no party's failure aborts the others' checks) and
// returned. `timeout` bounds each receive (withheld frames end in it).
template <class F>
auto run_rep4_with_fault(const Fault& fault, F&& fn, Rep4Options options = {},
                         std::chrono::milliseconds timeout = std::chrono::milliseconds(1500)) {
  using R = std::invoke_result_t<F&, mpc::Rep4&>;
  return run_parties(
      4,
      [&](net::Network& network) {
        Outcome<R> out;
        try {
          auto backend = backend::make_backend("cpu", 1);
          if (network.party() == fault.party) {
            FaultyNetwork faulty(network, fault);
            try {
              mpc::Rep4 protocol(faulty, *backend, options.fixed, options.mode, options.seed);
              faulty.label = [&protocol] { return protocol.sending(); };
              out.value.emplace(fn(protocol));
            } catch (...) {
              out.frames_corrupted = faulty.corrupted();
              throw;
            }
            out.frames_corrupted = faulty.corrupted();
          } else {
            mpc::Rep4 protocol(network, *backend, options.fixed, options.mode, options.seed);
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

// The owner's values at the owner, nothing elsewhere (input()'s convention).
inline std::span<const Ring> owned_by(const mpc::Rep4& p, int owner, const std::vector<Ring>& v) {
  return p.party() == owner ? std::span<const Ring>(v) : std::span<const Ring>{};
}

}  // namespace sqt::test
