#include "simd/ring_ops.h"

#include <gtest/gtest.h>

#include <functional>

#include "tests/simd/test_util.h"

namespace sqt::simd {
namespace {

using testing::on_every_target;
using testing::random_words;
using testing::test_sizes;
using Vec = std::vector<u64>;

using BinaryKernel = void (*)(std::span<const u64>, std::span<const u64>, std::span<u64>);

void check_binary(BinaryKernel kernel, const std::function<u64(u64, u64)>& reference) {
  std::mt19937_64 rng(42);
  on_every_target([&] {
    for (std::size_t n : test_sizes()) {
      SCOPED_TRACE("n=" + std::to_string(n));
      const Vec a = random_words(n, rng), b = random_words(n, rng);
      Vec out(n, 0xDEAD);
      kernel(a, b, out);
      for (std::size_t i = 0; i < n; ++i) ASSERT_EQ(out[i], reference(a[i], b[i])) << "i=" << i;
      // Output aliasing the first input.
      Vec in_place = a;
      kernel(in_place, b, in_place);
      EXPECT_EQ(in_place, out);
    }
  });
}

TEST(RingOps, Add) {
  check_binary(add, [](u64 x, u64 y) { return x + y; });
}
TEST(RingOps, Sub) {
  check_binary(sub, [](u64 x, u64 y) { return x - y; });
}
TEST(RingOps, Mul) {
  check_binary(mul, [](u64 x, u64 y) { return x * y; });
}

TEST(RingOps, MulAdd) {
  std::mt19937_64 rng(7);
  on_every_target([&] {
    for (std::size_t n : test_sizes()) {
      const Vec a = random_words(n, rng), b = random_words(n, rng), acc0 = random_words(n, rng);
      Vec acc = acc0;
      mul_add(a, b, acc);
      for (std::size_t i = 0; i < n; ++i) ASSERT_EQ(acc[i], acc0[i] + a[i] * b[i]) << "n=" << n << " i=" << i;
    }
  });
}

TEST(RingOps, MulScalarAdd) {
  std::mt19937_64 rng(17);
  on_every_target([&] {
    for (std::size_t n : test_sizes()) {
      const Vec a = random_words(n, rng), acc0 = random_words(n, rng);
      for (const u64 s : {rng(), u64{21}, u64{0} - 17}) {
        Vec acc = acc0;
        mul_scalar_add(a, s, acc);
        for (std::size_t i = 0; i < n; ++i) ASSERT_EQ(acc[i], acc0[i] + a[i] * s) << "n=" << n << " i=" << i;
      }
    }
  });
  Vec a(3), acc(4);
  EXPECT_THROW(mul_scalar_add(a, 3, acc), std::invalid_argument);
}

TEST(RingOps, NegAndMulScalar) {
  std::mt19937_64 rng(8);
  on_every_target([&] {
    for (std::size_t n : test_sizes()) {
      const Vec a = random_words(n, rng);
      const u64 s = rng();
      Vec negated(n), scaled(n);
      neg(a, negated);
      mul_scalar(a, s, scaled);
      for (std::size_t i = 0; i < n; ++i) {
        ASSERT_EQ(negated[i], u64{0} - a[i]);
        ASSERT_EQ(scaled[i], a[i] * s);
      }
    }
  });
}

TEST(RingOps, ShiftsOfEveryWidth) {
  std::mt19937_64 rng(9);
  on_every_target([&] {
    for (std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{13}, std::size_t{257}}) {
      Vec a = random_words(n, rng);
      if (n > 0) a[0] = u64{1} << 63;  // a sign bit that must be extended
      for (int bits = 0; bits < 64; ++bits) {
        Vec left(n), logical(n), arith(n);
        shl(a, bits, left);
        shr_logical(a, bits, logical);
        shr_arith(a, bits, arith);
        for (std::size_t i = 0; i < n; ++i) {
          ASSERT_EQ(left[i], a[i] << bits);
          ASSERT_EQ(logical[i], a[i] >> bits);
          ASSERT_EQ(arith[i], static_cast<u64>(static_cast<std::int64_t>(a[i]) >> bits)) << "bits=" << bits;
        }
      }
    }
  });
}

TEST(RingOps, CrossMulAddMatchesThreeProductsPlusMask) {
  std::mt19937_64 rng(10);
  on_every_target([&] {
    for (std::size_t n : test_sizes()) {
      const Vec x0 = random_words(n, rng), x1 = random_words(n, rng), y0 = random_words(n, rng),
                y1 = random_words(n, rng), mask = random_words(n, rng);
      Vec out(n);
      cross_mul_add(x0, x1, y0, y1, mask, out);
      for (std::size_t i = 0; i < n; ++i) {
        ASSERT_EQ(out[i], x0[i] * y0[i] + x0[i] * y1[i] + x1[i] * y0[i] + mask[i]);
      }
      Vec alias = mask;  // out aliasing the mask
      cross_mul_add(x0, x1, y0, y1, alias, alias);
      EXPECT_EQ(alias, out);
    }
  });
}

TEST(RingOps, SizeMismatchNamesTheSizes) {
  Vec a(3), b(4), out(3);
  try {
    add(a, b, out);
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("a=3"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("b=4"), std::string::npos) << e.what();
  }
  EXPECT_THROW(cross_mul_add(a, a, a, a, b, out), std::invalid_argument);
  EXPECT_THROW(mul_add(a, a, b), std::invalid_argument);
  EXPECT_THROW(neg(a, b), std::invalid_argument);
  EXPECT_THROW(shl(a, 64, out), std::invalid_argument);
  EXPECT_THROW(shr_arith(a, -1, out), std::invalid_argument);
}

}  // namespace
}  // namespace sqt::simd
