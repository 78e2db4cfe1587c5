// The one compilation of Model<mpc::Rep4> and Predictor<mpc::Rep4>
// (host/nn/model_instances.h).
#include "host/nn/model_instances.h"

namespace sqt::nn {
template class Model<mpc::Rep4>;
template class Predictor<mpc::Rep4>;
}  // namespace sqt::nn
