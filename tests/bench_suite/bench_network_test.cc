// The glue between `sqt bench --net` and the launcher: fields on every
// result line, launcher settings, and the measured link (namespaces needed
// for the shaped part; skipped with the reason otherwise).
#include "bench/netns/bench_network.h"

#include <gtest/gtest.h>

#include <sstream>

#include "bench/netns/namespace_cleanup.h"
#include "host/core/error.h"

namespace sqt::bench::netns {
namespace {

TEST(BenchNetwork, NoneStaysOnLoopback) {
  std::ostringstream log;
  BenchNetwork network({"none", "", -1}, 3, log);
  EXPECT_FALSE(network.namespaced());
  net::LaunchOptions options;
  network.apply(options);
  EXPECT_TRUE(options.party_hosts.empty());
  EXPECT_TRUE(options.party_exec_prefix.empty());
  const auto fields = network.run_fields();
  EXPECT_EQ(fields["net"], "none");
  EXPECT_EQ(fields["net_link"], "loopback");
  EXPECT_FALSE(fields.contains("net_fallback"));
  EXPECT_TRUE(log.str().empty());
}

TEST(BenchNetwork, BadFlagsNameTheFlag) {
  std::ostringstream log;
  EXPECT_THROW(BenchNetwork({"wan", "quick", -1}, 3, log), ConfigError);
  EXPECT_THROW(BenchNetwork({"satellite", "", -1}, 3, log), ConfigError);
}

TEST(BenchNetwork, WanPutsPartiesInNamespacesOrSaysWhyNot) {
  std::ostringstream log;
  {
    BenchNetwork network({"wan", "50mbit", 6}, 3, log);
    const auto fields = network.run_fields();
    if (!network.namespaced()) {
      // The fallback is explicit on every line and in the log.
      EXPECT_EQ(fields["net"], "none");
      EXPECT_EQ(fields["net_requested"], "wan");
      EXPECT_FALSE(fields["net_fallback"].get<std::string>().empty());
      EXPECT_NE(log.str().find("running on loopback"), std::string::npos) << log.str();
      GTEST_SKIP() << "namespaces unavailable: " << fields["net_fallback"];
    }
    net::LaunchOptions options;
    network.apply(options);
    ASSERT_EQ(options.party_hosts.size(), 3u);
    EXPECT_EQ(options.party_hosts[1], "10.77.0.2");
    ASSERT_EQ(options.party_exec_prefix.size(), 3u);
    EXPECT_EQ(options.party_exec_prefix[2].back(), namespace_prefix() + "p2");
    EXPECT_EQ(fields["net"], "wan");
    EXPECT_DOUBLE_EQ(fields["net_rate_bit_per_s"].get<double>(), 50e6);
    EXPECT_DOUBLE_EQ(fields["net_rtt_ms"].get<double>(), 6);

    network.measure(/*quick=*/true);
    const auto& rows = network.link_rows();
    ASSERT_EQ(rows.size(), 4u);
    EXPECT_TRUE(rows[0].baseline);
    EXPECT_EQ(rows[2].name, "tcp_rtt/wan");
    EXPECT_GE(rows[2].value, 6 * 0.95);     // the delay is a lower bound
    EXPECT_LE(rows[3].value, 50e6 * 1.25);  // the rate an upper bound
    EXPECT_TRUE(network.run_fields().contains("net_measured_rtt_ms"));
  }
  EXPECT_TRUE(list_own_namespaces().empty());
}

}  // namespace
}  // namespace sqt::bench::netns
