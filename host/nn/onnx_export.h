// `sqt train --export FILE.onnx` (write_model_file picks it by the name): a revealed model as a standard ONNX
// graph (opset 13) that takes raw pixel values (0..255 as float) in NCHW:
//   Mul(scale), Add(offset)   the trainer's input map, so no preprocessing is needed
//   Conv / MaxPool / AveragePool / Relu   weights OIHW, biases, symmetric pads
//   Flatten                   ONNX's (c, h, w) order: the next Gemm's weight rows are
//                             permuted from SQT's (h, w, c) order to match
//   Gemm (transB = 1)         weight [out][in], bias [out]
//   Softmax (axis 1)          output "probabilities" [batch][classes]
// Float weights (float64 rounded to float32). Input "pixels" [batch, C, H, W].
#pragma once

#include <string>

#include "host/nn/architecture.h"
#include "host/nn/model_file.h"

namespace sqt::nn {

// True when `path` ends in ".onnx" (any case): the export format then is ONNX.
bool is_onnx_path(const std::string& path);

// Writes atomically with mode 0600; FileError names the path.
void write_onnx_model(const std::string& path, const Architecture& arch, const ModelParams& params,
                      const InputMap& input);

}  // namespace sqt::nn
