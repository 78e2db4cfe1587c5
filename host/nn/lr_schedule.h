// Learning-rate schedules, shared by the secure optimizers (host/nn) and the
// float reference (host/plain). The rate is public: a schedule costs nothing
// inside MPC.
#pragma once

#include <algorithm>
#include <string>
#include <string_view>

#include "host/core/error.h"

namespace sqt::nn {

enum class LrSchedule {
  kConstant,  // lr at every step
  kLinear,    // lr * (1 - (t - 1) / T) at step t = 1..T: decays to lr / T at the last step
};

inline LrSchedule parse_lr_schedule(std::string_view s) {
  if (s == "constant") return LrSchedule::kConstant;
  if (s == "linear") return LrSchedule::kLinear;
  throw ConfigError("--lr-schedule: unknown schedule '" + std::string(s) + "' (expected constant or linear)");
}

// Rate of step t (1-based) of a run of total_steps steps (0: unknown, constant).
inline double scheduled_lr(double lr, LrSchedule schedule, long t, long total_steps) {
  if (schedule == LrSchedule::kConstant || total_steps <= 0) return lr;
  const long done = std::clamp(t - 1, 0L, total_steps - 1);
  return lr * (1.0 - static_cast<double>(done) / static_cast<double>(total_steps));
}

}  // namespace sqt::nn
