// Mesh setup of several parties as threads of one test: each party's
// connect_mesh runs on its own thread; the outcome is its Network or the
// error that ended its setup.
#pragma once

#include <future>
#include <memory>
#include <string>
#include <vector>

#include "host/core/error.h"
#include "host/net/mesh.h"

namespace sqt::net::testing {

struct Outcome {
  std::unique_ptr<Network> net;
  std::string error;
};

inline std::future<Outcome> start_party(const NodeConfig& c, const MeshOptions& options) {
  return std::async(std::launch::async, [c, options] {
    Outcome o;
    try {
      o.net = connect_mesh(c, options);
    } catch (const NetError& e) {
      o.error = e.what();
    }
    return o;
  });
}

// Waits for every started party, in order.
inline std::vector<Outcome> finish_all(std::vector<std::future<Outcome>> started) {
  std::vector<Outcome> out;
  for (auto& f : started) out.push_back(f.get());
  return out;
}
template <class... Futures>
std::vector<Outcome> finish_all(Futures&... started) {
  std::vector<Outcome> out;
  (out.push_back(started.get()), ...);
  return out;
}

}  // namespace sqt::net::testing
