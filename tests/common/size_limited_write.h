// Runs a write in a forked child whose files may not grow past `limit`
// bytes (RLIMIT_FSIZE), so the write fails midway as on a full disk. Tests
// of atomic file writes check afterwards that nothing partial was left.
#pragma once

#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <functional>

#include "host/core/error.h"

namespace sqt::test {

// True when `write` threw FileError in the child (the failure was
// reported); false when it succeeded, threw something else or crashed.
inline bool write_fails_under_file_size_limit(rlim_t limit, const std::function<void()>& write) {
  const pid_t pid = ::fork();
  if (pid < 0) return false;
  if (pid == 0) {
    ::signal(SIGXFSZ, SIG_IGN);  // a write past the limit fails with EFBIG instead of killing
    const rlimit lim{limit, limit};
    ::setrlimit(RLIMIT_FSIZE, &lim);
    try {
      write();
    } catch (const FileError&) {
      ::_exit(0);
    } catch (...) {
      ::_exit(4);
    }
    ::_exit(3);
  }
  int status = 0;
  if (::waitpid(pid, &status, 0) != pid) return false;
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

}  // namespace sqt::test
