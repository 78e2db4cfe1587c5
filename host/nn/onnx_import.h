// Reading a sequential ONNX graph (what `sqt train --export FILE.onnx` writes,
// and what PyTorch's exporter writes for a plain CNN/MLP) into SQT layers:
//   [Mul|Add|Sub|Div by a scalar]*  the input map (pixel -> value), before the first layer
//   Conv                            group 1, dilations 1, square kernel, symmetric pads
//   MaxPool, AveragePool            square window, no padding, floor mode
//   Relu
//   [Transpose 0,2,3,1] Flatten     axis 1; Reshape to [-1|0, features] counts as a Flatten
//   Gemm, or MatMul [+ Add bias]    alpha = beta = 1, transA = 0
//   [Softmax|LogSoftmax]            only as the last node (SQT's loss applies its own)
//   Identity, Dropout               no-ops (inference)
// Each node must take the previous node's output; weights must be
// initializers (or Constant nodes). Parameters come out in SQT's layouts
// (host/nn/architecture.h). Errors (FileError) name the file, the node and
// what is unsupported or does not fit.
#pragma once

#include <string>
#include <vector>

#include "host/nn/architecture.h"
#include "host/nn/model_file.h"

namespace sqt::nn {

struct OnnxLayer {
  LayerSpec spec;
  LayerParams params;  // SQT layouts; empty for layers without parameters
  std::string node;    // the ONNX node's name (or "#index" when it has none)
  std::string op;      // its op type
};

struct OnnxModel {
  std::string path;
  Shape input;               // from the graph input [batch, C, H, W]
  InputMap input_map{1, 0};  // identity when the graph has no leading scalar Mul/Add
  std::vector<OnnxLayer> layers;
  int classes = 0;  // the last dense layer's outputs
};

OnnxModel read_onnx_model(const std::string& path);

// The architecture the graph describes, named `name`.
Architecture onnx_architecture(const OnnxModel& m, const std::string& name);

// The graph's parameters laid out for `arch`, after checking the graph is
// `arch` layer by layer (flattens aside): the error names the ONNX node, the
// model's layer and the mismatch (op, channels, kernel, stride, padding,
// window, features, input shape).
ModelParams onnx_params_for(const OnnxModel& m, const Architecture& arch);

// The graph as a model file of the built-in network it matches
// (read_model_file takes this path for *.onnx); FileError when none does.
ModelFile read_onnx_model_file(const std::string& path);

}  // namespace sqt::nn
