#include "host/net/node_config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "host/core/error.h"
#include "tests/net/test_deployment.h"

namespace sqt::net {
namespace {

using ::testing::HasSubstr;

class NodeConfigTest : public ::testing::Test {
 protected:
  testing::TestDeployment deployment{3};

  std::string write(const std::string& text) {
    const std::string path = deployment.dir() + "/node.toml";
    std::ofstream(path) << text;
    return path;
  }

  // A valid file with relative certificate paths; `extra` is appended.
  std::string valid_text(const std::string& drop_key = "", const std::string& extra = "") {
    std::string t;
    auto line = [&](const std::string& key, const std::string& value) {
      if (key != drop_key) t += key + " = " + value + "\n";
    };
    line("party", "1");
    line("protocol", "\"rep3\"");
    line("timeout_ms", "1500");
    line("max_frame_bytes", "1048576");
    line("ca_cert", "\"ca.pem\"");
    line("cert", "\"party-1.pem\"");
    line("key", "\"party-1.key\"");
    t += extra;
    if (drop_key != "parties") {
      t += "[[parties]]\nhost = \"10.0.0.1\"\nport = 7000\n[[parties]]\nhost = \"10.0.0.2\"\nport = 7001\n"
           "[[parties]]\nhost = \"h3\"\nport = 7002\n";
    }
    return t;
  }

  std::string error_of(const std::string& text) {
    const std::string path = write(text);
    try {
      load_node_config(path);
    } catch (const ConfigError& e) {
      return e.what();
    }
    return "no error";
  }
};

TEST_F(NodeConfigTest, ReadsEveryKeyAndResolvesPathsNextToTheFile) {
  const NodeConfig c = load_node_config(write(valid_text()));
  EXPECT_EQ(c.party, 1);
  ASSERT_EQ(c.parties.size(), 3u);
  EXPECT_EQ(c.parties[1].host, "10.0.0.2");
  EXPECT_EQ(c.parties[2].port, 7002);
  EXPECT_EQ(c.ca_cert, deployment.dir() + "/ca.pem");
  EXPECT_EQ(c.key, deployment.dir() + "/party-1.key");
  EXPECT_EQ(c.timeout.count(), 1500);
  EXPECT_EQ(c.connect_timeout.count(), 60000);  // default
  EXPECT_EQ(c.max_frame_bytes, 1048576u);
  EXPECT_EQ(c.backend, "");  // not named: the job's --backend decides
  EXPECT_EQ(c.protocol, "rep3");
  EXPECT_EQ(c.spin, kDefaultSpin);
  EXPECT_EQ(c.max_queued_bytes, kDefaultMaxQueuedBytes);
  EXPECT_FALSE(c.accept_only_listed_hosts);
}

TEST_F(NodeConfigTest, InboundBoundAndListedHostsKeysAndFrameDefault) {
  const NodeConfig c = load_node_config(
      write(valid_text("max_frame_bytes", "max_queued_bytes = 4096\naccept_only_listed_hosts = true\n")));
  EXPECT_EQ(c.max_frame_bytes, std::size_t{1} << 30);
  EXPECT_EQ(c.max_queued_bytes, 4096u);
  EXPECT_TRUE(c.accept_only_listed_hosts);
  NodeConfig d = c;
  d.max_queued_bytes = 777;
  d.accept_only_listed_hosts = false;
  const NodeConfig back = load_node_config(write(format_node_config(d)));
  EXPECT_EQ(back.max_queued_bytes, 777u);
  EXPECT_FALSE(back.accept_only_listed_hosts);
}

TEST_F(NodeConfigTest, BackendMustBeKnown) {
  try {
    load_node_config(write(valid_text("backend", "backend = \"gpu\"\n")));
    FAIL() << "backend = gpu was accepted";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("'gpu' is not a backend (cpu, fpga or fpga-sim)"), std::string::npos)
        << e.what();
  }
  EXPECT_EQ(load_node_config(write(valid_text("backend", "backend = \"fpga-sim\"\n"))).backend, "fpga-sim");
}

TEST_F(NodeConfigTest, FormatThenLoadGivesTheSameConfig) {
  NodeConfig c = deployment.config(2);
  c.protocol = "semi2k";
  c.max_frame_bytes = 12345;
  c.spin = std::chrono::microseconds(0);
  const std::string path = write(format_node_config(c));
  const NodeConfig back = load_node_config(path);
  EXPECT_EQ(back.party, 2);
  EXPECT_EQ(back.protocol, "semi2k");
  EXPECT_EQ(back.max_frame_bytes, 12345u);
  EXPECT_EQ(back.spin.count(), 0);
  EXPECT_EQ(back.timeout, c.timeout);
  EXPECT_EQ(back.connect_timeout, c.connect_timeout);
  ASSERT_EQ(back.parties.size(), c.parties.size());
  for (std::size_t i = 0; i < c.parties.size(); ++i) EXPECT_EQ(back.parties[i].port, c.parties[i].port);
  EXPECT_EQ(back.cert, c.cert);
}

TEST_F(NodeConfigTest, EachInvalidKeyIsNamedWithTheFile) {
  struct Case {
    std::string text;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {valid_text("party"), "key 'party': missing"},
      {"party = 7\n" + valid_text("party"), "key 'party': 7 is out of range [0, 2]"},
      {"party = \"one\"\n" + valid_text("party"), "key 'party': must be an integer"},
      {valid_text("ca_cert"), "key 'ca_cert': missing"},
      {"cert = \"nope.pem\"\n" + valid_text("cert"), "key 'cert': file"},
      {"key = 5\n" + valid_text("key"), "key 'key': must be a string"},
      {"timeout_ms = 0\n" + valid_text("timeout_ms"), "key 'timeout_ms': 0 is out of range"},
      {valid_text("", "connect_timeout_ms = -3\n"), "key 'connect_timeout_ms': -3 is out of range"},
      {"max_frame_bytes = 0\n" + valid_text("max_frame_bytes"), "key 'max_frame_bytes'"},
      {"protocol = \"\"\n" + valid_text("protocol"), "key 'protocol': must not be empty"},
      {valid_text("", "spin_us = -1\n"), "key 'spin_us': -1 is out of range"},
      {valid_text("", "max_queued_bytes = 0\n"), "key 'max_queued_bytes': 0 is out of range"},
      {valid_text("", "accept_only_listed_hosts = 1\n"),
       "key 'accept_only_listed_hosts': must be true or false"},
      {valid_text("", "backend = 3\n"), "key 'backend': must be a string"},
      {valid_text("", "colour = \"red\"\n"), "key 'colour': unknown key"},
      {valid_text("parties"), "key 'parties': missing"},
      {valid_text("parties", "parties = 3\n"), "key 'parties': must be an array of tables"},
      {valid_text("parties") + "[[parties]]\nhost = \"a\"\nport = 1\n", "key 'parties': 1 entries"},
      {valid_text() + "[[parties]]\nhost = \"x\"\nport = 70000\n", "key 'parties[3].port'"},
      {valid_text() + "[[parties]]\nport = 7\n", "key 'parties[3].host'"},
      {valid_text() + "[[parties]]\nhost = \"x\"\nport = 7\nweight = 2\n",
       "key 'parties[3].weight': unknown"},
      {"party = [\n", "not valid TOML"},
  };
  for (const Case& c : cases) {
    const std::string error = error_of(c.text);
    EXPECT_THAT(error, HasSubstr(c.expected)) << c.text;
    EXPECT_THAT(error, HasSubstr(deployment.dir() + "/node.toml")) << c.text;
  }
}

TEST_F(NodeConfigTest, MissingFileIsAConfigErrorNamingIt) {
  EXPECT_THROW(load_node_config(deployment.dir() + "/absent.toml"), ConfigError);
}

}  // namespace
}  // namespace sqt::net
