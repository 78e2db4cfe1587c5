// The one place where a registry entry and a ring become a protocol type:
// `sqt train`, `sqt bench` (bench/protocol, bench/train) and `sqt node`
// reach every protocol class through dispatch_protocol. Adding a model is
// its entry in protocol_registry.cc plus one case here per ring.
#pragma once

#include <fmt/core.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "host/backend/backend.h"
#include "host/cli/protocol_registry.h"
#include "host/core/error.h"
#include "host/core/ring.h"
#include "host/mpc/clear/clear.h"
#include "host/mpc/mal_rep3/mal_rep3.h"
#include "host/mpc/protocol.h"
#include "host/mpc/rep3/rep3.h"
#include "host/mpc/rep4/rep4.h"
#include "host/mpc/shamir/shamir.h"
#include "host/net/network.h"

namespace sqt::cli {

// What a protocol object is built from.
struct ProtocolEnv {
  net::Network* network = nullptr;  // this party's mesh; null for one-process models
  backend::Backend* backend = nullptr;
  // Fixed-point parameters; unset: the ring's defaults (default_fixed: f = 16,
  // k = 31 in Z_2^64; f = 32, k = 63 in Z_2^128).
  std::optional<FixedParams> fixed;
  mpc::TruncMode trunc = mpc::TruncMode::kProbabilistic;
  // The emulators' PRG seed. Secure models ignore it: their keys come from
  // the operating system, since a job's seed is public.
  std::uint64_t seed = 0;
};

// One built (model, ring): its protocol class and how to make an object.
template <class P>
struct ProtocolCase {
  using Protocol = P;
  std::unique_ptr<P> (*make)(const ProtocolEnv&);
};

namespace detail {
template <RingElement R>
FixedParams fixed_of(const ProtocolEnv& e) {
  return e.fixed.value_or(default_fixed<R>());
}

inline net::Network& mesh(const ProtocolEnv& e, std::string_view model) {
  if (e.network == nullptr) throw Error(fmt::format("{}: a party of {} needs its network", model, model));
  return *e.network;
}
}  // namespace detail

// Calls visit(ProtocolCase<P>{...}) with the class of `info` over Z_2^bits;
// every call of `visit` must return the same type. ConfigError naming the
// model and the ring when that combination is not built.
template <class Visitor>
auto dispatch_protocol(const ProtocolInfo& info, int bits, Visitor&& visit) {
  check_ring(info, bits);
  if (info.name == "rep3" && bits == 64) {
    return visit(ProtocolCase<mpc::Rep3>{[](const ProtocolEnv& e) {
      return std::make_unique<mpc::Rep3>(detail::mesh(e, "rep3"), *e.backend, detail::fixed_of<Ring64>(e),
                                         e.trunc, std::uint64_t{0});
    }});
  }
  if (info.name == "rep3" && bits == 128) {
    return visit(ProtocolCase<mpc::Rep3_128>{[](const ProtocolEnv& e) {
      return std::make_unique<mpc::Rep3_128>(detail::mesh(e, "rep3"), *e.backend,
                                             detail::fixed_of<Ring128>(e), e.trunc, std::uint64_t{0});
    }});
  }
  if (info.name == "rep4" && bits == 64) {
    return visit(ProtocolCase<mpc::Rep4>{[](const ProtocolEnv& e) {
      return std::make_unique<mpc::Rep4>(detail::mesh(e, "rep4"), *e.backend, detail::fixed_of<Ring64>(e),
                                         e.trunc, std::uint64_t{0});
    }});
  }
  // mal-rep3's values are Z_2^64 fixed point (f = 16, k = 31) carried in
  // Z_2^128 shares with MACs (the registry's Z_2^(64+64)).
  if (info.name == "mal-rep3" && bits == 64) {
    return visit(ProtocolCase<mpc::MalRep3>{[](const ProtocolEnv& e) {
      return std::make_unique<mpc::MalRep3>(detail::mesh(e, "mal-rep3"), *e.backend,
                                            detail::fixed_of<Ring64>(e), e.trunc, std::uint64_t{0});
    }});
  }
  if (info.name == "shamir" && bits == 64) {
    return visit(ProtocolCase<mpc::Shamir>{[](const ProtocolEnv& e) {
      return std::make_unique<mpc::Shamir>(detail::mesh(e, "shamir"), *e.backend, detail::fixed_of<Ring64>(e),
                                           e.trunc, std::uint64_t{0});
    }});
  }
  if (info.name == "clear" && bits == 64) {
    return visit(ProtocolCase<mpc::Clear>{[](const ProtocolEnv& e) {
      return std::make_unique<mpc::Clear>(*e.backend, detail::fixed_of<Ring64>(e), e.trunc, e.seed);
    }});
  }
  if (info.name == "clear" && bits == 128) {
    return visit(ProtocolCase<mpc::Clear128>{[](const ProtocolEnv& e) {
      return std::make_unique<mpc::Clear128>(*e.backend, detail::fixed_of<Ring128>(e), e.trunc, e.seed);
    }});
  }
  throw ConfigError(
      fmt::format("--protocol {} --ring {}: {} over {} is not built (`sqt protocols` lists what runs)",
                  info.name, bits, info.name, info.ring_name(bits)));
}

}  // namespace sqt::cli
