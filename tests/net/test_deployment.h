// A throwaway deployment for in-process network tests: keys in a temporary
// folder, free loopback ports, one NodeConfig per party.
#pragma once

#include <fmt/core.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "host/net/keys.h"
#include "host/net/session.h"

namespace sqt::net::testing {

inline unsigned short free_loopback_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

class TestDeployment {
 public:
  explicit TestDeployment(int parties, int key_parties = 0) {
    std::string templ = (std::filesystem::temp_directory_path() / "sqt-net-test-XXXXXX").string();
    dir_ = ::mkdtemp(templ.data());
    write_deployment_keys(dir_, key_parties > 0 ? key_parties : parties, Validity{});
    for (int i = 0; i < parties; ++i) {
      NodeConfig c;
      c.party = i;
      c.ca_cert = dir_ + "/ca.pem";
      c.cert = fmt::format("{}/party-{}.pem", dir_, i);
      c.key = fmt::format("{}/party-{}.key", dir_, i);
      c.timeout = std::chrono::milliseconds(2000);
      c.connect_timeout = std::chrono::milliseconds(3000);
      configs_.push_back(c);
    }
    for (int i = 0; i < parties; ++i) addresses_.push_back({"127.0.0.1", free_loopback_port()});
    for (auto& c : configs_) c.parties = addresses_;
  }
  ~TestDeployment() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  const std::string& dir() const { return dir_; }
  NodeConfig& config(int party) { return configs_[static_cast<std::size_t>(party)]; }

 private:
  std::string dir_;
  std::vector<PeerAddress> addresses_;
  std::vector<NodeConfig> configs_;
};

}  // namespace sqt::net::testing
