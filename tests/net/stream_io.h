// Blocking helpers for tests that drive a Stream by hand (the stream,
// record-layer and differential tests): write a whole buffer, and give up
// with an error, never a hang, when a broken peer stops making progress.
#pragma once

#include <chrono>
#include <cstddef>
#include <vector>

#include "host/core/error.h"
#include "host/net/stream.h"

namespace sqt::net::testing {

using Clock = std::chrono::steady_clock;

// No progress for this long ends the test with an error (never an assertion
// on timing).
inline constexpr auto kStallLimit = std::chrono::seconds(60);

inline void check_progress(bool progress, Clock::time_point& last) {
  const auto now = Clock::now();
  if (progress) last = now;
  if (now - last > kStallLimit) throw NetError("test stream made no progress for 60 s");
}

// Writes all of `data`, then flushes.
inline void write_all(Stream& s, const std::vector<std::byte>& data) {
  auto last = Clock::now();
  for (std::size_t done = 0; done < data.size();) {
    const std::size_t n = s.write_some(data.data() + done, data.size() - done);
    done += n;
    check_progress(n > 0, last);
  }
  while (!s.flush()) check_progress(false, last);
}

}  // namespace sqt::net::testing
