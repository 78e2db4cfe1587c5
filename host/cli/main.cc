// sqt: the appliance's single command. See docs/CLI.md.
#include <fmt/core.h>
#include <malloc.h>

#include <CLI/CLI.hpp>
#include <exception>

#include "host/cli/commands.h"
#include "host/core/error.h"

int main(int argc, char** argv) {
  // Protocols allocate and free share vectors of tens of MB per layer; glibc
  // would hand each back to the kernel and page-fault it in again on the next
  // call (measured: 15x slower on 10^5-element products). Keep them in the heap.
  mallopt(M_MMAP_MAX, 0);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  CLI::App app{"sqt: secure quantized training of neural networks in multi-party computation"};
  app.require_subcommand(1);
  // A flag given twice takes its last value, so wrapper scripts can set
  // defaults that the operator's own flags override.
  app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  sqt::cli::add_train_command(app);
  sqt::cli::add_node_command(app);
  sqt::cli::add_keys_command(app);
  sqt::cli::add_bench_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const std::exception& e) {
    fmt::print(stderr, "sqt: error: {}\n", e.what());
    return 1;
  }
  return 0;
}
