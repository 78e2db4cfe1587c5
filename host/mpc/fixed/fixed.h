// Protocol-generic fixed-point algorithms (namespace sqt::mpc::fx): templates
// over any P that models Protocol (host/mpc/protocol.h). Values are encoded as
// round(x * 2^f) with f = p.fixed().f and must satisfy |x| < 2^(k - f - 1).
// Every function is vectorized and costs a fixed number of rounds per call,
// whatever the length of its inputs. docs/PROTOCOLS.md gives each algorithm,
// its rounds and its measured error.
//
// Include this header to get all of them:
//   fx::mul, fx::matmul, fx::mul_public, fx::select, fx::ltz, fx::less_than,
//   fx::relu                        basic.h
//   fx::max_windows                 max_windows.h
//   fx::exp2, fx::exp               exp.h
//   fx::reciprocal, fx::div         reciprocal.h
//   fx::invsqrt, fx::sqrt           invsqrt.h
//   fx::log                         log.h
//   fx::softmax                     softmax.h
#pragma once

#include "host/mpc/fixed/basic.h"
#include "host/mpc/fixed/exp.h"
#include "host/mpc/fixed/invsqrt.h"
#include "host/mpc/fixed/log.h"
#include "host/mpc/fixed/max_windows.h"
#include "host/mpc/fixed/reciprocal.h"
#include "host/mpc/fixed/softmax.h"
