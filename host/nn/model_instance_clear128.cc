// The one compilation of Model<mpc::Clear128> and Predictor<mpc::Clear128>
// (host/nn/model_instances.h).
#include "host/nn/model_instances.h"

namespace sqt::nn {
template class Model<mpc::Clear128>;
template class Predictor<mpc::Clear128>;
}  // namespace sqt::nn
