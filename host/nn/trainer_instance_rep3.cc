// The one compilation of Trainer<mpc::Rep3> (host/nn/trainer_instances.h).
#include "host/nn/trainer_instances.h"

namespace sqt::nn {
template class Trainer<mpc::Rep3>;
}  // namespace sqt::nn
