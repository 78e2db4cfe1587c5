// rep3 over the real TLS mesh: three processes of this executable started by
// launch_local_parties (host/net/launcher.h). Each party computes products,
// truncations and comparisons on shares of deterministic test data and
// checks the opened results against scalar arithmetic (every party can
// regenerate the plaintext here because it is test data).
//
// Usage: sqt_rep3_mesh_test            (launches the three parties)
//        sqt_rep3_mesh_test party --config party-<i>.toml   (one party)
#include <cstdio>
#include <exception>
#include <random>
#include <string>
#include <vector>

#include "host/backend/backend.h"
#include "host/mpc/rep3/rep3.h"
#include "host/net/launcher.h"
#include "host/net/session.h"

namespace {

using sqt::Ring;

int failures = 0;

void expect(bool ok, const std::string& what) {
  if (!ok) {
    ++failures;
    std::fprintf(stderr, "FAILED: %s\n", what.c_str());
  }
}

std::vector<Ring> test_values(std::size_t n, std::int64_t bound, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<std::int64_t> dist(-bound, bound);
  std::vector<Ring> v(n);
  for (auto& x : v) x = static_cast<Ring>(dist(rng));
  return v;
}

int run_party(const std::string& config_path) {
  const auto config = sqt::net::load_node_config(config_path);
  auto network = sqt::net::connect_mesh(config);
  auto backend = sqt::backend::make_backend("cpu", 1);
  sqt::mpc::Rep3 p(*network, *backend, sqt::FixedParams{}, sqt::mpc::TruncMode::kProbabilistic, 0);
  const int f = 16;
  const std::size_t n = 20000;
  const auto a = test_values(n, std::int64_t{1} << 22, 1), b = test_values(n, std::int64_t{1} << 22, 2);
  auto x = p.input(0, p.party() == 0 ? std::span<const Ring>(a) : std::span<const Ring>(), n);
  auto y = p.input(1, p.party() == 1 ? std::span<const Ring>(b) : std::span<const Ring>(), n);

  const auto before = p.stats();
  auto z = p.mul(x, y);
  const auto mul_bytes = p.stats().bytes_sent - before.bytes_sent;
  expect(mul_bytes == 8 * n, "mul sends 8 bytes per element, got " + std::to_string(mul_bytes));
  const auto product = p.reveal(z);
  const auto fused = p.reveal(p.mul_trunc(x, y, f));
  const auto sign = p.reveal(p.ltz(x));
  for (std::size_t e = 0; e < n; ++e) {
    const Ring exact = a[e] * b[e];
    expect(product[e] == exact, "mul element " + std::to_string(e));
    const std::int64_t d = static_cast<std::int64_t>(fused[e]) - (static_cast<std::int64_t>(exact) >> f);
    expect(d == 0 || d == 1, "mul_trunc element " + std::to_string(e));
    expect(sign[e] == (static_cast<std::int64_t>(a[e]) < 0 ? 1u : 0u), "ltz element " + std::to_string(e));
    if (failures > 10) break;
  }
  std::printf("party %d: %s (%llu bytes sent, %llu rounds)\n", p.party(), failures == 0 ? "ok" : "FAILED",
              static_cast<unsigned long long>(p.stats().bytes_sent),
              static_cast<unsigned long long>(p.stats().rounds));
  return failures == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    if (argc == 4 && std::string(argv[1]) == "party" && std::string(argv[2]) == "--config")
      return run_party(argv[3]);
    sqt::net::LaunchOptions options;
    options.timeout_ms = 60000;
    return sqt::net::launch_local_parties(3, {"party"}, options);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}
