// The one compilation of Trainer<mpc::Clear128> (host/nn/trainer_instances.h).
#include "host/nn/trainer_instances.h"

namespace sqt::nn {
template class Trainer<mpc::Clear128>;
}  // namespace sqt::nn
