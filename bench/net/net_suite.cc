// Suite "net": the party network between real party processes (3 or more).
// One-stream and all-pairs throughput of large frames, the ring exchange of
// medium frames (the protocols' neighbour pattern) and the small-frame
// round trip, over the TLS mesh and, as the baseline in the same run, over
// a plain-TCP mesh with the same framing and threads.
//
//   sqt bench net --json net.jsonl            (3 local processes, loopback)
//   sqt node --config node.toml bench net --json net.jsonl   (a deployment)
#include <fmt/core.h>
#include <sys/resource.h>

#include <algorithm>
#include <bit>
#include <chrono>
#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bench/core/suites.h"
#include "host/core/error.h"
#include "host/net/mesh.h"
#include "host/net/network.h"

namespace sqt::bench {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// Every party sends one byte to every other and waits for theirs.
void barrier(net::Network& net) {
  const std::byte token[1] = {std::byte{1}};
  std::byte in[1];
  for (int j = 0; j < net.parties(); ++j) {
    if (j != net.party()) net.send_bytes(j, token);
  }
  for (int j = 0; j < net.parties(); ++j) {
    if (j != net.party()) net.recv_bytes(j, in);
  }
}

// CPU seconds (user + system, all threads) this process has used so far.
double process_cpu_seconds() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  auto sec = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + 1e-6 * static_cast<double>(t.tv_usec);
  };
  return sec(u.ru_utime) + sec(u.ru_stime);
}

struct OneStream {
  double seconds = 0;                // per transfer, median over repeats (party 0)
  double sender_cpu_s_per_gb = 0;    // party 0's CPU seconds per 10^9 payload bytes
  double receiver_cpu_s_per_gb = 0;  // party 1's (sent to party 0 after the timing)
};

// Party 0 streams `bytes` to party 1, which acknowledges with one byte;
// seconds per transfer, median over repeats (measured at party 0), and the
// CPU time each side spends per byte (less sensitive to a loaded machine
// than the wall time).
OneStream one_stream(net::Network& net, std::size_t bytes, int transfers, int repeats) {
  std::vector<std::byte> buffer(bytes, std::byte{0x5a});  // filled (and its pages touched) before timing
  std::byte ack[1] = {std::byte{1}};
  std::vector<double> times;
  double cpu = 0;
  for (int r = 0; r < repeats; ++r) {
    barrier(net);
    const auto start = Clock::now();
    const double cpu_start = process_cpu_seconds();
    for (int t = 0; t < transfers; ++t) {
      if (net.party() == 0) {
        net.send_bytes(1, buffer);
        net.recv_bytes(1, ack);
      } else if (net.party() == 1) {
        net.recv_bytes(0, buffer);
        net.send_bytes(0, ack);
      }
    }
    times.push_back(seconds_since(start) / transfers);
    cpu += process_cpu_seconds() - cpu_start;
  }
  const double gb = static_cast<double>(bytes) * transfers * repeats / 1e9;
  OneStream out;
  out.seconds = median(times);
  std::vector<Ring> receiver{Ring{0}};
  if (net.party() == 1) {
    receiver[0] = std::bit_cast<Ring>(cpu / gb);
    net.send(0, receiver);
  } else if (net.party() == 0) {
    net.recv(1, receiver);
    out.sender_cpu_s_per_gb = cpu / gb;
    out.receiver_cpu_s_per_gb = std::bit_cast<double>(receiver[0]);
  }
  return out;
}

// Every party sends `bytes` to every other party, then receives theirs.
double all_pairs_seconds(net::Network& net, std::size_t bytes, int transfers, int repeats) {
  std::vector<std::byte> out(bytes, std::byte{0x33}), in(bytes);
  std::vector<double> times;
  for (int r = 0; r < repeats; ++r) {
    barrier(net);
    const auto start = Clock::now();
    for (int t = 0; t < transfers; ++t) {
      for (int j = 0; j < net.parties(); ++j) {
        if (j != net.party()) net.send_bytes(j, out);
      }
      for (int j = 0; j < net.parties(); ++j) {
        if (j != net.party()) net.recv_bytes(j, in);
      }
    }
    barrier(net);
    times.push_back(seconds_since(start) / transfers);
  }
  return median(times);
}

// The replicated-sharing neighbour pattern of the protocols: every party
// sends `bytes` to the next party and receives as many from the previous
// one. Seconds per exchange (median over repeats of `count` exchanges).
double ring_exchange_seconds(net::Network& net, std::size_t bytes, int count, int repeats) {
  std::vector<std::byte> out(bytes, std::byte{0x77}), in(bytes, std::byte{0});
  std::vector<double> times;
  for (int r = 0; r < repeats; ++r) {
    barrier(net);
    const auto start = Clock::now();
    for (int i = 0; i < count; ++i) {
      net.send_bytes(net.next_party(), out);
      net.recv_bytes(net.prev_party(), in);
    }
    barrier(net);
    times.push_back(seconds_since(start) / count);
  }
  return median(times);
}

// Median round trip of an 8-byte frame between parties 0 and 1.
double round_trip_seconds(net::Network& net, int trips) {
  std::byte msg[8] = {};
  std::vector<double> times;
  barrier(net);
  for (int i = 0; i < trips; ++i) {
    const auto start = Clock::now();
    if (net.party() == 0) {
      net.send_bytes(1, msg);
      net.recv_bytes(1, msg);
    } else if (net.party() == 1) {
      net.recv_bytes(0, msg);
      net.send_bytes(0, msg);
    }
    times.push_back(seconds_since(start));
  }
  barrier(net);
  return median(times);
}

void run_net_suite(SuiteContext& context) {
  if (context.network == nullptr) throw ConfigError("bench net: needs the party mesh (3 or more parties)");
  net::Network& tls = *context.network;
  const std::unique_ptr<net::Network> plain = net::open_plain_baseline_mesh(tls);
  const bool quick = context.options.quick;
  const int repeats = std::max(1, context.options.repeats);
  const std::size_t big = quick ? (std::size_t{4} << 20) : (std::size_t{64} << 20);
  const int transfers = quick ? 2 : 4;
  const int trips = quick ? 200 : 2000;
  const int n = tls.parties();

  struct Transport {
    const char* name;
    net::Network* network;
    bool baseline;
  };
  for (const Transport& t : {Transport{"tls", &tls, false}, Transport{"tcp", plain.get(), true}}) {
    net::Network& net = *t.network;
    const nlohmann::json params = {{"transport", t.name}, {"parties", n}, {"bytes", big}};
    const OneStream one = one_stream(net, big, transfers, repeats);
    context.writer.write({"net", fmt::format("one_stream/{}MiB/{}", big >> 20, t.name), "bytes_per_s",
                          static_cast<double>(big) / one.seconds, t.baseline, params});
    context.writer.write({"net", fmt::format("one_stream/{}MiB/sender_cpu/{}", big >> 20, t.name),
                          "cpu_s_per_GB", one.sender_cpu_s_per_gb, t.baseline, params});
    context.writer.write({"net", fmt::format("one_stream/{}MiB/receiver_cpu/{}", big >> 20, t.name),
                          "cpu_s_per_GB", one.receiver_cpu_s_per_gb, t.baseline, params});
    const double all = all_pairs_seconds(net, big, transfers, repeats);
    // Bytes each party sends per second (it receives as many at once).
    context.writer.write({"net", fmt::format("all_pairs/{}MiB/{}", big >> 20, t.name), "bytes_per_s",
                          static_cast<double>(big) * (n - 1) / all, t.baseline, params});
    // Medium messages: training sends ~100-150 of these per batch.
    for (const std::size_t bytes : {std::size_t{64} << 10, std::size_t{1} << 20, std::size_t{4} << 20}) {
      const int count =
          static_cast<int>(std::clamp<std::size_t>((quick ? 16 << 20 : 128 << 20) / bytes, 8, 500));
      const double sec = ring_exchange_seconds(net, bytes, count, repeats);
      context.writer.write({"net",
                            fmt::format("ring_exchange/{}KiB/{}", bytes >> 10, t.name),
                            "seconds",
                            sec,
                            t.baseline,
                            {{"transport", t.name}, {"parties", n}, {"bytes", bytes}, {"exchanges", count}}});
    }
    const double rtt = round_trip_seconds(net, trips);
    context.writer.write({"net",
                          fmt::format("round_trip/8B/{}", t.name),
                          "seconds",
                          rtt,
                          t.baseline,
                          {{"transport", t.name}, {"parties", n}, {"bytes", 8}, {"trips", trips}}});
  }
  for (const Transport& t : {Transport{"tls", &tls, false}, Transport{"tcp", plain.get(), true}}) {
    const net::TrafficStats s = t.network->stats();
    fmt::print("net: party {} over {}: sent {} bytes in {} messages, received {} bytes, {} rounds\n",
               tls.party(), t.name, s.bytes_sent, s.messages_sent, s.bytes_received, s.rounds);
  }
}

}  // namespace

void register_net_suites(SuiteRegistry& registry) { registry.add({"net", 3, run_net_suite}); }

}  // namespace sqt::bench
