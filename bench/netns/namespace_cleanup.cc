#include "bench/netns/namespace_cleanup.h"

#include <dirent.h>
#include <signal.h>
#include <sys/mount.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <mutex>

#include "bench/netns/command_runner.h"

namespace sqt::bench::netns {
namespace {

constexpr int kSlots = 64;
constexpr size_t kPathSize = 96;

// One slot per namespace: the handler reads `used` and the path, nothing else.
struct Slot {
  std::atomic<bool> used{false};
  char path[kPathSize] = {};
};
Slot g_slots[kSlots];
std::mutex g_slots_mutex;  // serialises writers only; the handler never locks

constexpr int kSignals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
struct sigaction g_previous[sizeof kSignals / sizeof kSignals[0]];
std::once_flag g_install_once;

// What `ip netns del` does, with async-signal-safe system calls only: drop
// the bind mount that keeps the namespace alive and remove its file.
void cleanup_handler(int signal_number) {
  for (auto& slot : g_slots) {
    if (!slot.used.load(std::memory_order_acquire)) continue;
    umount2(slot.path, MNT_DETACH);
    unlink(slot.path);
  }
  for (size_t i = 0; i < sizeof kSignals / sizeof kSignals[0]; ++i) {
    if (kSignals[i] == signal_number) sigaction(signal_number, &g_previous[i], nullptr);
  }
  raise(signal_number);
}

void install_handlers() {
  for (size_t i = 0; i < sizeof kSignals / sizeof kSignals[0]; ++i) {
    struct sigaction action {};
    action.sa_handler = cleanup_handler;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESETHAND;
    sigaction(kSignals[i], &action, &g_previous[i]);
  }
}

bool pid_is_alive(long pid) { return kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM; }

std::vector<std::string> list_netns_files() {
  std::vector<std::string> names;
  DIR* dir = opendir("/run/netns");
  if (!dir) return names;
  while (dirent* entry = readdir(dir)) {
    const std::string name = entry->d_name;
    if (name.rfind("sqt-", 0) == 0) names.push_back(name);
  }
  closedir(dir);
  return names;
}

}  // namespace

std::string namespace_prefix() { return "sqt-" + std::to_string(getpid()) + "-"; }

void register_for_signal_cleanup(const std::string& name) {
  std::call_once(g_install_once, install_handlers);
  const std::string path = "/run/netns/" + name;
  std::lock_guard lock(g_slots_mutex);
  for (auto& slot : g_slots) {
    if (slot.used.load(std::memory_order_relaxed)) continue;
    std::strncpy(slot.path, path.c_str(), kPathSize - 1);
    slot.used.store(true, std::memory_order_release);
    return;
  }
}

void unregister_from_signal_cleanup(const std::string& name) {
  const std::string path = "/run/netns/" + name;
  std::lock_guard lock(g_slots_mutex);
  for (auto& slot : g_slots) {
    if (slot.used.load(std::memory_order_relaxed) && path == slot.path) {
      slot.used.store(false, std::memory_order_release);
    }
  }
}

int remove_stale_namespaces() {
  int removed = 0;
  for (const auto& name : list_netns_files()) {
    // sqt-<pid>-<role>
    const char* digits = name.c_str() + 4;
    char* end = nullptr;
    const long pid = std::strtol(digits, &end, 10);
    if (end == digits || *end != '-' || pid_is_alive(pid)) continue;
    if (run_command({"ip", "netns", "del", name}).exit_code == 0) ++removed;
  }
  return removed;
}

std::vector<std::string> list_own_namespaces() {
  std::vector<std::string> own;
  const std::string prefix = namespace_prefix();
  for (const auto& name : list_netns_files()) {
    if (name.rfind(prefix, 0) == 0) own.push_back(name);
  }
  return own;
}

}  // namespace sqt::bench::netns
