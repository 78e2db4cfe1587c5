// `sqt node ... train` on three processes whose flags differ on one party:
// every party ends setup with an error naming the differing parameter and
// both values, before any data is shared (session binding, host/net).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <future>
#include <string>
#include <vector>

#include "tests/cli/run_sqt.h"

namespace sqt::cli_test {
namespace {

class JobAgreementTest : public TempDirTest {};

std::vector<int> free_ports(int count) {
  std::vector<int> fds, ports;
  for (int i = 0; i < count; ++i) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    EXPECT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
    fds.push_back(fd);
    ports.push_back(ntohs(addr.sin_port));
  }
  for (int fd : fds) ::close(fd);
  return ports;
}

TEST_F(JobAgreementTest, DifferingFlagOnOnePartyEndsSetupOnEveryParty) {
  const std::string keys = path("keys");
  const auto k = sqt({"keys", "--parties", "3", "--out", keys});
  ASSERT_EQ(k.exit_code, 0) << k.output;
  const auto ports = free_ports(3);
  std::string parties;
  for (int port : ports)
    parties += "[[parties]]\nhost = \"127.0.0.1\"\nport = " + std::to_string(port) + "\n";
  std::vector<std::future<bench::netns::CommandResult>> runs;
  for (int p = 0; p < 3; ++p) {
    const std::string toml = path("node" + std::to_string(p) + ".toml");
    const std::string id = std::to_string(p);
    write_file(toml, "party = " + id + "\nconnect_timeout_ms = 30000\nca_cert = \"" + keys +
                         "/ca.pem\"\ncert = \"" + keys + "/party-" + id + ".pem\"\nkey = \"" + keys +
                         "/party-" + id + ".key\"\n" + parties);
    const std::string momentum = p == 2 ? "0.8" : "0.9";
    runs.push_back(std::async(std::launch::async, [=] {
      return sqt({"node", "--config", toml, "train", "--model", "A", "--max-batches", "1", "--momentum",
                  momentum, "--quiet"});
    }));
  }
  for (int p = 0; p < 3; ++p) {
    const auto r = runs[p].get();
    EXPECT_NE(r.exit_code, 0) << "party " << p << ":\n" << r.output;
    EXPECT_NE(r.output.find("job mismatch with party"), std::string::npos) << "party " << p << ":\n"
                                                                           << r.output;
    const std::string mine = p == 2 ? "'0.8' on party 2" : "'0.9' on party " + std::to_string(p);
    EXPECT_NE(r.output.find("momentum is " + mine), std::string::npos) << "party " << p << ":\n" << r.output;
    EXPECT_EQ(r.output.find("test accuracy"), std::string::npos) << "party " << p << " trained:\n"
                                                                 << r.output;
  }
}

}  // namespace
}  // namespace sqt::cli_test
