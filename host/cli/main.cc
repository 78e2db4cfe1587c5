// sqt: the appliance's single command (README.md; docs/TRAINING.md, docs/DEPLOY.md,
// docs/BENCHMARKS.md describe the subcommands).
#include <fmt/core.h>
#include <fmt/ranges.h>
#include <malloc.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <exception>
#include <string>
#include <vector>

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
  sqt::cli::add_plot_command(app);
  sqt::cli::add_protocols_command(app);
  sqt::cli::add_predict_command(app);
  sqt::cli::add_evaluate_command(app);
  if (argc > 1 && argv[1][0] != '-') {
    // CLI11 would only say "A subcommand is required".
    std::vector<std::string> names;
    for (const CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; }))
      names.push_back(sub->get_name());
    if (std::find(names.begin(), names.end(), argv[1]) == names.end()) {
      fmt::print(stderr, "sqt: unknown command '{}' (commands: {}; see sqt --help)\n", argv[1],
                 fmt::join(names, ", "));
      return static_cast<int>(CLI::ExitCodes::ExtrasError);
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const sqt::cli::ExitRequest& e) {
    return e.code;
  } catch (const std::exception& e) {
    fmt::print(stderr, "sqt: error: {}\n", e.what());
    return 1;
  }
  return 0;
}
