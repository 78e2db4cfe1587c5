// The progress line of a long loop (training batches, inference batches).
// On a terminal it is rewritten in place ("\r") at every update; elsewhere
// (a log file, a pipe such as the local launcher's relay, systemd, CI) a
// carriage-return update per batch would pile up into one line of hundreds
// of updates, so a plain line is written at most once per interval, and
// always for the last update.
#pragma once

#include <fmt/core.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string_view>

namespace sqt::nn {

class ProgressDisplay {
 public:
  using Clock = std::chrono::steady_clock;

  // `terminal`: whether `out` is one (is_terminal); `interval_s`: the least
  // time between two plain lines, the first one counted from `start`.
  ProgressDisplay(std::FILE* out, bool terminal, double interval_s = 5.0,
                  Clock::time_point start = Clock::now())
      : out_(out), terminal_(terminal), interval_(interval_s), last_(start) {}

  static bool is_terminal(std::FILE* f) { return ::isatty(::fileno(f)) == 1; }

  // `last`: the loop's final update (ends the terminal's line; always shown).
  void update(std::string_view text, bool last, Clock::time_point now = Clock::now()) {
    if (terminal_) {
      fmt::print(out_, "\r{}   ", text);
      if (last) fmt::print(out_, "\n");
    } else {
      if (!last && std::chrono::duration<double>(now - last_).count() < interval_) return;
      fmt::print(out_, "{}\n", text);
      last_ = now;
    }
    std::fflush(out_);
  }

 private:
  std::FILE* out_;
  bool terminal_;
  double interval_;
  Clock::time_point last_;  // the last plain line (or the display's start)
};

}  // namespace sqt::nn
