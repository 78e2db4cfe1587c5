// Namespace names that must not outlive this process. The RAII topology
// removes its namespaces on every normal and exceptional exit; this registry
// covers the rest: SIGINT/SIGTERM/SIGHUP (removed from the signal handler)
// and namespaces left by a process that was killed with SIGKILL (removed by
// the next run, which recognises them by their dead owner's pid).
#pragma once

#include <string>
#include <vector>

namespace sqt::bench::netns {

// Prefix of every namespace we create: "sqt-<pid>-".
std::string namespace_prefix();

// Adds `name` to the set removed by the signal handler; installs the handler
// on first use. Thread-safe with respect to the handler (slots are atomics).
void register_for_signal_cleanup(const std::string& name);
void unregister_from_signal_cleanup(const std::string& name);

// Deletes /run/netns/sqt-<pid>-* whose <pid> is no longer running. Returns
// how many it removed.
int remove_stale_namespaces();

// Names of the namespaces this process currently owns (from /run/netns).
std::vector<std::string> list_own_namespaces();

}  // namespace sqt::bench::netns
