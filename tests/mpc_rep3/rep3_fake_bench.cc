// In-process driver of the protocol benchmark cases over the FakeNetwork
// (three threads of one process): numbers for development while the party
// mesh is not available. Prints one JSON line per case.
// Usage: sqt_rep3_fake_bench [--quick] [--repeats N] [--only PART]...
#include <cstdio>
#include <cstring>
#include <string>

#include "bench/protocol/protocol_cases.h"
#include "tests/common/fake_network.h"

int main(int argc, char** argv) {
  sqt::bench::ProtocolCaseOptions options;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--quick") == 0) options.quick = true;
    if (std::strcmp(argv[i], "--repeats") == 0 && i + 1 < argc) options.repeats = std::stoi(argv[++i]);
    if (std::strcmp(argv[i], "--only") == 0 && i + 1 < argc) options.only.push_back(argv[++i]);
  }
  options.progress = [](const sqt::bench::ProtocolCaseResult& r) {
    std::printf(
        "{\"suite\":\"protocol\",\"network\":\"FakeNetwork\",\"name\":\"%s\",\"elements\":%zu,\"seconds\":%."
        "4f,"
        "\"cpu_seconds\":%.4f,\"rounds\":%llu,\"bytes_per_party\":%llu,\"baseline\":%s}\n",
        r.name.c_str(), r.elements, r.seconds, r.cpu_seconds, static_cast<unsigned long long>(r.rounds),
        static_cast<unsigned long long>(r.max_bytes_sent), r.baseline ? "true" : "false");
    std::fflush(stdout);
  };
  sqt::bench::keep_freed_memory_for_reuse();
  sqt::test::run_three([&](sqt::net::Network& network) {
    auto backend = sqt::backend::make_backend("cpu", 1);
    return sqt::bench::run_rep3_protocol_cases(network, *backend, options);
  });
  return 0;
}
