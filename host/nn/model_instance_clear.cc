// The one compilation of Model<mpc::Clear> and Predictor<mpc::Clear>
// (host/nn/model_instances.h).
#include "host/nn/model_instances.h"

namespace sqt::nn {
template class Model<mpc::Clear>;
template class Predictor<mpc::Clear>;
}  // namespace sqt::nn
