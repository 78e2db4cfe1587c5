// The one compilation of Model<mpc::Shamir> and Predictor<mpc::Shamir>
// (host/nn/model_instances.h).
#include "host/nn/model_instances.h"

namespace sqt::nn {
template class Model<mpc::Shamir>;
template class Predictor<mpc::Shamir>;
}  // namespace sqt::nn
