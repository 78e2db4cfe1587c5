// The one compilation of Model<mpc::MalRep3> and Predictor<mpc::MalRep3>
// (host/nn/model_instances.h).
#include "host/nn/model_instances.h"

namespace sqt::nn {
template class Model<mpc::MalRep3>;
template class Predictor<mpc::MalRep3>;
}  // namespace sqt::nn
