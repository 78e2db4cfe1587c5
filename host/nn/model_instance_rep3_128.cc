// The one compilation of Model<mpc::Rep3_128> and Predictor<mpc::Rep3_128>
// (host/nn/model_instances.h).
#include "host/nn/model_instances.h"

namespace sqt::nn {
template class Model<mpc::Rep3_128>;
template class Predictor<mpc::Rep3_128>;
}  // namespace sqt::nn
