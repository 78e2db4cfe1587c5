// sqt: the appliance's single command. See docs/CLI.md.
#include <exception>

#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include "host/cli/commands.h"
#include "host/core/error.h"

int main(int argc, char** argv) {
  CLI::App app{"sqt: secure quantized training of neural networks in multi-party computation"};
  app.require_subcommand(1);
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
