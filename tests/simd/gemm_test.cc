#include "simd/gemm.h"

#include <gtest/gtest.h>

#include <tuple>

#include "tests/simd/test_util.h"

namespace sqt::simd {
namespace {

using testing::on_every_target;
using testing::random_words;
using Vec = std::vector<u64>;

struct Shape {
  std::size_t m, n, k;
};

// Independent reference: explicit element accessors for the stored layouts.
Vec reference_product(Transpose ta, Transpose tb, const Shape& s, const Vec& a, const Vec& b, const Vec& c0,
                      bool accumulate) {
  auto at_a = [&](std::size_t i, std::size_t p) {
    return ta == Transpose::kNo ? a[i * s.k + p] : a[p * s.m + i];
  };
  auto at_b = [&](std::size_t p, std::size_t j) {
    return tb == Transpose::kNo ? b[p * s.n + j] : b[j * s.k + p];
  };
  Vec c(s.m * s.n);
  for (std::size_t i = 0; i < s.m; ++i) {
    for (std::size_t j = 0; j < s.n; ++j) {
      u64 sum = accumulate ? c0[i * s.n + j] : 0;
      for (std::size_t p = 0; p < s.k; ++p) sum += at_a(i, p) * at_b(p, j);
      c[i * s.n + j] = sum;
    }
  }
  return c;
}

const Transpose kForms[] = {Transpose::kNo, Transpose::kYes};

void check_all_forms(const std::vector<Shape>& shapes, const std::vector<int>& thread_counts,
                     std::mt19937_64& rng) {
  for (const Shape& s : shapes) {
    for (Transpose ta : kForms) {
      for (Transpose tb : kForms) {
        const Vec a = random_words(s.m * s.k, rng), b = random_words(s.k * s.n, rng);
        const Vec c0 = random_words(s.m * s.n, rng);
        for (bool accumulate : {false, true}) {
          const Vec expected = reference_product(ta, tb, s, a, b, c0, accumulate);
          for (int threads : thread_counts) {
            SCOPED_TRACE(::testing::Message()
                         << "m=" << s.m << " n=" << s.n << " k=" << s.k << " ta=" << int(ta)
                         << " tb=" << int(tb) << " acc=" << accumulate << " threads=" << threads);
            Vec c = c0;
            gemm(ta, tb, s.m, s.n, s.k, a, b, c, accumulate, threads);
            ASSERT_EQ(c, expected);
          }
        }
      }
    }
  }
}

TEST(Gemm, EdgeShapesOnEveryTarget) {
  std::mt19937_64 rng(11);
  const std::vector<Shape> shapes = {{0, 0, 0},  {0, 5, 3},    {5, 0, 3},   {5, 3, 0}, {1, 1, 1},
                                     {1, 9, 1},  {9, 1, 1},    {1, 1, 9},   {3, 5, 7}, {7, 13, 5},
                                     {8, 24, 2}, {17, 25, 33}, {33, 47, 65}};
  on_every_target([&] { check_all_forms(shapes, {1, 2}, rng); });
}

TEST(Gemm, ShapesCrossingCacheBlocksOnEveryTarget) {
  std::mt19937_64 rng(12);
  // m > 96 (row block), k > 256 (depth block), n > 1536 (column block).
  const std::vector<Shape> shapes = {{101, 29, 300}, {9, 1601, 5}, {130, 70, 520}};
  on_every_target([&] { check_all_forms(shapes, {1, 3}, rng); });
}

TEST(Gemm, MoreThreadsThanRowsOrColumns) {
  std::mt19937_64 rng(13);
  // Small products stay on one thread; these are large enough to be split
  // (at least 2^19 multiply-adds per thread) into fewer parts than threads.
  check_all_forms({{3, 2, 17}, {1, 1, 1}, {20, 3, 30000}, {3, 700, 600}}, {2, 8, 64}, rng);
}

TEST(Gemm, NaiveMatchesReference) {
  std::mt19937_64 rng(14);
  for (const Shape& s : {Shape{0, 3, 2}, Shape{4, 5, 6}, Shape{13, 1, 9}}) {
    for (Transpose ta : kForms) {
      for (Transpose tb : kForms) {
        const Vec a = random_words(s.m * s.k, rng), b = random_words(s.k * s.n, rng);
        const Vec c0 = random_words(s.m * s.n, rng);
        for (bool accumulate : {false, true}) {
          Vec c = c0;
          gemm_naive(ta, tb, s.m, s.n, s.k, a, b, c, accumulate);
          EXPECT_EQ(c, reference_product(ta, tb, s, a, b, c0, accumulate));
        }
      }
    }
  }
}

TEST(Gemm, ShapeMismatchNamesTheShapes) {
  Vec a(6), b(12), c(8);
  // op(A) 2x3 stored transposed (3x2), B 3x4, C should be 2x4 = 8: fine.
  EXPECT_NO_THROW(gemm(Transpose::kYes, Transpose::kNo, 2, 4, 3, a, b, c, false));
  Vec bad_b(11);
  try {
    gemm(Transpose::kYes, Transpose::kYes, 2, 4, 3, a, bad_b, c, false);
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("B is stored 4x3"), std::string::npos) << msg;
    EXPECT_NE(msg.find("11"), std::string::npos) << msg;
  }
  Vec bad_c(9);
  try {
    gemm_naive(Transpose::kNo, Transpose::kNo, 2, 4, 3, a, b, bad_c, false);
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("C is 2x4"), std::string::npos) << e.what();
  }
  EXPECT_THROW(gemm(Transpose::kNo, Transpose::kNo, 2, 4, 3, a, b, c, false, 0), std::invalid_argument);
}

}  // namespace
}  // namespace sqt::simd
