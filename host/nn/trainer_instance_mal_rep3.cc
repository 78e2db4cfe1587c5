// The one compilation of Trainer<mpc::MalRep3> (host/nn/trainer_instances.h).
#include "host/nn/trainer_instances.h"

namespace sqt::nn {
template class Trainer<mpc::MalRep3>;
}  // namespace sqt::nn
