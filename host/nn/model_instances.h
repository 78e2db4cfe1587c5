// Model<P> and Predictor<P> for every protocol of the registry are compiled
// once, in host/nn/model_instance_*.cc. A file that runs one of them
// includes this header instead of model.h or predictor.h, so it does not
// compile the forward and backward passes (layers, fx functions) again.
// Only members defined outside the class body are kept out this way: GCC
// still compiles an in-class (inline) member of an `extern template` class
// wherever it is called, so the costly members of Model, Predictor and
// Trainer are defined below their classes.
#pragma once

#include "host/mpc/clear/clear.h"
#include "host/mpc/mal_rep3/mal_rep3.h"
#include "host/mpc/rep3/rep3.h"
#include "host/mpc/rep4/rep4.h"
#include "host/mpc/shamir/shamir.h"
#include "host/nn/model.h"
#include "host/nn/predictor.h"

namespace sqt::nn {

extern template class Model<mpc::Clear>;
extern template class Model<mpc::Clear128>;
extern template class Model<mpc::Rep3>;
extern template class Model<mpc::Rep3_128>;
extern template class Model<mpc::Rep4>;
extern template class Model<mpc::MalRep3>;
extern template class Model<mpc::Shamir>;

extern template class Predictor<mpc::Clear>;
extern template class Predictor<mpc::Clear128>;
extern template class Predictor<mpc::Rep3>;
extern template class Predictor<mpc::Rep3_128>;
extern template class Predictor<mpc::Rep4>;
extern template class Predictor<mpc::MalRep3>;
extern template class Predictor<mpc::Shamir>;

}  // namespace sqt::nn
