// Optimizers of the float reference, matching the secure trainer's rules:
// gradients arrive summed over the batch and are divided by the batch size.
//   SGD:  v = momentum * v - lr * g / B;  w += v
//   Adam: m = b1 m + (1 - b1) g;  s = b2 s + (1 - b2) g^2  (g = sum / B)
//         w -= lr * m_hat / sqrt(s_hat + eps^2)   (DESIGN.md section 3)
//   AMSGrad: as Adam with s replaced by its running maximum (then corrected).
#pragma once

#include <string>
#include <vector>

#include "host/nn/lr_schedule.h"
#include "host/plain/plain_net.h"

namespace sqt::plain {

enum class OptimizerKind { kSgd, kAdam, kAmsgrad };

// "sgd", "adam", "amsgrad"; ConfigError naming the value otherwise.
OptimizerKind parse_optimizer(const std::string& name);

struct OptimizerConfig {
  OptimizerKind kind = OptimizerKind::kSgd;
  double lr = 0.01;
  nn::LrSchedule schedule = nn::LrSchedule::kConstant;
  long total_steps = 0;  // of the whole run, for the schedule
  double momentum = 0.9;
  double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
};

class Optimizer {
 public:
  Optimizer(const OptimizerConfig& config, ParamStore& params);
  // Applies the gradients accumulated over `batch` samples, then zeroes them.
  void step(int batch);

 private:
  void update(std::vector<float>& w, std::vector<float>& g, std::vector<float>& m, std::vector<float>& s,
              std::vector<float>& s_max, float inv_batch);

  OptimizerConfig config_;
  ParamStore& params_;
  // Per layer: first state (momentum / Adam m) and second state (Adam s,
  // AMSGrad running max) for weight and bias.
  std::vector<std::vector<float>> m_w_, m_b_, s_w_, s_b_, max_w_, max_b_;
  long long t_ = 0;
};

}  // namespace sqt::plain
