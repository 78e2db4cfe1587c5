// The single-machine default: run one command as N local party processes.
#pragma once

#include <string>
#include <vector>

namespace sqt::net {

struct LaunchOptions {
  int timeout_ms = 60000;  // written into every party's node config
  std::string protocol = "rep3";
  std::string backend = "cpu";
  // Network profiles (bench --net lan|wan): when non-empty, party i listens on
  // party_hosts[i] instead of 127.0.0.1 and its process is started through
  // party_exec_prefix[i] (e.g. {"ip", "netns", "exec", "sqt-p0"}).
  std::vector<std::string> party_hosts;
  std::vector<std::vector<std::string>> party_exec_prefix;
  // When non-empty (one entry per party): extra arguments for party i only,
  // after `argv` (e.g. its own --checkpoint folder).
  std::vector<std::vector<std::string>> party_args;
};

// Starts `parties` processes of this executable on loopback: generates a CA
// and party certificates into a fresh temporary folder, picks free ports,
// writes party-<i>.toml there, and runs `argv` + {"--config", party-<i>.toml}
// in each (argv without the program name, e.g. {"train", "--model", "C"}).
// Every line the parties print is prefixed with "[P<i>] ". Returns 0 when all
// parties exit 0, else the first non-zero exit status; removes the folder.
int launch_local_parties(int parties, const std::vector<std::string>& argv,
                         const LaunchOptions& options = {});

}  // namespace sqt::net
