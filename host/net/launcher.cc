#include "host/net/launcher.h"

#include <fcntl.h>
#include <fmt/core.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <thread>

#include "host/core/error.h"
#include "host/net/keys.h"
#include "host/net/node_config.h"

namespace sqt::net {
namespace {

// Free loopback ports, all held at once so they are distinct. A port can be
// taken by another program between release and the party's bind (a small
// race); the party then fails with a clear "cannot listen" error.
std::vector<unsigned short> pick_free_ports(int count) {
  std::vector<int> fds;
  std::vector<unsigned short> ports;
  for (int i = 0; i < count; ++i) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      const int err = errno;
      for (int f : fds) ::close(f);
      if (fd >= 0) ::close(fd);
      throw NetError(fmt::format("cannot pick a free loopback port: {}", std::strerror(err)));
    }
    fds.push_back(fd);
    ports.push_back(ntohs(addr.sin_port));
  }
  for (int f : fds) ::close(f);
  return ports;
}

std::string self_executable() {
  std::error_code ec;
  auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) throw Error(fmt::format("cannot find this executable (/proc/self/exe): {}", ec.message()));
  return p.string();
}

struct Child {
  pid_t pid = -1;
  int out_fd = -1;  // read end of the child's stdout
  int err_fd = -1;  // read end of the child's stderr
  bool running = false;
  int status = 0;  // exit code, or 128 + signal
};

pid_t spawn(const std::string& exe, const std::vector<std::string>& args, int out_w, int err_w) {
  std::vector<char*> cargv;
  cargv.push_back(const_cast<char*>(exe.c_str()));
  for (const auto& a : args) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) throw Error(fmt::format("cannot start a party process: {}", std::strerror(errno)));
  if (pid == 0) {
    // Only async-signal-safe calls between fork and exec.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // no orphans if the launcher dies
    if (::getppid() != parent) ::_exit(127);
    ::dup2(out_w, STDOUT_FILENO);
    ::dup2(err_w, STDERR_FILENO);
    ::execv(exe.c_str(), cargv.data());
    ::_exit(127);
  }
  return pid;
}

// Copies every line from the children's pipes to our stdout/stderr with a
// "[P<i>] " prefix, until all pipes are closed.
void relay_output(std::vector<Child>& children) {
  struct Source {
    int fd;
    int party;
    int target;
    std::string pending;
  };
  std::vector<Source> sources;
  for (std::size_t i = 0; i < children.size(); ++i) {
    sources.push_back({children[i].out_fd, static_cast<int>(i), STDOUT_FILENO, {}});
    sources.push_back({children[i].err_fd, static_cast<int>(i), STDERR_FILENO, {}});
  }
  auto emit = [](const Source& s, std::string_view line) {
    const std::string text = fmt::format("[P{}] {}\n", s.party, line);
    std::size_t done = 0;
    while (done < text.size()) {
      const ssize_t n = ::write(s.target, text.data() + done, text.size() - done);
      if (n <= 0 && errno != EINTR) return;
      if (n > 0) done += static_cast<std::size_t>(n);
    }
  };
  std::array<char, 65536> buf{};
  std::size_t open = sources.size();
  while (open > 0) {
    std::vector<pollfd> fds;
    for (const auto& s : sources) fds.push_back({s.fd, POLLIN, 0});
    if (::poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    for (std::size_t k = 0; k < sources.size(); ++k) {
      Source& s = sources[k];
      if (s.fd < 0 || fds[k].revents == 0) continue;
      const ssize_t n = ::read(s.fd, buf.data(), buf.size());
      if (n > 0) {
        s.pending.append(buf.data(), static_cast<std::size_t>(n));
        std::size_t start = 0;
        for (std::size_t nl; (nl = s.pending.find('\n', start)) != std::string::npos; start = nl + 1) {
          emit(s, std::string_view(s.pending).substr(start, nl - start));
        }
        s.pending.erase(0, start);
      } else if (n == 0 || errno != EINTR) {
        if (!s.pending.empty()) emit(s, s.pending);
        ::close(s.fd);
        s.fd = -1;  // poll ignores negative descriptors
        --open;
      }
    }
  }
}

int decode_status(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 1;
}

}  // namespace

int launch_local_parties(int parties, const std::vector<std::string>& argv, const LaunchOptions& options) {
  if (parties < kMinParties || parties > kMaxParties) {
    throw ConfigError(
        fmt::format("cannot launch {} parties: a session has {} to {}", parties, kMinParties, kMaxParties));
  }
  const char* tmp = std::getenv("TMPDIR");
  std::string templ = fmt::format("{}/sqt-parties-XXXXXX", tmp != nullptr && *tmp != '\0' ? tmp : "/tmp");
  if (::mkdtemp(templ.data()) == nullptr) {
    throw FileError(fmt::format("cannot create a temporary folder {}: {}", templ, std::strerror(errno)));
  }
  const std::string dir = templ;
  struct RemoveDir {
    std::string dir;
    ~RemoveDir() {
      std::error_code ec;
      std::filesystem::remove_all(dir, ec);
    }
  } remove_dir{dir};

  write_deployment_keys(dir, parties, validity_days(1));
  const std::vector<unsigned short> ports = pick_free_ports(parties);
  NodeConfig config;
  // Network profiles (bench --net): party i listens on its namespace's address.
  const auto per_party = [parties](std::size_t size) {
    return size == 0 || size == static_cast<std::size_t>(parties);
  };
  if (!per_party(options.party_hosts.size()) || !per_party(options.party_exec_prefix.size()) ||
      !per_party(options.party_args.size())) {
    throw ConfigError(fmt::format(
        "launcher: {} party hosts, {} exec prefixes and {} argument lists for {} parties",
        options.party_hosts.size(), options.party_exec_prefix.size(), options.party_args.size(), parties));
  }
  for (int i = 0; i < parties; ++i) {
    const std::string host =
        options.party_hosts.empty() ? "127.0.0.1" : options.party_hosts[static_cast<std::size_t>(i)];
    config.parties.push_back({host, ports[static_cast<std::size_t>(i)]});
  }
  config.ca_cert = dir + "/ca.pem";
  config.protocol = options.protocol;
  config.backend = options.backend;
  config.timeout = std::chrono::milliseconds(options.timeout_ms);
  config.connect_timeout = std::chrono::milliseconds(std::max(options.timeout_ms, 30000));
  for (int i = 0; i < parties; ++i) {
    config.party = i;
    config.cert = fmt::format("{}/party-{}.pem", dir, i);
    config.key = fmt::format("{}/party-{}.key", dir, i);
    write_text_file(fmt::format("{}/party-{}.toml", dir, i), format_node_config(config), false);
  }

  const std::string exe = self_executable();
  std::vector<Child> children(static_cast<std::size_t>(parties));
  for (int i = 0; i < parties; ++i) {
    int out_pipe[2], err_pipe[2];
    if (::pipe2(out_pipe, O_CLOEXEC) != 0 || ::pipe2(err_pipe, O_CLOEXEC) != 0) {
      throw Error(fmt::format("cannot create pipes for party {}: {}", i, std::strerror(errno)));
    }
    std::vector<std::string> args = argv;
    if (!options.party_args.empty()) {
      const auto& own = options.party_args[static_cast<std::size_t>(i)];
      args.insert(args.end(), own.begin(), own.end());
    }
    args.push_back("--config");
    args.push_back(fmt::format("{}/party-{}.toml", dir, i));
    Child& c = children[static_cast<std::size_t>(i)];
    if (!options.party_exec_prefix.empty() &&
        !options.party_exec_prefix[static_cast<std::size_t>(i)].empty()) {
      // e.g. {"/usr/sbin/ip", "netns", "exec", "sqt-<pid>-p<i>"} + this executable + args
      const auto& prefix = options.party_exec_prefix[static_cast<std::size_t>(i)];
      std::vector<std::string> wrapped(prefix.begin() + 1, prefix.end());
      wrapped.push_back(exe);
      wrapped.insert(wrapped.end(), args.begin(), args.end());
      c.pid = spawn(prefix.front(), wrapped, out_pipe[1], err_pipe[1]);
    } else {
      c.pid = spawn(exe, args, out_pipe[1], err_pipe[1]);
    }
    c.running = true;
    c.out_fd = out_pipe[0];
    c.err_fd = err_pipe[0];
    ::close(out_pipe[1]);
    ::close(err_pipe[1]);
  }
  std::thread relay([&children] { relay_output(children); });

  // Wait for all; once one fails, give the others the session timeout (plus
  // a margin) to notice and exit, then kill the stragglers.
  using Clock = std::chrono::steady_clock;
  int first_failure = 0;
  Clock::time_point kill_at{};
  bool kill_pending = false;
  int running = parties;
  while (running > 0) {
    for (Child& c : children) {
      int status = 0;
      if (!c.running || ::waitpid(c.pid, &status, WNOHANG) != c.pid) continue;
      c.running = false;
      c.status = decode_status(status);
      --running;
      if (c.status != 0 && first_failure == 0) {
        first_failure = c.status;
        kill_at = Clock::now() + std::chrono::milliseconds(options.timeout_ms) + std::chrono::seconds(5);
        kill_pending = true;
      }
    }
    if (kill_pending && Clock::now() > kill_at) {
      for (Child& c : children) {
        if (c.running) ::kill(c.pid, SIGKILL);
      }
      kill_pending = false;
    }
    if (running > 0) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  relay.join();
  return first_failure;
}

}  // namespace sqt::net
