// Trainer<P> for every protocol of the registry is compiled once, in
// host/nn/trainer_instance_*.cc. A file that trains one of them includes
// this header instead of trainer.h, so it does not compile the whole
// training stack (model, layers, optimizer, fx functions) again: that
// instantiation is most of the build time of the command and test programs.
// Model<P> and Predictor<P> come compiled too (model_instances.h). run() is
// defined below Trainer's class: see model_instances.h for why.
#pragma once

#include "host/mpc/clear/clear.h"
#include "host/mpc/mal_rep3/mal_rep3.h"
#include "host/mpc/rep3/rep3.h"
#include "host/mpc/rep4/rep4.h"
#include "host/mpc/shamir/shamir.h"
#include "host/nn/model_instances.h"
#include "host/nn/trainer.h"

namespace sqt::nn {

extern template class Trainer<mpc::Clear>;
extern template class Trainer<mpc::Clear128>;
extern template class Trainer<mpc::Rep3>;
extern template class Trainer<mpc::Rep3_128>;
extern template class Trainer<mpc::Rep4>;
extern template class Trainer<mpc::MalRep3>;
extern template class Trainer<mpc::Shamir>;

}  // namespace sqt::nn
