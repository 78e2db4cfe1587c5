// Optimizers on the flat parameter and gradient shares (host/nn/model.h).
// Gradients arrive summed over the batch; SGD divides by the batch size inside
// its truncation (a power-of-two batch costs nothing extra). Adam and AMSGrad
// are invariant to the gradient's scale except for epsilon, so they run on the
// summed gradient with epsilon scaled by the batch size (better precision at
// f = 16 than averaging first) and use the inverse square root of
// host/nn/invsqrt.h. Parameters stored at 2f (Model::param_runs) take the
// update without a truncation; those at f are truncated, all in one call.
#pragma once

#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "host/core/error.h"
#include "host/nn/invsqrt.h"
#include "host/nn/lr_schedule.h"
#include "host/nn/model.h"
#include "host/nn/protocol_extras.h"
#include "host/nn/share_ops.h"

namespace sqt::nn {

// x 2^f rounded down or up at random so that the mean over steps is exact:
// a parameter at 2f takes a learning rate at f, which would otherwise lose
// its relative precision (or vanish) late in a decaying schedule. The draw
// is a public function of the step, the same at every party.
template <RingElement T>
T encode_fixed_public_stochastic(double x, int f, std::uint64_t step) {
  const double scaled = std::ldexp(x, f), low = std::floor(scaled);
  std::uint64_t z = (step + 1) * 0x9E3779B97F4A7C15ULL;  // splitmix64 finaliser
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  const double u = static_cast<double>((z ^ (z >> 31)) >> 11) * 0x1p-53;
  return static_cast<T>(
      static_cast<SignedOf<T>>(static_cast<std::int64_t>(low) + (u < scaled - low ? 1 : 0)));
}

enum class OptimizerKind { kSgd, kAdam, kAmsgrad };

inline OptimizerKind parse_optimizer(std::string_view s) {
  if (s == "sgd") return OptimizerKind::kSgd;
  if (s == "adam") return OptimizerKind::kAdam;
  if (s == "amsgrad") return OptimizerKind::kAmsgrad;
  throw ConfigError("--optimizer: unknown optimizer '" + std::string(s) +
                    "' (expected sgd, adam or amsgrad)");
}

struct OptimizerConfig {
  OptimizerKind kind = OptimizerKind::kSgd;
  double lr = 0.01;
  LrSchedule schedule = LrSchedule::kConstant;
  double momentum = 0.9;
  double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
};

template <class P>
class Optimizer {
 public:
  using S = typename P::Share;
  using Ring = typename P::Ring;  // the protocol's ring

  Optimizer(OptimizerConfig cfg, std::size_t params) : cfg_(cfg), n_(params) {}

  // State shares (checkpointed): SGD {velocity}; Adam {m, v}; AMSGrad {m, v, vmax}.
  std::vector<S>& state() { return state_; }
  long steps() const { return t_; }
  void set_steps(long t) { t_ = t; }
  // Steps of the whole run, for the learning-rate schedule.
  void set_total_steps(long n) { total_steps_ = n; }
  double lr() const { return scheduled_lr(cfg_.lr, cfg_.schedule, t_, total_steps_); }

  void init(P& p) {
    const std::size_t k = cfg_.kind == OptimizerKind::kSgd ? 1 : cfg_.kind == OptimizerKind::kAdam ? 2 : 3;
    state_.assign(k, p.zeros(n_));
  }

  // SGD's velocity and momentum for Model::backward to fold in (host/nn/model.h);
  // empty for Adam and AMSGrad. The velocity stays owned by the optimizer.
  std::optional<MomentumFold<S>> momentum_fold(P& p) {
    if (cfg_.kind != OptimizerKind::kSgd) return std::nullopt;
    if (state_.empty()) init(p);
    return MomentumFold<S>{&state_[0], encode_fixed<Ring>(cfg_.momentum, p.fixed().f)};
  }

  // SGD step whose velocity update Model::backward has already done:
  // `velocity` = trunc(mu v + grad); theta -= lr / batch * velocity.
  // `runs`: theta's layout by precision (Model::param_runs).
  void step_folded(P& p, S& theta, S velocity, std::size_t batch, std::span<const ParamRun> runs) {
    if (cfg_.kind != OptimizerKind::kSgd) throw ConfigError("step_folded: only SGD folds its momentum");
    if (state_.empty()) init(p);
    ++t_;
    state_[0] = std::move(velocity);
    apply_velocity(p, theta, batch, runs);
  }

  // theta -= update(grad summed over `batch` samples).
  void step(P& p, S& theta, const S& grad, std::size_t batch, std::span<const ParamRun> runs) {
    if (state_.empty()) init(p);
    ++t_;
    const int f = p.fixed().f;
    if (cfg_.kind == OptimizerKind::kSgd) {
      S& v = state_[0];
      v = p.add(p.trunc(p.mul_public(std::move(v), encode_fixed<Ring>(cfg_.momentum, f)), f), grad);
      apply_velocity(p, theta, batch, runs);
      return;
    }
    S& m = state_[0];
    S& v = state_[1];
    const Ring b1 = encode_fixed<Ring>(cfg_.beta1, f), b1c = encode_fixed<Ring>(1 - cfg_.beta1, f);
    const Ring b2 = encode_fixed<Ring>(cfg_.beta2, f), b2c = encode_fixed<Ring>(1 - cfg_.beta2, f);
    // m and g^2 in one truncation.
    const S m2f = p.add(p.mul_public(m, b1), p.mul_public(grad, b1c));
    const S g2f = p.mul(grad, grad);
    const S t1 = p.trunc(concat({&m2f, &g2f}), f);
    m = slice(t1, 0, n_);
    const S g2 = slice(t1, n_, n_);
    v = p.trunc(p.add(p.mul_public(v, b2), p.mul_public(g2, b2c)), f);
    S vv = v;
    if (cfg_.kind == OptimizerKind::kAmsgrad) {
      S& vmax = state_[2];
      const S d = p.sub(v, vmax);
      vmax = p.add(vmax, p.mul(p.add_public(p.neg(p.ltz(d)), Ring{1}), d));  // max(vmax, v)
      vv = vmax;
    }
    // Bias corrections fold into public constants.
    const double c1 = 1 - std::pow(cfg_.beta1, static_cast<double>(t_));
    const double c2 = 1 - std::pow(cfg_.beta2, static_cast<double>(t_));
    const double eps = cfg_.eps * static_cast<double>(batch) * std::sqrt(c2);
    Ring eps2 = encode_fixed<Ring>(eps * eps, f);
    if (eps2 == 0) eps2 = 1;  // at least one unit: invsqrt needs a positive input
    const S r = invsqrt(p, p.add_public(vv, eps2));
    const S mr = mul_trunc(p, m, r, f);
    const double rate = lr() * std::sqrt(c2) / c1;
    subtract_scaled(p, theta, mr, encode_fixed<Ring>(rate, f), f,
                    encode_fixed_public_stochastic<Ring>(rate, f, t_), runs);
  }

 private:
  // theta -= lr / batch * v: a power-of-two batch folds into the truncation shift.
  void apply_velocity(P& p, S& theta, std::size_t batch, std::span<const ParamRun> runs) {
    const int f = p.fixed().f;
    int shift = f;
    double lr = this->lr();
    if (std::has_single_bit(batch))
      shift += std::countr_zero(batch);
    else
      lr /= static_cast<double>(batch);
    const double per_sample = this->lr() / static_cast<double>(batch);
    subtract_scaled(p, theta, state_[0], encode_fixed<Ring>(lr, f), shift,
                    encode_fixed_public_stochastic<Ring>(per_sample, f, t_), runs);
  }

  // theta -= u * rate: where theta is at f, as trunc(u c_f, shift); where it
  // is at 2f, as u c_2f with no truncation (u at f, c_2f the rate at f).
  // theta is updated in place, run by run (no slices of it or of u).
  void subtract_scaled(P& p, S& theta, const S& u, Ring c_f, int shift, Ring c_2f,
                       std::span<const ParamRun> runs) {
    const int f = p.fixed().f;
    std::vector<S> at_f;  // the f runs' u c_f, truncated together below
    std::size_t off = 0;
    for (const auto& r : runs) {
      if (r.frac_bits != f && r.frac_bits != 2 * f)
        throw ShapeError("optimizer: parameters at " + std::to_string(r.frac_bits) + " fractional bits");
      if (r.frac_bits == f)
        at_f.push_back(p.mul_public(r.count == u.size() ? u : slice(u, off, r.count), c_f));
      off += r.count;
    }
    if (off != u.size()) throw ShapeError("optimizer: the parameter runs do not cover the parameters");
    const S dec = at_f.empty() ? S{} : p.trunc(at_f.size() == 1 ? at_f[0] : concat(at_f), shift);
    off = 0;
    std::size_t used = 0;
    for (const auto& r : runs) {
      if (r.frac_bits == f) {
        subtract_scaled_range(theta, off, dec, used, r.count, Ring{1});
        used += r.count;
      } else {
        subtract_scaled_range(theta, off, u, off, r.count, c_2f);
      }
      off += r.count;
    }
  }

  OptimizerConfig cfg_;
  std::size_t n_;
  long t_ = 0;
  long total_steps_ = 0;
  std::vector<S> state_;
};

}  // namespace sqt::nn
