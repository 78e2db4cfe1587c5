// 1/sqrt(x) for the adaptive optimizers: fx::invsqrt (DESIGN.md section 3,
// normalisation + quadratic approximation, no Newton iterations).
#pragma once

#include "host/mpc/fixed/invsqrt.h"

namespace sqt::nn {

template <class P>
typename P::Share invsqrt(P& p, const typename P::Share& x) {
  return mpc::fx::invsqrt(p, x);
}

}  // namespace sqt::nn
