#include "bench/simd/gemm_cases.h"

#include <memory>
#include <random>

namespace sqt::bench::simd_suite {
namespace {

using simd::Transpose;
using simd::u64;

struct GemmBuffers {
  std::vector<u64> a, b, c;
};

std::shared_ptr<GemmBuffers> random_buffers(const GemmShape& s) {
  auto buf = std::make_shared<GemmBuffers>();
  std::mt19937_64 rng(s.m * 31 + s.n * 7 + s.k);
  buf->a.resize(s.m * s.k);
  buf->b.resize(s.k * s.n);
  buf->c.resize(s.m * s.n);
  for (auto& x : buf->a) x = rng();
  for (auto& x : buf->b) x = rng();
  return buf;
}

const char* form(Transpose ta, Transpose tb) {
  if (ta == Transpose::kNo) return tb == Transpose::kNo ? "nn" : "nt";
  return tb == Transpose::kNo ? "tn" : "tt";
}

}  // namespace

std::vector<GemmShape> gemm_shapes(bool quick) {
  const Transpose N = Transpose::kNo, T = Transpose::kYes;
  if (quick) {
    return {{"square64", N, N, 64, 64, 64},
            {"square128", N, N, 128, 128, 128},
            {"c_dense2_fwd", N, N, 128, 10, 500}};
  }
  return {
      {"square128", N, N, 128, 128, 128},
      {"square512", N, N, 512, 512, 512},
      {"square1024", N, N, 1024, 1024, 1024},
      // Network A's dense 784-128 (the input layer): forward X W and the
      // weight gradient X^T dY.
      {"a_dense1_fwd", N, N, 128, 128, 784},
      {"a_dense1_bwd_weight", T, N, 784, 128, 128},
      // Dense 800-500: forward X W, input gradient dY W^T, weight gradient X^T dY.
      {"c_dense1_fwd", N, N, 128, 500, 800},
      {"c_dense1_bwd_input", N, T, 128, 800, 500},
      {"c_dense1_bwd_weight", T, N, 800, 500, 128},
      // Dense 500-10.
      {"c_dense2_fwd", N, N, 128, 10, 500},
      {"c_dense2_bwd_input", N, T, 128, 500, 10},
      {"c_dense2_bwd_weight", T, N, 500, 10, 128},
      // conv1 5x5x1->20 on 28x28 as im2col: (128*24*24) x 25 times 25 x 20.
      {"c_conv1_fwd", N, N, 128 * 24 * 24, 20, 25},
      {"c_conv1_bwd_cols", N, T, 128 * 24 * 24, 25, 20},
      {"c_conv1_bwd_weight", T, N, 25, 20, 128 * 24 * 24},
      // conv2 5x5x20->50 on 12x12: (128*8*8) x 500 times 500 x 50.
      {"c_conv2_fwd", N, N, 128 * 8 * 8, 50, 500},
      {"c_conv2_bwd_cols", N, T, 128 * 8 * 8, 500, 50},
      {"c_conv2_bwd_weight", T, N, 500, 50, 128 * 8 * 8},
      // The same conv by Winograd (host/nn/winograd.h): one product per
      // transform point (49 of them), 16 tiles of 2x2 outputs per image.
      {"c_conv2_wino_fwd", N, N, 128 * 16, 50, 20},
      {"c_conv2_wino_bwd_input", N, T, 128 * 16, 20, 50},
      {"c_conv2_wino_bwd_weight", T, N, 20, 50, 128 * 16},
  };
}

void add_gemm_cases(const GemmShape& s, const std::vector<int>& thread_counts,
                    std::vector<TimedCase>& cases) {
  const auto buf = random_buffers(s);
  const std::string prefix = "gemm/" + s.label + "/" + form(s.ta, s.tb);
  const double macs = static_cast<double>(s.m) * static_cast<double>(s.n) * static_cast<double>(s.k);
  nlohmann::json params = {{"m", s.m}, {"n", s.n}, {"k", s.k}, {"form", form(s.ta, s.tb)}};
  for (int threads : thread_counts) {
    TimedCase c;
    c.name = prefix + "/threads" + std::to_string(threads);
    c.metric = "mac_per_s";
    c.work_per_iteration = macs;
    c.params = params;
    c.params["threads"] = threads;
    c.body = [buf, s, threads] {
      simd::gemm(s.ta, s.tb, s.m, s.n, s.k, buf->a, buf->b, buf->c, false, threads);
    };
    cases.push_back(std::move(c));
  }
  // About 2^26 multiply-adds (~0.1 s) per naive iteration.
  std::size_t rows = s.m;
  constexpr double kNaiveBudget = double(1 << 26);
  if (s.ta == Transpose::kNo && macs > kNaiveBudget) {
    rows = std::max<std::size_t>(1, static_cast<std::size_t>(kNaiveBudget / (double(s.n) * double(s.k))));
    rows = std::min(rows, s.m);
  }
  TimedCase naive;
  naive.name = prefix + "/naive";
  naive.metric = "mac_per_s";
  naive.work_per_iteration = static_cast<double>(rows) * double(s.n) * double(s.k);
  naive.baseline = true;
  naive.params = params;
  naive.params["threads"] = 1;
  naive.params["naive_rows"] = rows;
  if (rows < s.m) {
    naive.params["note"] = "naive loop timed on the first " + std::to_string(rows) + " of " +
                           std::to_string(s.m) + " rows of C; rate per multiply-add";
  }
  naive.body = [buf, s, rows] {
    const std::span<const u64> a(buf->a);
    simd::gemm_naive(s.ta, s.tb, rows, s.n, s.k, rows < s.m ? a.subspan(0, rows * s.k) : a, buf->b,
                     std::span<u64>(buf->c).subspan(0, rows * s.n), false);
  };
  cases.push_back(std::move(naive));
}

}  // namespace sqt::bench::simd_suite
