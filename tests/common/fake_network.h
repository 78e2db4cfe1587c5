// FakeNetwork: an in-process stand-in for the party mesh, for unit tests
// only. The N parties are threads of one process; every ordered pair of
// parties has its own frame queue. It keeps the Network contract of
// host/net/network.h (frames in order per pair, size checked, rounds counted
// at the first recv after a send, abort wakes every party, every wait
// bounded) so the round and byte counts a test asserts are those of the real
// mesh, and a protocol out of step fails with NetError instead of hanging.
//
//   auto results = run_parties(4, [](net::Network& n) { ...; return x; });
//
// runs the body once per party (results[i] is party i's) and rethrows the
// first party's failure after all threads joined.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstring>
#include <deque>
#include <exception>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "host/core/error.h"
#include "host/net/network.h"

namespace sqt::test {

// How long a recv waits for its frame before it fails: long enough for the
// largest test under a sanitizer on a loaded machine, short enough that a
// deadlocked test ends within ctest's timeout.
inline constexpr std::chrono::milliseconds kFakeRecvTimeout{60'000};

class FakeHub {
 public:
  explicit FakeHub(int parties, std::chrono::milliseconds timeout = kFakeRecvTimeout)
      : parties_(parties),
        timeout_(timeout),
        queues_(static_cast<std::size_t>(parties) * parties),
        arrived_(static_cast<std::size_t>(parties)) {
    if (parties < 1) throw NetError("FakeNetwork: " + std::to_string(parties) + " parties");
  }

  int parties() const { return parties_; }

  void push(int from, int to, std::vector<std::byte> frame) {
    check_pair(from, to);
    {
      std::lock_guard lock(mutex_);
      if (aborted_)
        throw NetError("FakeNetwork: party " + std::to_string(from) + " sends after abort: " + reason_);
      queue(from, to).push_back(std::move(frame));
    }
    arrived_[to].notify_all();
  }

  std::vector<std::byte> pop(int from, int to) {
    check_pair(from, to);
    std::unique_lock lock(mutex_);
    auto& q = queue(from, to);
    if (!arrived_[to].wait_for(lock, timeout_, [&] { return aborted_ || !q.empty(); })) {
      throw NetError("FakeNetwork: party " + std::to_string(to) + " timed out after " +
                     std::to_string(timeout_.count()) + " ms waiting for party " + std::to_string(from));
    }
    if (aborted_) throw NetError("FakeNetwork: session aborted: " + reason_);
    auto frame = std::move(q.front());
    q.pop_front();
    return frame;
  }

  // The first reason wins: later aborts are the echo of the first failure.
  void abort(const std::string& reason) {
    {
      std::lock_guard lock(mutex_);
      if (aborted_) return;
      aborted_ = true;
      reason_ = reason;
    }
    for (auto& cv : arrived_) cv.notify_all();
  }

 private:
  // A peer id out of range (or oneself) is a bug in the protocol under test.
  void check_pair(int from, int to) const {
    if (from < 0 || from >= parties_ || to < 0 || to >= parties_ || from == to) {
      throw NetError("FakeNetwork: no link from party " + std::to_string(from) + " to party " +
                     std::to_string(to) + " among " + std::to_string(parties_) + " parties");
    }
  }

  std::deque<std::vector<std::byte>>& queue(int from, int to) {
    return queues_[static_cast<std::size_t>(from) * parties_ + to];
  }

  int parties_;
  std::chrono::milliseconds timeout_;
  std::mutex mutex_;
  std::vector<std::deque<std::vector<std::byte>>> queues_;  // [from * parties + to]
  std::vector<std::condition_variable> arrived_;            // one per receiving party
  bool aborted_ = false;
  std::string reason_;
};

class FakeNetwork : public net::Network {
 public:
  FakeNetwork(FakeHub& hub, int party) : hub_(hub), party_(party) {}

  int party() const override { return party_; }
  int parties() const override { return hub_.parties(); }

  void send_bytes(int peer, std::span<const std::byte> data) override {
    hub_.push(party_, peer, std::vector<std::byte>(data.begin(), data.end()));
    stats_.bytes_sent += data.size();
    stats_.messages_sent += 1;
    sent_since_recv_ = true;
  }

  void recv_bytes(int peer, std::span<std::byte> out) override {
    if (sent_since_recv_) {
      stats_.rounds += 1;
      sent_since_recv_ = false;
    }
    auto frame = hub_.pop(peer, party_);
    if (frame.size() != out.size()) {
      throw NetError("FakeNetwork: frame from party " + std::to_string(peer) + " to party " +
                     std::to_string(party_) + " has " + std::to_string(frame.size()) + " bytes, expected " +
                     std::to_string(out.size()));
    }
    if (!frame.empty()) std::memcpy(out.data(), frame.data(), frame.size());
    stats_.bytes_received += frame.size();
  }

  void abort(const std::string& reason) override { hub_.abort(reason); }
  net::TrafficStats stats() const override { return stats_; }

 private:
  FakeHub& hub_;
  int party_;
  net::TrafficStats stats_;
  bool sent_since_recv_ = false;
};

// Runs fn(network) on `parties` threads, one per party, and returns their
// results in party order (nothing when fn returns void). A failing party
// aborts the session so that the others stop waiting; the first failure is
// rethrown after all threads joined (the others' errors are its echo).
template <class F>
auto run_parties(int parties, F&& fn, std::chrono::milliseconds timeout = kFakeRecvTimeout) {
  using R = std::invoke_result_t<F&, net::Network&>;
  FakeHub hub(parties, timeout);
  // optional<R>, not R: R need not be default-constructible, and a
  // vector<bool> would pack the parties' results into shared words.
  using Slot = std::conditional_t<std::is_void_v<R>, bool, std::optional<R>>;
  std::vector<Slot> results(static_cast<std::size_t>(parties));
  std::vector<std::exception_ptr> errors(static_cast<std::size_t>(parties));
  std::atomic<int> first_failure{-1};
  {
    std::vector<std::jthread> threads;
    threads.reserve(static_cast<std::size_t>(parties));
    for (int p = 0; p < parties; ++p) {
      threads.emplace_back([&, p] {
        FakeNetwork network(hub, p);
        try {
          if constexpr (std::is_void_v<R>) {
            fn(static_cast<net::Network&>(network));
          } else {
            results[p].emplace(fn(static_cast<net::Network&>(network)));
          }
        } catch (...) {
          errors[p] = std::current_exception();
          int none = -1;
          first_failure.compare_exchange_strong(none, p);
          hub.abort("party " + std::to_string(p) + " failed");
        }
      });
    }
  }  // jthreads join here
  if (first_failure >= 0) std::rethrow_exception(errors[first_failure]);
  if constexpr (!std::is_void_v<R>) {
    std::vector<R> out;
    out.reserve(results.size());
    for (auto& r : results) out.push_back(std::move(*r));
    return out;
  }
}

// The three-party case of run_parties, as a fixed-size array (rep3 tests
// index and destructure it).
template <class F>
auto run_three(F&& fn) {
  using R = std::invoke_result_t<F&, net::Network&>;
  if constexpr (std::is_void_v<R>) {
    run_parties(3, std::forward<F>(fn));
  } else {
    auto all = run_parties(3, std::forward<F>(fn));
    return std::array<R, 3>{std::move(all[0]), std::move(all[1]), std::move(all[2])};
  }
}

}  // namespace sqt::test
