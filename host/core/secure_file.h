// Writing files that hold secrets or models (checkpoints, exported models,
// private keys) so that a crash, a full disk or a planted symlink can neither
// leave a partial file nor redirect the write:
//   - the bytes go to a fresh temporary file next to the destination, created
//     with O_CREAT | O_EXCL | O_NOFOLLOW (never an existing file or a link) and
//     mode 0600 from the start, so no other user can open it meanwhile;
//   - the mode is then set exactly (fchmod, not subject to the umask), the
//     data fsync'd, and the file renamed over the destination (rename never
//     follows a symlink at the destination), then the folder fsync'd;
//   - a destination that is a symlink or not a regular file is refused;
//   - on any failure the temporary file is removed and the destination is
//     left as it was.
// Header-only, like the rest of host/core.
#pragma once

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>

#include "host/core/error.h"

namespace sqt {

namespace secure_file_detail {

[[noreturn]] inline void fail(const std::string& path, const std::string& what, int err) {
  throw FileError("cannot write " + path + ": " + what +
                  (err != 0 ? std::string(": ") + std::strerror(err) : ""));
}

// Refuses a destination that is a symlink (the write would be redirected if
// anything followed it) or that exists and is not a regular file.
inline void check_destination(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return;
    fail(path, "cannot inspect the destination", errno);
  }
  if (S_ISLNK(st.st_mode)) fail(path, "the destination is a symbolic link; refusing to follow it", 0);
  if (!S_ISREG(st.st_mode)) fail(path, "the destination exists and is not a regular file", 0);
}

// A fresh temporary file next to `path`: "<path>.tmp-<16 hex digits>".
inline int create_temp(const std::string& path, std::string& tmp) {
  for (int attempt = 0; attempt < 16; ++attempt) {
    // The name need not be secret (O_EXCL makes the open safe), only unlikely
    // to be taken: getrandom, or the pid and attempt if that fails.
    std::uint64_t r = 0;
    if (::getrandom(&r, sizeof r, GRND_NONBLOCK) != static_cast<ssize_t>(sizeof r))
      r = (static_cast<std::uint64_t>(::getpid()) << 8) + static_cast<std::uint64_t>(attempt);
    char suffix[24];
    std::snprintf(suffix, sizeof suffix, ".tmp-%016llx", static_cast<unsigned long long>(r));
    tmp = path + suffix;
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd >= 0) return fd;
    if (errno != EEXIST) fail(path, "cannot create the temporary file " + tmp, errno);
  }
  fail(path, "no free temporary file name next to it", EEXIST);
}

inline void fsync_parent(const std::string& path) {
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  const std::string dir = parent.empty() ? "." : parent.string();
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) fail(path, "cannot open its folder " + dir + " to sync it", errno);
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0 && err != EINVAL) fail(path, "cannot sync its folder " + dir, err);
}

}  // namespace secure_file_detail

// Writes the concatenation of `pieces` to `path` atomically with exactly
// `mode` (0600 for secrets and models). Throws FileError naming `path` and
// what failed; the destination then keeps its previous content (or stays
// absent) and no temporary file is left behind.
inline void write_file_atomically(const std::string& path, std::span<const std::string_view> pieces,
                                  mode_t mode = 0600) {
  namespace d = secure_file_detail;
  d::check_destination(path);
  std::string tmp;
  const int fd = d::create_temp(path, tmp);
  auto abandon = [&](const std::string& what, int err) {
    if (fd >= 0) ::close(fd);
    ::unlink(tmp.c_str());
    d::fail(path, what, err);
  };
  if (::fchmod(fd, mode) != 0) {
    char octal[16];
    std::snprintf(octal, sizeof octal, "%04o", static_cast<unsigned>(mode));
    abandon(std::string("cannot set mode ") + octal + " on " + tmp, errno);
  }
  for (std::string_view piece : pieces) {
    while (!piece.empty()) {
      const ssize_t n = ::write(fd, piece.data(), piece.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        abandon("cannot write the temporary file " + tmp, errno);
      }
      piece.remove_prefix(static_cast<std::size_t>(n));
    }
  }
  if (::fsync(fd) != 0) abandon("cannot sync the temporary file " + tmp, errno);
  if (::close(fd) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    d::fail(path, "cannot close the temporary file " + tmp, err);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    d::fail(path, "cannot rename " + tmp + " over it", err);
  }
  d::fsync_parent(path);
}

inline void write_file_atomically(const std::string& path, std::string_view bytes, mode_t mode = 0600) {
  const std::string_view pieces[] = {bytes};
  write_file_atomically(path, pieces, mode);
}

}  // namespace sqt
