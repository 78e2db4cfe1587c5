// `sqt protocols`: the operator's answer to "which security models can I
// run": the registry (protocol_registry.h) as a table.
#include <fmt/core.h>

#include "host/cli/commands.h"
#include "host/cli/protocol_registry.h"

namespace sqt::cli {

void add_protocols_command(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand(
      "protocols", "list the security models: parties, security, majority, ring, built or planned");
  cmd->callback([] { fmt::print("{}", protocol_table()); });
}

}  // namespace sqt::cli
