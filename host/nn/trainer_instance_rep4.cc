// The one compilation of Trainer<mpc::Rep4> (host/nn/trainer_instances.h).
#include "host/nn/trainer_instances.h"

namespace sqt::nn {
template class Trainer<mpc::Rep4>;
}  // namespace sqt::nn
