// The one compilation of Trainer<mpc::Clear> (host/nn/trainer_instances.h).
#include "host/nn/trainer_instances.h"

namespace sqt::nn {
template class Trainer<mpc::Clear>;
}  // namespace sqt::nn
