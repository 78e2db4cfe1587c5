// Runs iproute2 commands (ip, tc) as child processes with checked exit codes.
// posix_spawnp instead of system(): no shell, so names are never re-parsed.
#pragma once

#include <string>
#include <vector>

namespace sqt::bench::netns {

struct CommandResult {
  int exit_code = -1;  // -1 when the program could not be started
  std::string output;  // stdout and stderr, interleaved
};

// Runs argv[0] found on PATH (and in /usr/sbin, /sbin, where ip and tc live).
CommandResult run_command(const std::vector<std::string>& argv);

// Like run_command, but throws sqt::NetError naming the command line and its
// output when the exit code is not 0.
std::string run_checked(const std::vector<std::string>& argv);

// Absolute path of a program from /usr/sbin, /sbin, /usr/bin or /bin when it
// is there (ip and tc live in sbin, which is not on every PATH), else `name`.
std::string resolve_program(const std::string& name);

// "ip -n ns link add ..." as one readable string, for messages and logs.
std::string join_command(const std::vector<std::string>& argv);

}  // namespace sqt::bench::netns
