// Registers `report` under `sqt bench` (called from host/cli/bench_cmd.cc).
#pragma once

#include <CLI/CLI.hpp>

namespace sqt::bench::report {

// Adds the subcommand `report FILE... --out DIR` to `bench` and returns it, so
// the caller can tell whether it ran (`->parsed()`).
CLI::App* add_report_subcommand(CLI::App& bench);

}  // namespace sqt::bench::report
