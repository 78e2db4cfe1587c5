// The one compilation of Model<mpc::Rep3> and Predictor<mpc::Rep3>
// (host/nn/model_instances.h).
#include "host/nn/model_instances.h"

namespace sqt::nn {
template class Model<mpc::Rep3>;
template class Predictor<mpc::Rep3>;
}  // namespace sqt::nn
