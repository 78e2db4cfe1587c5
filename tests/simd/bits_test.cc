#include "simd/bits.h"

#include <gtest/gtest.h>

#include "tests/simd/test_util.h"

namespace sqt::simd {
namespace {

using testing::on_every_target;
using testing::random_words;
using testing::test_sizes;
using Vec = std::vector<u64>;

TEST(Bits, XorAndNot) {
  std::mt19937_64 rng(1);
  on_every_target([&] {
    for (std::size_t n : test_sizes()) {
      const Vec a = random_words(n, rng), b = random_words(n, rng);
      Vec x(n), y(n), z(n);
      xor_words(a, b, x);
      and_words(a, b, y);
      not_words(a, z);
      for (std::size_t i = 0; i < n; ++i) {
        ASSERT_EQ(x[i], a[i] ^ b[i]);
        ASSERT_EQ(y[i], a[i] & b[i]);
        ASSERT_EQ(z[i], ~a[i]);
      }
    }
  });
  Vec a(2), b(3);
  EXPECT_THROW(xor_words(a, a, b), std::invalid_argument);
}

bool bit(const Vec& m, std::size_t base, std::size_t row, std::size_t col) {
  return (m[base + row] >> col) & 1;
}

TEST(Bits, Transpose64MovesBitIJToJI) {
  std::mt19937_64 rng(2);
  on_every_target([&] {
    Vec block = random_words(64, rng);
    const Vec original = block;
    transpose64(std::span<u64, 64>(block.data(), 64));
    for (std::size_t i = 0; i < 64; ++i) {
      for (std::size_t j = 0; j < 64; ++j)
        ASSERT_EQ(bit(block, 0, i, j), bit(original, 0, j, i)) << i << "," << j;
    }
    // A single set bit lands where the comment in bits.h says.
    Vec one(64, 0);
    one[3] = u64{1} << 40;
    transpose64(std::span<u64, 64>(one.data(), 64));
    for (std::size_t i = 0; i < 64; ++i) EXPECT_EQ(one[i], i == 40 ? u64{1} << 3 : 0) << i;
  });
}

TEST(Bits, BatchedTransposeTransposesEveryBlock) {
  std::mt19937_64 rng(3);
  on_every_target([&] {
    for (std::size_t blocks : {0, 1, 3, 17}) {
      Vec m = random_words(64 * blocks, rng);
      const Vec original = m;
      transpose64_batch(m);
      for (std::size_t b = 0; b < blocks; ++b) {
        for (std::size_t i = 0; i < 64; ++i) {
          for (std::size_t j = 0; j < 64; ++j) {
            ASSERT_EQ(bit(m, 64 * b, i, j), bit(original, 64 * b, j, i)) << b;
          }
        }
      }
    }
  });
  Vec bad(65);
  EXPECT_THROW(transpose64_batch(bad), std::invalid_argument);
}

}  // namespace
}  // namespace sqt::simd
