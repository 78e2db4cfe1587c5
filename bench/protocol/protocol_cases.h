// The protocol benchmark cases, independent of the runner: each party of a
// three-party session calls run_rep3_protocol_cases with its own network
// (the TLS mesh under `sqt bench protocol`, or the FakeNetwork of the
// in-process driver) and party 0 gets the results.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "host/backend/backend.h"
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

// Runs every case; returns the results on party 0 and an empty vector on
// the other parties.
std::vector<ProtocolCaseResult> run_rep3_protocol_cases(net::Network& network, backend::Backend& backend,
                                                        const ProtocolCaseOptions& options);

}  // namespace sqt::bench
