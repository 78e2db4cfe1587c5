// Subcommands of `sqt`. Each add_*_command registers one CLI11 subcommand
// (with its own --help) and its callback; main() only wires them together.
#pragma once

#include <CLI/CLI.hpp>

namespace sqt::cli {

void add_train_command(CLI::App& app);      // train_cmd.cc: secure / clear / plain training
void add_node_command(CLI::App& app);       // node_cmd.cc: one party of a deployment
void add_keys_command(CLI::App& app);       // keys_cmd.cc: CA and per-party certificates
void add_bench_command(CLI::App& app);      // bench_cmd.cc: the benchmark suites
void add_plot_command(CLI::App& app);       // plot_cmd.cc: accuracy curves from --metrics files
void add_protocols_command(CLI::App& app);  // protocols_cmd.cc: the security models (registry)
void add_predict_command(CLI::App& app);    // predict_cmd.cc: secure inference, labels to the data owner
void add_evaluate_command(CLI::App& app);   // predict_cmd.cc: secure accuracy of a secret model

// Checks for numeric flags whose failures read "--batch: must be a positive
// number, got 0" (CLI11's PositiveNumber prints its range up to DBL_MAX).
inline const CLI::Validator kPositive(
    [](std::string& v) {
      double x = 0;
      return CLI::detail::lexical_cast(v, x) && x > 0 ? std::string() : "must be a positive number, got " + v;
    },
    "POSITIVE");
inline const CLI::Validator kNonNegative(
    [](std::string& v) {
      double x = 0;
      return CLI::detail::lexical_cast(v, x) && x >= 0 ? std::string() : "must be 0 or more, got " + v;
    },
    "NONNEGATIVE");

// Thrown by a command that has already printed its message (for example the
// help of a job run by `sqt node`); main() exits with `code`.
struct ExitRequest {
  int code = 0;
};

}  // namespace sqt::cli
