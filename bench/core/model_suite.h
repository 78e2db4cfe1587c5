// What the suites that measure a model of the protocol registry over its
// party mesh share (inference, train): this party's protocol object for
// --protocol and --ring, and the clear emulation of the same ring that
// gives the baseline rows.
#pragma once

#include <fmt/core.h>

#include <algorithm>
#include <string>

#include "bench/core/suite.h"
#include "host/backend/backend.h"
#include "host/cli/protocol_dispatch.h"
#include "host/core/error.h"

namespace sqt::bench {

// Calls cases(protocol, name, backend) with this party's protocol object;
// ConfigError naming the suite for a one-process model.
template <class Cases>
void run_on_mesh_protocol(SuiteContext& context, const std::string& suite, Cases&& cases) {
  const auto& info = cli::find_built_protocol(context.options.protocol);
  if (context.network == nullptr || !info.networked()) {
    throw ConfigError(fmt::format(
        "bench {}: --protocol {} runs in one process; the suite measures a model over its party mesh", suite,
        info.name));
  }
  auto be = backend::make_backend(context.options.backend, std::max(1, context.options.threads));
  cli::ProtocolEnv env;
  env.network = context.network;
  env.backend = be.get();
  cli::dispatch_protocol(info, context.options.ring_bits, [&](auto c) {
    const auto p = c.make(env);
    cases(*p, info.name, *be);
  });
}

// Calls measure(clear) with the clear emulation of the suite's ring (seed 1).
template <class Measure>
void with_clear_emulation(const SuiteContext& context, backend::Backend& be, Measure&& measure) {
  cli::ProtocolEnv env;
  env.backend = &be;
  env.seed = 1;
  cli::dispatch_protocol(cli::find_built_protocol("clear"), context.options.ring_bits, [&](auto c) {
    const auto clear = c.make(env);
    measure(*clear);
  });
}

}  // namespace sqt::bench
