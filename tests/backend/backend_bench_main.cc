// sqt_backend_bench: runs the "backend" benchmark suite (bench/backend) on its
// own, for docs/FPGA.md, until `sqt bench backend` registers it.
//   sqt_backend_bench [--json FILE] [--quick] [--backend fpga-sim|fpga]
#include <exception>
#include <iostream>
#include <string>

#include "bench/backend/backend_suite.h"
#include "bench/core/result_writer.h"

int main(int argc, char** argv) {
  sqt::bench::BenchOptions options;
  std::string json;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--quick") {
      options.quick = true;
    } else if (arg == "--json" && i + 1 < argc) {
      json = argv[++i];
    } else if (arg == "--backend" && i + 1 < argc) {
      options.backend = argv[++i];
    } else {
      std::cerr << "usage: sqt_backend_bench [--json FILE] [--quick] [--backend fpga-sim|fpga]\n";
      return 2;
    }
  }
  try {
    sqt::bench::SuiteRegistry registry;
    sqt::bench::register_backend_suites(registry);
    sqt::bench::ResultWriter writer(json, sqt::bench::detect_machine(),
                                    {{"backend", options.backend}, {"quick", options.quick}});
    sqt::bench::SuiteContext context{options, writer, nullptr, 0};
    registry.find("backend").run(context);
    writer.print_table(std::cout);
  } catch (const std::exception& e) {
    std::cerr << "sqt_backend_bench: error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
