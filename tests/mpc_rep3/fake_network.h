// FakeNetwork: an in-process stand-in for the party mesh, for unit tests
// only. The three parties are threads of one process; every ordered pair of
// parties has its own frame queue. It keeps the Network contract (frames in
// order, size checked, rounds counted at the first recv after a send) so the
// round and byte counts a test asserts are those of the real mesh.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <exception>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "host/core/error.h"
#include "host/net/network.h"

namespace sqt::test {

class FakeHub {
 public:
  explicit FakeHub(int parties) : parties_(parties), queues_(parties * parties) {}

  int parties() const { return parties_; }

  void push(int from, int to, std::vector<std::byte> frame) {
    {
      std::lock_guard lock(mutex_);
      queues_[from * parties_ + to].push_back(std::move(frame));
    }
    cv_.notify_all();
  }

  std::vector<std::byte> pop(int from, int to) {
    std::unique_lock lock(mutex_);
    auto& q = queues_[from * parties_ + to];
    if (!cv_.wait_for(lock, std::chrono::seconds(60), [&] { return aborted_ || !q.empty(); })) {
      throw NetError("FakeNetwork: party " + std::to_string(to) + " timed out waiting for party " +
                     std::to_string(from));
    }
    if (aborted_) throw NetError("FakeNetwork: session aborted: " + reason_);
    auto frame = std::move(q.front());
    q.pop_front();
    return frame;
  }

  void abort(const std::string& reason) {
    {
      std::lock_guard lock(mutex_);
      aborted_ = true;
      reason_ = reason;
    }
    cv_.notify_all();
  }

 private:
  int parties_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<std::deque<std::vector<std::byte>>> queues_;
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
      throw NetError("FakeNetwork: frame from party " + std::to_string(peer) + " has " +
                     std::to_string(frame.size()) + " bytes, expected " + std::to_string(out.size()));
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

// Runs fn(network) on three threads (one per party) and returns the three
// results; the first party's exception is rethrown after all joined.
template <class F>
auto run_three(F&& fn) {
  using R = decltype(fn(std::declval<net::Network&>()));
  FakeHub hub(3);
  std::array<R, 3> results{};
  std::array<std::exception_ptr, 3> errors{};
  std::atomic<int> first_failure{-1};
  std::vector<std::thread> threads;
  for (int p = 0; p < 3; ++p) {
    threads.emplace_back([&, p] {
      FakeNetwork network(hub, p);
      try {
        results[p] = fn(static_cast<net::Network&>(network));
      } catch (...) {
        errors[p] = std::current_exception();
        int none = -1;
        first_failure.compare_exchange_strong(none, p);
        hub.abort("party " + std::to_string(p) + " failed");
      }
    });
  }
  for (auto& t : threads) t.join();
  // The first failure is the cause; the others are the abort it triggered.
  if (first_failure >= 0) std::rethrow_exception(errors[first_failure]);
  return results;
}

}  // namespace sqt::test
