// The protocol benchmark cases over the real TLS mesh without the `sqt`
// runner: three local processes of this executable; party 0 prints one JSON
// line per case. Usage: sqt_rep3_mesh_bench [--quick] [--repeats N] [--only NAME_PART]...
#include <cstdio>
#include <cstring>
#include <exception>
#include <string>
#include <vector>

#include "bench/protocol/protocol_cases.h"
#include "host/net/launcher.h"
#include "host/net/session.h"

namespace {

int run_party(const std::string& config_path, const sqt::bench::ProtocolCaseOptions& options) {
  auto network = sqt::net::connect_mesh(sqt::net::load_node_config(config_path));
  auto backend = sqt::backend::make_backend("cpu", 1);
  sqt::bench::keep_freed_memory_for_reuse();
  sqt::bench::run_rep3_protocol_cases(*network, *backend, options);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    sqt::bench::ProtocolCaseOptions options;
    std::vector<std::string> forward{"party"};
    std::string config;
    for (int i = 1; i < argc; ++i) {
      const std::string arg = argv[i];
      if (arg == "--quick") {
        options.quick = true;
        forward.push_back(arg);
      } else if (arg == "--repeats" && i + 1 < argc) {
        options.repeats = std::stoi(argv[++i]);
        forward.push_back(arg);
        forward.push_back(argv[i]);
      } else if (arg == "--only" && i + 1 < argc) {
        options.only.push_back(argv[++i]);
        forward.push_back(arg);
        forward.push_back(argv[i]);
      } else if (arg == "--config" && i + 1 < argc) {
        config = argv[++i];
      }
    }
    options.progress = [](const sqt::bench::ProtocolCaseResult& r) {
      std::printf(
          "{\"suite\":\"protocol\",\"network\":\"tls-loopback\",\"name\":\"%s\",\"elements\":%zu,\"seconds\":"
          "%.4f,"
          "\"cpu_seconds\":%.4f,\"rounds\":%llu,\"bytes_per_party\":%llu,\"baseline\":%s}\n",
          r.name.c_str(), r.elements, r.seconds, r.cpu_seconds, static_cast<unsigned long long>(r.rounds),
          static_cast<unsigned long long>(r.max_bytes_sent), r.baseline ? "true" : "false");
      std::fflush(stdout);
    };
    if (!config.empty()) return run_party(config, options);
    sqt::net::LaunchOptions launch;
    launch.timeout_ms = 600000;
    return sqt::net::launch_local_parties(3, forward, launch);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}
