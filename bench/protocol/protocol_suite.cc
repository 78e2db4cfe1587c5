// Suite "protocol": the rep3 protocol over the party mesh (3 processes).
// `sqt bench protocol --protocol rep3 --json FILE`.
#include <nlohmann/json.hpp>

#include "bench/core/suites.h"
#include "bench/protocol/protocol_cases.h"
#include "host/backend/backend.h"
#include "host/core/error.h"

namespace sqt::bench {

void register_protocol_suites(SuiteRegistry& registry) {
  registry.add(
      {"protocol", 3, [](SuiteContext& context) {
         if (context.network == nullptr) throw ConfigError("bench protocol: needs the 3-party mesh");
         auto backend = backend::make_backend(context.options.backend, std::max(1, context.options.threads));
         keep_freed_memory_for_reuse();
         ProtocolCaseOptions options;
         options.quick = context.options.quick;
         options.repeats = context.options.repeats;
         options.only = context.options.only;
         for (const auto& r : run_rep3_protocol_cases(*context.network, *backend, options)) {
           const nlohmann::json params = {{"protocol", "rep3"}, {"elements", r.elements}, {"parties", 3}};
           context.writer.write({"protocol", r.name, "seconds", r.seconds, r.baseline, params});
           if (r.baseline) continue;
           context.writer.write({"protocol", r.name, "elements_per_s",
                                 static_cast<double>(r.elements) / r.seconds, false, params});
           context.writer.write({"protocol", r.name, "cpu_seconds", r.cpu_seconds, false, params});
           context.writer.write({"protocol", r.name, "rounds", static_cast<double>(r.rounds), false, params});
           context.writer.write(
               {"protocol", r.name, "bytes_per_party", static_cast<double>(r.max_bytes_sent), false, params});
         }
       }});
}

}  // namespace sqt::bench
