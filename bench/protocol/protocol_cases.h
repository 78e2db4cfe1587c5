// The protocol benchmark cases, independent of the runner and of the
// model: each party of a session calls run_protocol_cases with its protocol
// object (built through host/cli/protocol_dispatch.h under `sqt bench
// protocol --protocol NAME`) and its network (the TLS mesh, or the
// FakeNetwork of the in-process driver); party 0 gets the results. Case names
// start with the model's name ("rep3/mul").
#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "bench/core/suite.h"
#include "host/backend/backend.h"
#include "host/core/ring.h"
#include "host/mpc/fixed/exp.h"
#include "host/mpc/fixed/invsqrt.h"
#include "host/mpc/fixed/max_windows.h"
#include "host/mpc/fixed/softmax.h"
#include "host/mpc/protocol.h"
#include "host/net/network.h"

namespace sqt::bench {

struct ProtocolCaseResult {
  std::string name;                  // e.g. "rep3/mul"
  std::size_t elements = 0;          // batch size of one call
  double seconds = 0;                // median wall time of one call (party 0, barrier to barrier)
  double cpu_seconds = 0;            // max over parties of the calling thread's CPU time in that call
  std::uint64_t rounds = 0;          // max over parties of the counted rounds of one call
  std::uint64_t max_bytes_sent = 0;  // max over parties of the bytes one call sent
  bool baseline = false;             // local computation only, no protocol
};

struct ProtocolCaseOptions {
  bool quick = false;  // 100x smaller batches
  int repeats = 3;
  std::function<void(const ProtocolCaseResult&)> progress;  // party 0, after each case
  std::vector<std::string> only;                            // run only cases whose name contains one of these
};

// Large share vectors otherwise come from fresh mmap()s on every call, and
// the page faults would dominate the measured protocol time: keep freed
// memory in the heap for reuse (process-wide; benchmark processes only).
void keep_freed_memory_for_reuse();

// run_protocol_cases for rep3 over `network` (keys from the OS), for the
// in-process and mesh drivers of tests/mpc_rep3.
std::vector<ProtocolCaseResult> run_rep3_protocol_cases(net::Network& network, backend::Backend& backend,
                                                        const ProtocolCaseOptions& options);

namespace detail {

// n fixed-point values uniform in [lo, hi), in the ring of R.
template <class R>
std::vector<R> fixed_values(std::size_t n, double lo, double hi, int f, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> dist(lo, hi);
  std::vector<R> v(n);
  for (auto& x : v) x = encode_fixed<R>(dist(rng), f);
  return v;
}
double thread_cpu_seconds();
// Max of a per-party counter, known to party 0 afterwards.
std::uint64_t max_over_parties(net::Network& net, std::uint64_t mine);

struct Measured {
  double seconds;
  double cpu_seconds;
  std::uint64_t rounds;
  std::uint64_t bytes;
};

// Every party waits for the others: one tiny exchange.
template <class P>
void barrier(P& p) {
  p.reveal(p.zeros(1));
}

template <class P>
Measured measure(P& p, const std::function<void()>& body) {
  barrier(p);
  const auto before = p.stats();
  const auto start = std::chrono::steady_clock::now();
  const double cpu_start = thread_cpu_seconds();
  body();
  const double cpu = thread_cpu_seconds() - cpu_start;
  const auto bytes = p.stats().bytes_sent - before.bytes_sent;
  barrier(p);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  // The closing barrier adds exactly one counted round.
  return {seconds, cpu, p.stats().rounds - before.rounds - 1, bytes};
}

}  // namespace detail

// Runs every selected case on `p` (this party's object; `network` is its
// mesh, for the per-party maxima); returns the results on party 0 and an
// empty vector on the other parties.
template <mpc::Protocol P>
std::vector<ProtocolCaseResult> run_protocol_cases(P& p, net::Network& network, backend::Backend& backend,
                                                   const ProtocolCaseOptions& options) {
  const int f = p.fixed().f;
  // Case names start with the model's name ("rep3/mul").
  const std::string model(P::kName);
  auto named = [&](const char* c) { return model + "/" + c; };
  std::vector<ProtocolCaseResult> results;
  const std::size_t scale = options.quick ? 100 : 1;

  using R = typename P::Ring;
  auto input = [&](const std::vector<R>& v) {
    return p.input(0, p.party() == 0 ? std::span<const R>(v) : std::span<const R>(), v.size());
  };
  auto selected = [&](const std::string& name) { return selected_by(options.only, name); };
  // A block's inputs are only made when one of its cases is selected.
  auto run_case = [&](const std::string& name, std::size_t elements, const std::function<void()>& body) {
    if (!selected(name)) return;
    std::vector<detail::Measured> runs;
    for (int r = 0; r < std::max(1, options.repeats); ++r) runs.push_back(detail::measure(p, body));
    std::sort(runs.begin(), runs.end(),
              [](const detail::Measured& a, const detail::Measured& b) { return a.seconds < b.seconds; });
    const detail::Measured& median = runs[runs.size() / 2];
    const auto cpu_ns =
        detail::max_over_parties(network, static_cast<std::uint64_t>(median.cpu_seconds * 1e9));
    ProtocolCaseResult result{name,
                              elements,
                              median.seconds,
                              static_cast<double>(cpu_ns) * 1e-9,
                              detail::max_over_parties(network, median.rounds),
                              detail::max_over_parties(network, median.bytes),
                              false};
    if (p.party() == 0) {
      if (options.progress) options.progress(result);
      results.push_back(result);
    }
  };

  if (selected(named("mul")) || selected(named("mul/local_product")) || selected(named("mul_trunc")) ||
      selected(named("trunc"))) {
    const std::size_t n = 10000000 / scale;
    const auto x = input(detail::fixed_values<R>(n, -100, 100, f, 1)),
               y = input(detail::fixed_values<R>(n, -100, 100, f, 2));
    // Baseline: the local share product alone (what every party computes),
    // for the two-component replicated sharings whose product it is.
    if constexpr (P::Share::kComponents == 2) {
      if (selected(named("mul/local_product"))) {
        const std::vector<R> mask(n, 0);
        std::vector<R> z(n);
        std::vector<double> times;
        for (int r = 0; r < std::max(1, options.repeats); ++r) {
          const auto start = std::chrono::steady_clock::now();
          backend.cross_mul_add(x.part[0], x.part[1], y.part[0], y.part[1], mask, z);
          times.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
        }
        std::sort(times.begin(), times.end());
        const double t = times[times.size() / 2];
        const ProtocolCaseResult baseline{named("mul/local_product"), n, t, t, 0, 0, true};
        if (p.party() == 0) {
          if (options.progress) options.progress(baseline);
          results.push_back(baseline);
        }
      }
    }
    run_case(named("mul"), n, [&] { p.mul(x, y); });
    run_case(named("mul_trunc"), n, [&] { p.mul_trunc(x, y, f); });
    run_case(named("trunc"), n, [&] { p.trunc(x, f); });
    // Network A's weight gradient of its first layer (784 x 128), truncated every step.
    if (selected(named("trunc/a_dense1_weights"))) {
      const auto w = input(detail::fixed_values<R>(784 * 128, -100, 100, f, 6));
      run_case(named("trunc/a_dense1_weights"), w.size(), [&] { p.trunc(w, f); });
    }
  }
  if (selected(named("fx_exp")) || selected(named("fx_invsqrt")) || selected(named("ltz")) ||
      selected(named("relu"))) {
    const std::size_t n = 1000000 / scale;
    const auto x = input(detail::fixed_values<R>(n, -1000, 1000, f, 3));
    run_case(named("ltz"), n, [&] { p.ltz(x); });
    // A ReLU's forward and backward: the comparison bit as a factor, used twice.
    run_case(named("relu/factor"), n, [&] {
      const auto r = mpc::fx::relu(p, x);
      p.mul_factor(r.mask, x);
    });
    // The same through ltz's b2a and two products (the form before factors).
    run_case(named("relu/b2a_and_mul"), n, [&] {
      const auto mask = p.ltz(p.neg(x));
      p.mul(mask, p.mul(mask, x));
    });
    const auto e = input(detail::fixed_values<R>(n, -10, 5, f, 4));
    run_case(named("fx_exp"), n, [&] { mpc::fx::exp(p, e); });
    const auto s = input(detail::fixed_values<R>(n, 0.01, 1000, f, 5));
    run_case(named("fx_invsqrt"), n, [&] { mpc::fx::invsqrt(p, s); });
  }
  if (selected(named("gather_rows_128x784")) || selected(named("gather_stored_128x784"))) {
    // A training batch's gather: 128 random rows of 784 from a shared table
    // of 60,000 (6,000 with --quick), by gather_rows (rows regenerated from
    // the PRG at two parties) and, for comparison, by copying the rows of a
    // whole stored sharing (what the trainer did before input_rows).
    const std::size_t rows = 60000 / (options.quick ? 10 : 1), row_len = 784;
    const auto values = detail::fixed_values<R>(rows * row_len, 0, 1, f, 9);
    const auto table = p.input_rows(
        0, p.party() == 0 ? mpc::rows_of_table(values, row_len) : mpc::RowSourceOf<R>{}, rows, row_len);
    const auto stored = input(values);
    std::mt19937_64 rng(10);
    std::vector<std::uint32_t> idx(128);
    for (auto& i : idx) i = static_cast<std::uint32_t>(rng() % rows);
    run_case(named("gather_rows_128x784"), idx.size() * row_len, [&] { p.gather_rows(table, idx); });
    run_case(named("gather_stored_128x784"), idx.size() * row_len, [&] {
      mpc::linear_overwrite(stored, idx.size() * row_len,
                            [&](const R* in, R* out) { mpc::copy_rows(in, row_len, idx, out); });
    });
  }
  if (selected(named("fx_softmax_128x10")) || selected(named("fx_softmax_128x10/exp_nonpositive")) ||
      selected(named("fx_softmax_128x10/max_only")) ||
      selected(named("fx_softmax_128x10/reciprocal_in_range")) || selected(named("round_latency_x100"))) {
    // Latency: one call is 100 dependent one-round products of 16 elements,
    // so seconds / 100 is the cost of a round when almost nothing is sent
    // (what bounds network A's softmax and ReLUs).
    constexpr int kChain = 100;
    const auto x = input(detail::fixed_values<R>(16, -2, 2, f, 7));
    run_case(named("round_latency_x100"), 16, [&] {
      auto y = x;
      for (int i = 0; i < kChain; ++i) y = p.mul(y, x);
    });
    // Softmax at a training batch's shape (128 rows of 10 logits).
    const auto b = input(detail::fixed_values<R>(128 * 10, -5, 5, f, 8));
    run_case(named("fx_softmax_128x10"), 128 * 10, [&] { mpc::fx::softmax(p, b, 128, 10); });
    // Its three parts: the row maximum, the exponentiation, the reciprocal of the row sums.
    std::vector<std::uint32_t> all(128 * 10);
    for (std::size_t i = 0; i < all.size(); ++i) all[i] = static_cast<std::uint32_t>(i);
    run_case(named("fx_softmax_128x10/max_only"), 128 * 10, [&] { mpc::fx::max_only(p, b, all, 10); });
    const auto nonpositive = input(detail::fixed_values<R>(128 * 10, -15, 0, f, 11));
    run_case(named("fx_softmax_128x10/exp_nonpositive"), 128 * 10,
             [&] { mpc::fx::exp_nonpositive(p, nonpositive); });
    const auto sums = input(detail::fixed_values<R>(128, 1, 10, f, 12));
    run_case(named("fx_softmax_128x10/reciprocal_in_range"), 128,
             [&] { mpc::fx::reciprocal_in_range(p, sums, 0.9, 10.5); });
  }
  if (selected(named("maxpool2x2_24x24x20"))) {
    // Network C's first max-pool at a training batch (128 images of
    // 24x24x20, NHWC, 2x2 windows of stride 2): the forward maxima with their
    // routing bits and the backward routing of a gradient, as a layer does.
    const std::size_t images = 128 / (options.quick ? 16 : 1), h = 24, w = 24, c = 20;
    std::vector<std::uint32_t> windows;
    windows.reserve(images * h * w * c);
    for (std::size_t b = 0; b < images; ++b)
      for (std::size_t oh = 0; oh < h / 2; ++oh)
        for (std::size_t ow = 0; ow < w / 2; ++ow)
          for (std::size_t ch = 0; ch < c; ++ch)
            for (std::size_t i = 0; i < 2; ++i)
              for (std::size_t j = 0; j < 2; ++j)
                windows.push_back(
                    static_cast<std::uint32_t>(((b * h + 2 * oh + i) * w + 2 * ow + j) * c + ch));
    const auto x = input(detail::fixed_values<R>(images * h * w * c, -4, 4, f, 13));
    const auto g = input(detail::fixed_values<R>(windows.size() / 4, -1, 1, f, 14));
    run_case(named("maxpool2x2_24x24x20"), windows.size() / 4, [&] {
      const auto routed = mpc::fx::max_windows_routed(p, x, windows, 4);
      mpc::fx::route_back(p, routed.routing, g);
    });
  }
  if (selected(named("fx_softmax_rows10"))) {
    const std::size_t rows = 100000 / scale, cols = 10;
    const auto x = input(detail::fixed_values<R>(rows * cols, -5, 5, f, 6));
    run_case(named("fx_softmax_rows10"), rows * cols, [&] { mpc::fx::softmax(p, x, rows, cols); });
  }
  return results;
}

}  // namespace sqt::bench
