// GEMM mod 2^64: shape checks, threading, and the Goto-style blocked kernel
// (packed panels, register-blocked microkernel) compiled once per target.
#include "simd/gemm.h"

#include <algorithm>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "simd/internal/gemm_args.h"

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "simd/gemm.cc"
#include "hwy/aligned_allocator.h"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"
#include "simd/internal/mul64-inl.h"

HWY_BEFORE_NAMESPACE();
namespace sqt::simd::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;
using internal::GemmArgs;

// Register block: kMr rows x kNv vectors of C live in registers. AVX-512 has
// 32 vector registers (24 accumulators) and a native 64-bit lane multiply.
// The other targets split each product (kSplitB): the low halves' full
// 32x32->64 product (MulEven) plus both cross products at once in 32-bit
// lanes (a 32-bit Mul against B with its halves swapped), accumulated
// separately and combined once per tile: 2 multiplies per 4 lanes instead of
// the 3 multiplies, 3 shifts and 2 adds of an emulated 64-bit multiply
// (1.3x on Zen 3, docs/PERFORMANCE.md). Two accumulators per output leave
// room for 3 x 2 vectors in 16 registers.
#if HWY_TARGET <= HWY_AVX3
constexpr size_t kMr = 8;
constexpr bool kSplitB = false;
#else
constexpr size_t kMr = 3;
constexpr bool kSplitB = true;
#endif
constexpr size_t kNv = 2;
// Values per p in a packed B panel: nr, plus nr half-swapped copies.
constexpr size_t kBCopies = kSplitB ? 2 : 1;
// Cache blocks: a kKc x NR panel of B stays in L1 while the kMc x kKc block
// of A (in L2) streams past it; the kKc x kNc block of B (1 MiB) sits in
// L2. Chosen by measurement on this machine (docs/PERFORMANCE.md).
constexpr size_t kKc = 256;
constexpr size_t kMc = 96;
constexpr size_t kNc = 512;

// Packs op(A)(i0.., p0..) (mc x kc) into row panels of kMr: panel q holds, for
// each p, the kMr values of rows q*kMr.. (zero padded past mc).
void PackA(const GemmArgs& g, size_t i0, size_t mc, size_t p0, size_t kc, u64* HWY_RESTRICT out) {
  if (g.a_rs == 1) {
    // Transposed A (a weight gradient's X^T): the rows of a panel are
    // adjacent in memory for each p, so sweep p and copy every panel's
    // kMr values from one contiguous run (a row-by-row walk would touch a
    // new cache line for every element).
    const size_t full = mc / kMr * kMr;
    for (size_t p = 0; p < kc; ++p) {
      const u64* src = g.a + (p0 + p) * g.a_cs + i0;
      for (size_t ir = 0; ir < full; ir += kMr) {
        u64* dst = out + ir * kc + p * kMr;
        for (size_t r = 0; r < kMr; ++r) dst[r] = src[ir + r];
      }
      if (full < mc) {
        u64* dst = out + full * kc + p * kMr;
        for (size_t r = 0; r < kMr; ++r) dst[r] = full + r < mc ? src[full + r] : 0;
      }
    }
    return;
  }
  for (size_t ir = 0; ir < mc; ir += kMr) {
    const size_t rows = std::min(kMr, mc - ir);
    u64* panel = out + ir * kc;
    for (size_t r = 0; r < rows; ++r) {
      const u64* src = g.a + (i0 + ir + r) * g.a_rs + p0 * g.a_cs;
      for (size_t p = 0; p < kc; ++p) panel[p * kMr + r] = src[p * g.a_cs];
    }
    for (size_t r = rows; r < kMr; ++r) {
      for (size_t p = 0; p < kc; ++p) panel[p * kMr + r] = 0;
    }
  }
}

// Width of the column panel at jr: nr, or one vector (`lanes`) for a last
// panel that fits in one, which the one-vector microkernel then computes
// (network C's 50- and 20-column products would otherwise pad 11 % and 17 %).
HWY_INLINE size_t PanelWidth(size_t nc, size_t jr, size_t nr, size_t lanes) {
  return nc - jr <= lanes ? lanes : nr;
}

// Packs op(B)(p0.., j0..) (kc x nc) into column panels of PanelWidth values
// per p (followed, with kSplitB, by the same values with their 32-bit halves
// swapped).
void PackB(const GemmArgs& g, size_t p0, size_t kc, size_t j0, size_t nc, size_t nr, size_t lanes,
           u64* HWY_RESTRICT out) {
  for (size_t jr = 0; jr < nc; jr += nr) {
    const size_t width = PanelWidth(nc, jr, nr, lanes);
    const size_t cols = std::min(width, nc - jr);
    u64* panel = out + jr * kc * kBCopies;
    for (size_t p = 0; p < kc; ++p) {
      const u64* src = g.b + (p0 + p) * g.b_rs + (j0 + jr) * g.b_cs;
      u64* dst = panel + p * width * kBCopies;
      if (g.b_cs == 1) {
        for (size_t j = 0; j < cols; ++j) dst[j] = src[j];
      } else {
        for (size_t j = 0; j < cols; ++j) dst[j] = src[j * g.b_cs];
      }
      for (size_t j = cols; j < width; ++j) dst[j] = 0;
      if constexpr (kSplitB) {
        for (size_t j = 0; j < width; ++j) dst[width + j] = (dst[j] >> 32) | (dst[j] << 32);
      }
    }
  }
}

// Adds a partial register tile (spilled to `tile`, nr values per row) to the
// rows x cols corner of C at the matrix edge.
HWY_INLINE void AddPartialTile(const u64* tile, size_t nr, u64* c, size_t ldc, size_t rows, size_t cols,
                               bool overwrite) {
  for (size_t r = 0; r < rows; ++r) {
    for (size_t j = 0; j < cols; ++j) c[r * ldc + j] = (overwrite ? 0 : c[r * ldc + j]) + tile[r * nr + j];
  }
}

// C tile += packed A panel * packed B panel over kc. The accumulators are
// named variables (not an array) so that g++ keeps all of them in registers.
#if HWY_TARGET <= HWY_AVX3
#define SQT_GEMM_ROWS(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7)
#else
#define SQT_GEMM_ROWS(X) X(0) X(1) X(2)
#endif
// kV (1 or 2): vectors per row of the tile; the second one's statements are
// discarded at compile time in the one-vector kernel.
#define SQT_GEMM_STORE_ROW(r)                                   \
  {                                                             \
    u64* row = c + r * ldc;                                     \
    hn::StoreU(c##r##0, d, row);                                \
    if constexpr (kV == 2) hn::StoreU(c##r##1, d, row + lanes); \
  }
#define SQT_GEMM_ADD_ROW(r)                                                                         \
  {                                                                                                 \
    u64* row = c + r * ldc;                                                                         \
    hn::StoreU(hn::Add(hn::LoadU(d, row), c##r##0), d, row);                                        \
    if constexpr (kV == 2) hn::StoreU(hn::Add(hn::LoadU(d, row + lanes), c##r##1), d, row + lanes); \
  }
#define SQT_GEMM_SPILL_ROW(r)           \
  hn::Store(c##r##0, d, tile + r * nr); \
  if constexpr (kV == 2) hn::Store(c##r##1, d, tile + r * nr + lanes);
static_assert(kNv == 2, "the microkernel macros hold at most two vectors per row");

#if HWY_TARGET <= HWY_AVX3
#define SQT_GEMM_DECL(r) auto c##r##0 = hn::Zero(d), c##r##1 = hn::Zero(d);
#define SQT_GEMM_STEP(r)                                                      \
  {                                                                           \
    const auto av = hn::Set(d, kDirectA ? pa[r * lda + p] : pa[p * kMr + r]); \
    c##r##0 = hn::Add(c##r##0, Mul64(av, b0));                                \
    if constexpr (kV == 2) c##r##1 = hn::Add(c##r##1, Mul64(av, b1));         \
  }
#define SQT_GEMM_LOAD_B                     \
  const auto b0 = hn::Load(d, pb + p * nr); \
  const auto b1 = kV == 2 ? hn::Load(d, pb + p * nr + lanes) : b0;
#define SQT_GEMM_FINISH(r)
#else
// l: sum of lo(a) * lo(b) (64-bit); x: in 32-bit lanes, sum of lo(a) * hi(b)
// and of hi(a) * lo(b); C = l + ((x.lo + x.hi) << 32) mod 2^64.
#define SQT_GEMM_DECL(r) \
  auto l##r##0 = hn::Zero(d), l##r##1 = hn::Zero(d), x##r##0 = hn::Zero(d32), x##r##1 = hn::Zero(d32);
#define SQT_GEMM_STEP(r)                                                                        \
  {                                                                                             \
    const auto av = hn::BitCast(d32, hn::Set(d, kDirectA ? pa[r * lda + p] : pa[p * kMr + r])); \
    l##r##0 = hn::Add(l##r##0, hn::MulEven(av, b0));                                            \
    x##r##0 = hn::Add(x##r##0, hn::Mul(av, s0));                                                \
    if constexpr (kV == 2) {                                                                    \
      l##r##1 = hn::Add(l##r##1, hn::MulEven(av, b1));                                          \
      x##r##1 = hn::Add(x##r##1, hn::Mul(av, s1));                                              \
    }                                                                                           \
  }
#define SQT_GEMM_LOAD_B                                                      \
  const u64* pbp = pb + p * 2 * nr;                                          \
  const auto b0 = hn::BitCast(d32, hn::Load(d, pbp));                        \
  const auto s0 = hn::BitCast(d32, hn::Load(d, pbp + nr));                   \
  const auto b1 = kV == 2 ? hn::BitCast(d32, hn::Load(d, pbp + lanes)) : b0; \
  const auto s1 = kV == 2 ? hn::BitCast(d32, hn::Load(d, pbp + nr + lanes)) : s0;
#define SQT_GEMM_COMBINE(l, x) \
  hn::Add(l, hn::ShiftLeft<32>(hn::Add(hn::BitCast(d, x), hn::ShiftRight<32>(hn::BitCast(d, x)))))
#define SQT_GEMM_FINISH(r)                                 \
  const auto c##r##0 = SQT_GEMM_COMBINE(l##r##0, x##r##0); \
  const auto c##r##1 = kV == 2 ? SQT_GEMM_COMBINE(l##r##1, x##r##1) : c##r##0;
#endif

// kDirectA: pa points at row-major A itself (row stride lda) instead of a
// packed panel; only for full kMr-row panels. kV: vectors per tile row (the
// packed B panel holds kV * lanes values per p).
template <bool kDirectA, size_t kV, class D>
HWY_INLINE void MicroKernel(D d, size_t kc, const u64* HWY_RESTRICT pa, size_t lda,
                            const u64* HWY_RESTRICT pb, u64* c, size_t ldc, size_t rows, size_t cols,
                            bool overwrite) {
  [[maybe_unused]] const hn::Repartition<uint32_t, D> d32;
  const size_t lanes = hn::Lanes(d);
  const size_t nr = kV * lanes;
  SQT_GEMM_ROWS(SQT_GEMM_DECL)
  for (size_t p = 0; p < kc; ++p) {
    SQT_GEMM_LOAD_B
    SQT_GEMM_ROWS(SQT_GEMM_STEP)
  }
  SQT_GEMM_ROWS(SQT_GEMM_FINISH)
  if (rows == kMr && cols == nr && overwrite) {
    SQT_GEMM_ROWS(SQT_GEMM_STORE_ROW)
  } else if (rows == kMr && cols == nr) {
    SQT_GEMM_ROWS(SQT_GEMM_ADD_ROW)
  } else {
    HWY_ALIGN u64 tile[kMr * kNv * HWY_MAX_BYTES / sizeof(u64)];
    SQT_GEMM_ROWS(SQT_GEMM_SPILL_ROW)
    AddPartialTile(tile, nr, c, ldc, rows, cols, overwrite);
  }
}

// Both kernels of a column panel of `width` values (nr or one vector).
template <bool kDirectA, class D>
HWY_INLINE void MicroKernelOfWidth(D d, size_t width, size_t kc, const u64* HWY_RESTRICT pa, size_t lda,
                                   const u64* HWY_RESTRICT pb, u64* c, size_t ldc, size_t rows, size_t cols,
                                   bool overwrite) {
  if (width == hn::Lanes(d)) {
    MicroKernel<kDirectA, 1>(d, kc, pa, lda, pb, c, ldc, rows, cols, overwrite);
  } else {
    MicroKernel<kDirectA, kNv>(d, kc, pa, lda, pb, c, ldc, rows, cols, overwrite);
  }
}

#undef SQT_GEMM_ROWS
#undef SQT_GEMM_DECL
#undef SQT_GEMM_STEP
#undef SQT_GEMM_ADD_ROW
#undef SQT_GEMM_STORE_ROW
#undef SQT_GEMM_SPILL_ROW
#undef SQT_GEMM_LOAD_B
#undef SQT_GEMM_FINISH
#undef SQT_GEMM_COMBINE

// C += op(A) op(B) for one sub-problem, on the calling thread.
void GemmBlockedImpl(const GemmArgs& g) {
  const hn::ScalableTag<u64> d;
  const size_t nr = kNv * hn::Lanes(d);
  const size_t kc_max = std::min(kKc, g.k);
  const size_t mc_max = std::min(kMc, (g.m + kMr - 1) / kMr * kMr);
  const size_t nc_max = std::min(kNc, (g.n + nr - 1) / nr * nr);
  const internal::PackBuffer packed_a(mc_max * kc_max);
  const internal::PackBuffer packed_b(kc_max * nc_max * kBCopies);
  const bool direct_a = g.a_cs == 1;
  for (size_t jc = 0; jc < g.n; jc += kNc) {
    const size_t nc = std::min(kNc, g.n - jc);
    for (size_t pc = 0; pc < g.k; pc += kKc) {
      const size_t kc = std::min(kKc, g.k - pc);
      PackB(g, pc, kc, jc, nc, nr, hn::Lanes(d), packed_b.data());
      for (size_t ic = 0; ic < g.m; ic += kMc) {
        const size_t mc = std::min(kMc, g.m - ic);
        // Row-major A is read in place (packing it cost 5 % of a network C
        // batch); only a partial last panel is packed, zero-padded.
        const size_t direct_rows = direct_a ? mc / kMr * kMr : 0;
        if (direct_rows < mc) {
          PackA(g, ic + direct_rows, mc - direct_rows, pc, kc, packed_a.data() + direct_rows * kc);
        }
        for (size_t jr = 0; jr < nc; jr += nr) {
          const u64* pb = packed_b.data() + jr * kc * kBCopies;
          const size_t width = PanelWidth(nc, jr, nr, hn::Lanes(d));
          const size_t cols = std::min(width, nc - jr);
          const bool overwrite = !g.accumulate && pc == 0;
          for (size_t ir = 0; ir < mc; ir += kMr) {
            u64* c = g.c + (ic + ir) * g.ldc + jc + jr;
            if (ir < direct_rows) {
              MicroKernelOfWidth<true>(d, width, kc, g.a + (ic + ir) * g.a_rs + pc, g.a_rs, pb, c, g.ldc, kMr,
                                       cols, overwrite);
            } else {
              MicroKernelOfWidth<false>(d, width, kc, packed_a.data() + ir * kc, 0, pb, c, g.ldc,
                                        std::min(kMr, mc - ir), cols, overwrite);
            }
          }
        }
      }
    }
  }
}

}  // namespace sqt::simd::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace sqt::simd {

HWY_EXPORT(GemmBlockedImpl);

namespace {

std::string shape(std::size_t rows, std::size_t cols) {
  return std::to_string(rows) + "x" + std::to_string(cols);
}

// Throws std::invalid_argument naming the stored shapes when a span does not
// hold exactly its matrix.
void check_shapes(const char* op, Transpose ta, Transpose tb, std::size_t m, std::size_t n, std::size_t k,
                  std::size_t a_size, std::size_t b_size, std::size_t c_size) {
  const std::string a_shape = ta == Transpose::kNo ? shape(m, k) : shape(k, m);
  const std::string b_shape = tb == Transpose::kNo ? shape(k, n) : shape(n, k);
  std::string bad;
  if (a_size != m * k)
    bad += " A is stored " + a_shape + " (" + std::to_string(m * k) + " elements) but has " +
           std::to_string(a_size) + ";";
  if (b_size != k * n)
    bad += " B is stored " + b_shape + " (" + std::to_string(k * n) + " elements) but has " +
           std::to_string(b_size) + ";";
  if (c_size != m * n)
    bad += " C is " + shape(m, n) + " (" + std::to_string(m * n) + " elements) but has " +
           std::to_string(c_size) + ";";
  if (!bad.empty()) {
    throw std::invalid_argument(std::string("sqt::simd::") + op + " (m=" + std::to_string(m) +
                                ", n=" + std::to_string(n) + ", k=" + std::to_string(k) + "):" + bad);
  }
}

internal::GemmArgs make_args(Transpose ta, Transpose tb, std::size_t m, std::size_t n, std::size_t k,
                             const u64* a, const u64* b, u64* c) {
  internal::GemmArgs g{};
  g.a = a;
  g.a_rs = ta == Transpose::kNo ? k : 1;
  g.a_cs = ta == Transpose::kNo ? 1 : m;
  g.b = b;
  g.b_rs = tb == Transpose::kNo ? n : 1;
  g.b_cs = tb == Transpose::kNo ? 1 : k;
  g.c = c;
  g.ldc = n;
  g.m = m;
  g.n = n;
  g.k = k;
  return g;
}

}  // namespace

void gemm(Transpose ta, Transpose tb, std::size_t m, std::size_t n, std::size_t k, std::span<const u64> a,
          std::span<const u64> b, std::span<u64> c, bool accumulate, int threads) {
  check_shapes("gemm", ta, tb, m, n, k, a.size(), b.size(), c.size());
  if (threads < 1)
    throw std::invalid_argument("sqt::simd::gemm: threads=" + std::to_string(threads) + " < 1");
  if (k == 0 && !accumulate) std::fill(c.begin(), c.end(), u64{0});
  if (m == 0 || n == 0 || k == 0) return;
  internal::GemmArgs whole = make_args(ta, tb, m, n, k, a.data(), b.data(), c.data());
  whole.accumulate = accumulate;

  // Split the larger output dimension into chunks that are multiples of 24
  // rows / 48 columns (whole register tiles on every target: 8 or 3 rows,
  // 8 or 16 columns).
  const bool split_rows = m >= n;
  const std::size_t extent = split_rows ? m : n;
  const std::size_t grain = split_rows ? 24 : 48;
  const std::size_t units = (extent + grain - 1) / grain;
  // Starting a thread costs tens of microseconds: give each at least ~2^19
  // multiply-adds (about 20 us of work) or do not split.
  constexpr double kMinMacsPerThread = double(1 << 19);
  const double macs = double(m) * double(n) * double(k);
  const std::size_t by_work = static_cast<std::size_t>(std::max(1.0, macs / kMinMacsPerThread));
  const std::size_t parts = std::min({static_cast<std::size_t>(threads), units, by_work});
  if (parts <= 1) {
    HWY_DYNAMIC_DISPATCH(GemmBlockedImpl)(whole);
    return;
  }
  std::vector<internal::GemmArgs> chunks;
  for (std::size_t t = 0; t < parts; ++t) {
    const std::size_t begin = std::min(extent, (units * t / parts) * grain);
    const std::size_t end = std::min(extent, (units * (t + 1) / parts) * grain);
    if (begin == end) continue;
    internal::GemmArgs g = whole;
    if (split_rows) {
      g.a += begin * whole.a_rs;
      g.c += begin * whole.ldc;
      g.m = end - begin;
    } else {
      g.b += begin * whole.b_cs;
      g.c += begin;
      g.n = end - begin;
    }
    chunks.push_back(g);
  }
  std::vector<std::thread> workers;
  for (std::size_t t = 1; t < chunks.size(); ++t) {
    workers.emplace_back([&chunks, t] { HWY_DYNAMIC_DISPATCH(GemmBlockedImpl)(chunks[t]); });
  }
  HWY_DYNAMIC_DISPATCH(GemmBlockedImpl)(chunks[0]);
  for (auto& w : workers) w.join();
}

void gemm_naive(Transpose ta, Transpose tb, std::size_t m, std::size_t n, std::size_t k,
                std::span<const u64> a, std::span<const u64> b, std::span<u64> c, bool accumulate) {
  check_shapes("gemm_naive", ta, tb, m, n, k, a.size(), b.size(), c.size());
  const internal::GemmArgs g = make_args(ta, tb, m, n, k, a.data(), b.data(), c.data());
  for (std::size_t i = 0; i < m; ++i) {
    for (std::size_t j = 0; j < n; ++j) {
      u64 sum = accumulate ? c[i * n + j] : 0;
      for (std::size_t p = 0; p < k; ++p) sum += g.a[i * g.a_rs + p * g.a_cs] * g.b[p * g.b_rs + j * g.b_cs];
      c[i * n + j] = sum;
    }
  }
}

}  // namespace sqt::simd
#endif  // HWY_ONCE
