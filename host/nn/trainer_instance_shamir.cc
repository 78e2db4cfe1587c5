// The one compilation of Trainer<mpc::Shamir> (host/nn/trainer_instances.h).
#include "host/nn/trainer_instances.h"

namespace sqt::nn {
template class Trainer<mpc::Shamir>;
}  // namespace sqt::nn
