// Test helper: one party of a scripted exchange over the real TLS mesh.
//
//   net_party --parties N [--rounds R --seed S ...]   launches N processes of
//                                                      itself (the launcher)
//   net_party --config party-i.toml [...]              runs one party
//
// Every round each party sends each peer a frame whose size and bytes derive
// from (seed, sender, receiver, round), then receives from every peer and
// compares byte for byte with the same generator. Exit 0 when all matched.
#include <fmt/core.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <random>
#include <thread>
#include <vector>

#include "host/core/error.h"
#include "host/net/launcher.h"
#include "host/net/session.h"
#include "tests/net/exchange_data.h"

int main(int argc, char** argv) {
  CLI::App app{"scripted party exchange for the network tests"};
  std::string config_path;
  int parties = 3, rounds = 6, kill_party = -1, kill_round = 0, hang_party = -1, timeout_ms = 20000;
  std::uint64_t seed = 1;
  app.add_option("--config", config_path);
  app.add_option("--parties", parties);
  app.add_option("--rounds", rounds);
  app.add_option("--seed", seed);
  app.add_option("--kill-party", kill_party, "this party SIGKILLs itself at --kill-round");
  app.add_option("--kill-round", kill_round);
  app.add_option("--hang-party", hang_party,
                 "this party sleeps (ignoring the network) instead of exchanging");
  app.add_option("--timeout-ms", timeout_ms);
  CLI11_PARSE(app, argc, argv);

  try {
    if (config_path.empty()) {
      std::vector<std::string> args(argv + 1, argv + argc);
      sqt::net::LaunchOptions options;
      options.timeout_ms = timeout_ms;
      return sqt::net::launch_local_parties(parties, args, options);
    }
    const sqt::net::NodeConfig config = sqt::net::load_node_config(config_path);
    auto net = sqt::net::connect_mesh(config);
    const int me = net->party();
    if (me == hang_party) std::this_thread::sleep_for(std::chrono::hours(1));  // a stuck process
    std::vector<std::byte> got;
    for (int r = 0; r < rounds; ++r) {
      if (me == kill_party && r == kill_round) std::raise(SIGKILL);
      for (int j = 0; j < net->parties(); ++j) {
        if (j == me) continue;
        const auto data = sqt::net::testing::exchange_data(seed, me, j, r);
        net->send_bytes(j, data);
      }
      for (int j = 0; j < net->parties(); ++j) {
        if (j == me) continue;
        const auto expected = sqt::net::testing::exchange_data(seed, j, me, r);
        got.assign(expected.size(), std::byte{0xAA});
        net->recv_bytes(j, got);
        if (got != expected) {
          fmt::print(stderr, "party {}: round {}: data from party {} differs from the expected bytes\n", me,
                     r, j);
          return 3;
        }
      }
    }
    const auto s = net->stats();
    fmt::print("party {} ok: sent {} bytes in {} messages, received {} bytes, {} rounds\n", me, s.bytes_sent,
               s.messages_sent, s.bytes_received, s.rounds);
    return 0;
  } catch (const std::exception& e) {
    fmt::print(stderr, "net_party: error: {}\n", e.what());
    return 1;
  }
}
