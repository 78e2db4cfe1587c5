// Measures what a network profile really delivers between two parties: TCP
// round trip (1-byte ping-pong) and one-stream TCP throughput, on the same
// kernel stacks the parties use. Reported next to every profiled benchmark so
// that a reader sees the achieved link, not only the requested one.
#pragma once

#include <string>

namespace sqt::bench::netns {

struct LinkMeasurement {
  double rtt_ms_median = 0;
  double rtt_ms_min = 0;
  double throughput_bit_per_s = 0;
  double bulk_bytes = 0;
};

struct ProbeEndpoint {
  std::string netns;    // empty: the caller's own namespace
  std::string address;  // e.g. 10.77.0.1 or 127.0.0.1
};

// Server in `to`, client in `from`; `pings` round trips, then `bulk_bytes`
// sent one way and acknowledged. Throws sqt::NetError on any socket failure,
// naming the endpoint; every socket has a 30 s timeout.
LinkMeasurement probe_link(const ProbeEndpoint& from, const ProbeEndpoint& to, int pings, double bulk_bytes);

}  // namespace sqt::bench::netns
