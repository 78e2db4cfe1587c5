#include "bench/protocol/protocol_cases.h"

#include <malloc.h>

#include <ctime>

#include "host/mpc/rep3/rep3.h"

namespace sqt::bench {

void keep_freed_memory_for_reuse() {
  // The mmap threshold cannot exceed 32 MB, so large blocks would still be
  // mapped: switch mmap off and never trim.
  mallopt(M_MMAP_MAX, 0);
  mallopt(M_TRIM_THRESHOLD, -1);
}

std::vector<ProtocolCaseResult> run_rep3_protocol_cases(net::Network& network, backend::Backend& backend,
                                                        const ProtocolCaseOptions& options) {
  mpc::Rep3 p(network, backend, FixedParams{}, mpc::TruncMode::kProbabilistic, 0);
  return run_protocol_cases(p, network, backend, options);
}

namespace detail {

double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

std::uint64_t max_over_parties(net::Network& net, std::uint64_t mine) {
  std::vector<Ring> v{mine};
  if (net.party() != 0) {
    net.send(0, v);
    return mine;
  }
  for (int peer = 1; peer < net.parties(); ++peer) {
    net.recv(peer, v);
    mine = std::max(mine, v[0]);
  }
  return mine;
}

}  // namespace detail
}  // namespace sqt::bench
