// A benchmark suite: a name, the number of parties it needs (0 = one
// process) and a run function. Suites are registered explicitly in
// bench/core/all_suites.cc (one register_*_suites call per folder).
#pragma once

#include <algorithm>
#include <functional>
#include <string>
#include <vector>

#include "bench/core/result_writer.h"

namespace sqt::net {
class Network;
}

namespace sqt::bench {

struct BenchOptions {
  bool quick = false;           // a few small sizes only (smoke runs, CI)
  std::string backend = "cpu";  // cpu | fpga | fpga-sim
  int threads = 0;              // 0: the suite's own choice (typically 1 and 2)
  int repeats = 5;              // repetitions; rows report the median
  // Run only the cases (protocol) or networks (train, e.g. "net_C") whose
  // name contains one of these; empty: all.
  std::vector<std::string> only;
  // The model and ring of the suites that take one (Suite::per_protocol):
  // a built entry of host/cli/protocol_registry.h.
  std::string protocol = "rep3";
  int ring_bits = 64;
};

// True when `only` is empty or `name` contains one of its parts (--only).
inline bool selected_by(const std::vector<std::string>& only, const std::string& name) {
  return only.empty() || std::any_of(only.begin(), only.end(), [&](const std::string& part) {
           return name.find(part) != std::string::npos;
         });
}

struct SuiteContext {
  const BenchOptions& options;
  ResultWriter& writer;
  net::Network* network;  // this party's mesh; null for single-process suites
  int party = 0;          // this party's id (0 for single-process suites)
};

struct Suite {
  std::string name;
  int parties = 0;  // per_protocol suites run with the model's --parties instead
  std::function<void(SuiteContext&)> run;
  // Runs the model named by BenchOptions::protocol, with its party count.
  bool per_protocol = false;
};

class SuiteRegistry {
 public:
  // Throws sqt::ConfigError when the name is taken.
  void add(Suite suite);
  // Throws sqt::ConfigError naming the unknown suite and the known ones.
  const Suite& find(const std::string& name) const;
  const std::vector<Suite>& suites() const { return suites_; }
  std::vector<std::string> names() const;

 private:
  std::vector<Suite> suites_;
};

}  // namespace sqt::bench
