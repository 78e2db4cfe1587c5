// The order in which an epoch visits the training samples, shared by the
// secure and the plain trainer so both see the very same batches.
//
// epoch_order(seed, epoch, n) is a Fisher-Yates shuffle of 0..n-1 driven by a
// splitmix64 stream seeded from (seed, epoch). It is bit-identical to
// sqt::nn::epoch_order(n, seed, epoch) in host/nn/architecture.h (a test
// checks it), so sqt_data users need not link the layer library.
// Batch b of an epoch is order[b * batch, (b + 1) * batch); an epoch has
// n / batch full batches (the remainder is left out this epoch; the next
// shuffle differs).
#pragma once

#include <cstddef>
#include <cstdint>
#include <numeric>
#include <span>
#include <utility>
#include <vector>

namespace sqt::data {

// splitmix64 (Steele, Lea, Flood 2014): a tiny, well-mixed 64-bit stream.
class SplitMix64 {
 public:
  explicit SplitMix64(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  // Uniform in [0, bound): rejection above the largest multiple of bound.
  std::uint64_t below(std::uint64_t bound) {
    const std::uint64_t limit = ~std::uint64_t{0} - (~std::uint64_t{0} % bound);
    std::uint64_t r;
    do r = next();
    while (r >= limit);
    return r % bound;
  }

 private:
  std::uint64_t state_;
};

// Derives an unrelated stream seed from two numbers (seed, epoch).
inline std::uint64_t mix_seed(std::uint64_t a, std::uint64_t b) {
  SplitMix64 r(a ^ (b * 0x9E3779B97F4A7C15ULL + 0x632BE59BD9B4E019ULL));
  r.next();
  return r.next();
}

inline std::vector<std::uint32_t> epoch_order(std::uint64_t seed, std::uint64_t epoch, std::size_t n) {
  std::vector<std::uint32_t> order(n);
  std::iota(order.begin(), order.end(), 0u);
  SplitMix64 rng(mix_seed(seed ^ 0xB47C4E5ULL, epoch));
  for (std::size_t i = n; i > 1; --i) std::swap(order[i - 1], order[rng.below(i)]);
  return order;
}

inline std::size_t batches_per_epoch(std::size_t n, std::size_t batch) { return batch == 0 ? 0 : n / batch; }

inline std::span<const std::uint32_t> batch_indices(const std::vector<std::uint32_t>& order, std::size_t b,
                                                    std::size_t batch) {
  return std::span<const std::uint32_t>(order).subspan(b * batch, batch);
}

}  // namespace sqt::data
