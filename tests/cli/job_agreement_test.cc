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

// Party 2 runs with `flag other`, parties 0 and 1 with `flag usual`: every
// party must refuse before training, naming `name` and both values.
void expect_mismatch(const std::string& dir, const std::string& flag, const std::string& usual,
                     const std::string& other, const std::string& name) {
  SCOPED_TRACE(flag);
  const std::string keys = dir + "/keys";
  const auto k = sqt({"keys", "--parties", "3", "--out", keys, "--force"});
  ASSERT_EQ(k.exit_code, 0) << k.output;
  const auto ports = free_ports(3);
  std::string parties;
  for (int port : ports)
    parties += "[[parties]]\nhost = \"127.0.0.1\"\nport = " + std::to_string(port) + "\n";
  std::vector<std::future<bench::netns::CommandResult>> runs;
  for (int p = 0; p < 3; ++p) {
    const std::string id = std::to_string(p);
    const std::string toml = dir + "/node" + id + ".toml";
    write_file(toml, "party = " + id + "\nconnect_timeout_ms = 30000\nca_cert = \"" + keys +
                         "/ca.pem\"\ncert = \"" + keys + "/party-" + id + ".pem\"\nkey = \"" + keys +
                         "/party-" + id + ".key\"\n" + parties);
    const std::string value = p == 2 ? other : usual;
    runs.push_back(std::async(std::launch::async, [=] {
      return sqt(
          {"node", "--config", toml, "train", "--model", "A", "--max-batches", "1", flag, value, "--quiet"});
    }));
  }
  for (int p = 0; p < 3; ++p) {
    const auto r = runs[p].get();
    EXPECT_NE(r.exit_code, 0) << "party " << p << ":\n" << r.output;
    EXPECT_NE(r.output.find("job mismatch with party"), std::string::npos) << "party " << p << ":\n"
                                                                           << r.output;
    const std::string mine =
        p == 2 ? "'" + other + "' on party 2" : "'" + usual + "' on party " + std::to_string(p);
    EXPECT_NE(r.output.find(name + " is " + mine), std::string::npos) << "party " << p << ":\n" << r.output;
    EXPECT_EQ(r.output.find("test accuracy"), std::string::npos) << "party " << p << " trained:\n"
                                                                 << r.output;
  }
}

TEST_F(JobAgreementTest, DifferingFlagOnOnePartyEndsSetupOnEveryParty) {
  expect_mismatch(dir_, "--momentum", "0.9", "0.8", "momentum");
  expect_mismatch(dir_, "--init", "secret", "public", "initial weights");
}

}  // namespace
}  // namespace sqt::cli_test
