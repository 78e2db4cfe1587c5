#include "host/plain/optimizer.h"

#include <algorithm>
#include <cmath>

#include "host/core/error.h"

namespace sqt::plain {

OptimizerKind parse_optimizer(const std::string& name) {
  if (name == "sgd") return OptimizerKind::kSgd;
  if (name == "adam") return OptimizerKind::kAdam;
  if (name == "amsgrad") return OptimizerKind::kAmsgrad;
  throw ConfigError("--optimizer '" + name + "' is not one of sgd, adam, amsgrad");
}

Optimizer::Optimizer(const OptimizerConfig& config, ParamStore& params) : config_(config), params_(params) {
  const bool adaptive = config.kind != OptimizerKind::kSgd;
  for (const auto& p : params) {
    m_w_.emplace_back(p.weight.size(), 0.0f);
    m_b_.emplace_back(p.bias.size(), 0.0f);
    s_w_.emplace_back(adaptive ? p.weight.size() : 0, 0.0f);
    s_b_.emplace_back(adaptive ? p.bias.size() : 0, 0.0f);
    const bool ams = config.kind == OptimizerKind::kAmsgrad;
    max_w_.emplace_back(ams ? p.weight.size() : 0, 0.0f);
    max_b_.emplace_back(ams ? p.bias.size() : 0, 0.0f);
  }
}

void Optimizer::step(int batch) {
  ++t_;
  const float inv_batch = 1.0f / static_cast<float>(batch);
  for (std::size_t i = 0; i < params_.size(); ++i) {
    update(params_[i].weight, params_[i].grad_weight, m_w_[i], s_w_[i], max_w_[i], inv_batch);
    update(params_[i].bias, params_[i].grad_bias, m_b_[i], s_b_[i], max_b_[i], inv_batch);
  }
}

void Optimizer::update(std::vector<float>& w, std::vector<float>& g, std::vector<float>& m,
                       std::vector<float>& s, std::vector<float>& s_max, float inv_batch) {
  const std::size_t n = w.size();
  const auto lr = static_cast<float>(
      nn::scheduled_lr(config_.lr, config_.schedule, static_cast<long>(t_), config_.total_steps));
  if (config_.kind == OptimizerKind::kSgd) {
    const auto mu = static_cast<float>(config_.momentum);
    for (std::size_t k = 0; k < n; ++k) {
      m[k] = mu * m[k] - lr * g[k] * inv_batch;
      w[k] += m[k];
    }
  } else {
    const auto b1 = static_cast<float>(config_.beta1), b2 = static_cast<float>(config_.beta2);
    const auto c1 = static_cast<float>(1.0 / (1.0 - std::pow(config_.beta1, static_cast<double>(t_))));
    const auto c2 = static_cast<float>(1.0 / (1.0 - std::pow(config_.beta2, static_cast<double>(t_))));
    const auto eps2 = static_cast<float>(config_.eps * config_.eps);
    const bool ams = config_.kind == OptimizerKind::kAmsgrad;
    for (std::size_t k = 0; k < n; ++k) {
      const float gk = g[k] * inv_batch;
      m[k] = b1 * m[k] + (1 - b1) * gk;
      s[k] = b2 * s[k] + (1 - b2) * gk * gk;
      // AMSGrad keeps the maximum of the raw second moment and bias-corrects
      // it afterwards, as the secure optimizer does (host/nn/optimizer.h).
      if (ams) s_max[k] = std::max(s_max[k], s[k]);
      const float s_hat = (ams ? s_max[k] : s[k]) * c2;
      w[k] -= lr * (m[k] * c1) / std::sqrt(s_hat + eps2);
    }
  }
  std::fill(g.begin(), g.end(), 0.0f);
}

}  // namespace sqt::plain
