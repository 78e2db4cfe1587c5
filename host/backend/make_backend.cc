#include <memory>
#include <string>

#include "host/backend/backend.h"
#include "host/backend/cpu_backend.h"
#include "host/backend/fpga_backend.h"
#include "host/core/error.h"

namespace sqt::backend {

std::unique_ptr<Backend> make_backend(std::string_view name, int threads) {
  if (name == "cpu") return std::make_unique<CpuBackend>(threads);
  if (name == "fpga-sim") return make_fpga_sim_backend();
  if (name == "fpga") return make_fpga_backend(FpgaConfig{});
  throw ConfigError("unknown backend '" + std::string(name) + "': choose cpu, fpga or fpga-sim");
}

}  // namespace sqt::backend
