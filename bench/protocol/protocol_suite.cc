// Suite "protocol": a model's operations over the party mesh (one process
// per party), the model taken through the protocol registry:
// `sqt bench protocol --protocol rep3 --json FILE`.
#include <fmt/core.h>

#include <nlohmann/json.hpp>

#include "bench/core/suites.h"
#include "bench/protocol/protocol_cases.h"
#include "host/backend/backend.h"
#include "host/cli/protocol_dispatch.h"
#include "host/core/error.h"

namespace sqt::bench {

void register_protocol_suites(SuiteRegistry& registry) {
  Suite suite{
      "protocol", 3, [](SuiteContext& context) {
        const auto& info = cli::find_built_protocol(context.options.protocol);
        if (context.network == nullptr || !info.networked()) {
          throw ConfigError(
              fmt::format("bench protocol: --protocol {} runs in one process; the suite "
                          "measures a model over its party mesh",
                          info.name));
        }
        auto backend = backend::make_backend(context.options.backend, std::max(1, context.options.threads));
        keep_freed_memory_for_reuse();
        ProtocolCaseOptions options;
        options.quick = context.options.quick;
        options.repeats = context.options.repeats;
        options.only = context.options.only;
        cli::ProtocolEnv env;
        env.network = context.network;
        env.backend = backend.get();
        const std::vector<ProtocolCaseResult> results =
            cli::dispatch_protocol(info, context.options.ring_bits, [&](auto c) {
              const auto p = c.make(env);
              return run_protocol_cases(*p, *context.network, *backend, options);
            });
        const nlohmann::json params = {{"protocol", info.name},
                                       {"ring", info.ring_name(context.options.ring_bits)},
                                       {"parties", context.network->parties()}};
        for (const auto& r : results) {
          nlohmann::json row = params;
          row["elements"] = r.elements;
          context.writer.write({"protocol", r.name, "seconds", r.seconds, r.baseline, row});
          if (r.baseline) continue;
          context.writer.write({"protocol", r.name, "elements_per_s",
                                static_cast<double>(r.elements) / r.seconds, false, row});
          context.writer.write({"protocol", r.name, "cpu_seconds", r.cpu_seconds, false, row});
          context.writer.write({"protocol", r.name, "rounds", static_cast<double>(r.rounds), false, row});
          context.writer.write(
              {"protocol", r.name, "bytes_per_party", static_cast<double>(r.max_bytes_sent), false, row});
        }
      }};
  suite.per_protocol = true;
  registry.add(std::move(suite));
}

}  // namespace sqt::bench
