// The exported model file: a trained model's float64 parameters, written by
// `sqt train --export` (by the party that received the revealed model) and
// loaded by the float reference (host/plain) for inference.
//
// Format (little-endian, docs/TRAINING.md):
//   8 bytes  magic "SQTMODEL"
//   u32      version (2; version 1 files, without the input map, still load)
//   u32      length L of the architecture name, then L bytes ("A" .. "cifar", or the path of an ONNX network)
//   f64, f64 input map (version 2): input value = pixel * scale + offset, the
//            map the model was trained with (--standardize changes it)
//   u32      number of layers (equals make_architecture(name).layers.size())
//   per layer: u32 kind (LayerKind), u64 weight count, u64 bias count,
//              then the weights and the biases as float64, in the layouts of
//              host/nn/architecture.h (dense [in][out], conv HWIO).
#pragma once

#include <optional>
#include <string>

#include "host/nn/architecture.h"

namespace sqt::nn {

// How pixels (bytes) become input values: value = pixel * scale + offset.
struct InputMap {
  double scale = 0, offset = 0;
};

struct ModelFile {
  Architecture arch;
  ModelParams params;
  std::optional<InputMap> input;  // absent in version 1 files: the dataset's default map
};

// Writes atomically with mode 0600 (host/core/secure_file.h); refuses a
// symlink at `path`. Throws FileError naming path. A path ending in ".onnx"
// gets the model as an ONNX graph instead (host/nn/onnx_export.h).
void write_model_file(const std::string& path, const Architecture& arch, const ModelParams& params,
                      const InputMap& input);

// Reads and checks every count against the named architecture; FileError
// names the path and what did not match. A path ending in ".onnx" is read as
// an ONNX graph of one of the built-in networks (host/nn/onnx_import.h).
ModelFile read_model_file(const std::string& path);

}  // namespace sqt::nn
