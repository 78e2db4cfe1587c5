#include "host/nn/onnx_export.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include "host/core/error.h"
#include "host/core/secure_file.h"
#include "host/nn/onnx_layout.h"
#include "onnx/onnx_pb.h"

namespace sqt::nn {
namespace {

constexpr int kOpset = 13;

class GraphWriter {
 public:
  explicit GraphWriter(onnx::GraphProto& g) : g_(g) {}

  void tensor(const std::string& name, std::initializer_list<std::int64_t> dims,
              const std::vector<float>& v) {
    onnx::TensorProto& t = *g_.add_initializer();
    t.set_name(name);
    t.set_data_type(onnx::TensorProto::FLOAT);
    for (std::int64_t d : dims) t.add_dims(d);
    t.mutable_float_data()->Add(v.begin(), v.end());
  }

  // Appends node `op` named `name` on `inputs`; its one output is named after it.
  onnx::NodeProto& node(const std::string& op, const std::string& name, std::vector<std::string> inputs) {
    onnx::NodeProto& n = *g_.add_node();
    n.set_op_type(op);
    n.set_name(name);
    for (auto& in : inputs) n.add_input(in);
    n.add_output(name);
    return n;
  }

  static void ints(onnx::NodeProto& n, const std::string& name, std::initializer_list<std::int64_t> v) {
    onnx::AttributeProto& a = *n.add_attribute();
    a.set_name(name);
    a.set_type(onnx::AttributeProto::INTS);
    for (std::int64_t x : v) a.add_ints(x);
  }
  static void integer(onnx::NodeProto& n, const std::string& name, std::int64_t v) {
    onnx::AttributeProto& a = *n.add_attribute();
    a.set_name(name);
    a.set_type(onnx::AttributeProto::INT);
    a.set_i(v);
  }

  static void float_tensor_type(onnx::ValueInfoProto& v, const std::string& name,
                                std::initializer_list<std::int64_t> dims) {
    v.set_name(name);
    auto& t = *v.mutable_type()->mutable_tensor_type();
    t.set_elem_type(onnx::TensorProto::FLOAT);
    t.mutable_shape()->add_dim()->set_dim_param("batch");
    for (std::int64_t d : dims) t.mutable_shape()->add_dim()->set_dim_value(d);
  }

 private:
  onnx::GraphProto& g_;
};

std::vector<float> to_float(const std::vector<double>& v) { return {v.begin(), v.end()}; }

// OIHW copy of an HWIO conv weight.
std::vector<float> conv_oihw(const std::vector<double>& hwio, int k, int c_in, int c_out) {
  std::vector<float> w(hwio.size());
  std::size_t at = 0;
  for (int o = 0; o < c_out; ++o)
    for (int c = 0; c < c_in; ++c)
      for (int y = 0; y < k; ++y)
        for (int x = 0; x < k; ++x)
          w[at++] = static_cast<float>(hwio[onnx_layout::conv_hwio(k, c_in, c_out, o, c, y, x)]);
  return w;
}

// Gemm's B [out][in] (transB = 1) of an SQT [in][out] weight; `flat` is the
// spatial shape ONNX's Flatten ordered (c, h, w), or {1, 1, in} when none did.
std::vector<float> gemm_b(const std::vector<double>& w, const Shape& flat, int out) {
  const std::size_t in = flat.size();
  std::vector<float> b(in * static_cast<std::size_t>(out));
  for (std::size_t i = 0; i < in; ++i) {
    const std::size_t row = onnx_layout::hwc_row_of_chw(flat, i);
    for (int o = 0; o < out; ++o)
      b[static_cast<std::size_t>(o) * in + i] = static_cast<float>(w[row * out + o]);
  }
  return b;
}

}  // namespace

bool is_onnx_path(const std::string& path) {
  if (path.size() < 5) return false;
  std::string ext = path.substr(path.size() - 5);
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return ext == ".onnx";
}

void write_onnx_model(const std::string& path, const Architecture& arch, const ModelParams& params,
                      const InputMap& input) {
  if (params.size() != arch.layers.size())
    throw ShapeError("model " + arch.name + ": " + std::to_string(params.size()) + " parameter entries for " +
                     std::to_string(arch.layers.size()) + " layers");
  const std::vector<Shape> shapes = layer_output_shapes(arch);
  onnx::ModelProto m;
  m.set_ir_version(onnx::IR_VERSION);
  m.set_producer_name("sqt");
  m.set_doc_string("model " + arch.name + " trained by sqt; input: raw pixel values 0..255, NCHW");
  auto& opset = *m.add_opset_import();
  opset.set_domain("");
  opset.set_version(kOpset);
  onnx::GraphProto& g = *m.mutable_graph();
  g.set_name("sqt_" + arch.name);
  GraphWriter w(g);
  GraphWriter::float_tensor_type(*g.add_input(), "pixels", {arch.input.c, arch.input.h, arch.input.w});

  w.tensor("input_scale", {}, {static_cast<float>(input.scale)});
  w.tensor("input_offset", {}, {static_cast<float>(input.offset)});
  w.node("Mul", "input_scale_mul", {"pixels", "input_scale"});
  std::string x = w.node("Add", "input_offset_add", {"input_scale_mul", "input_offset"}).output(0);

  bool flat = false;         // rank 2 ([batch][features]) after a Flatten or Gemm
  Shape flattened{1, 1, 0};  // what the last Flatten flattened, in (c, h, w) order
  for (std::size_t i = 0; i < arch.layers.size(); ++i) {
    const LayerSpec& l = arch.layers[i];
    const Shape in = i == 0 ? arch.input : shapes[i - 1];
    const std::string name = "layer" + std::to_string(i) + "_" + std::string(layer_kind_name(l.kind));
    const LayerParams& p = params[i];
    if (p.weight.size() != weight_count(arch, i) || p.bias.size() != bias_count(arch, i))
      throw ShapeError("model " + arch.name + " layer " + std::to_string(i) +
                       ": parameter counts do not match");
    const bool spatial =
        l.kind == LayerKind::kConv || l.kind == LayerKind::kMaxPool || l.kind == LayerKind::kAvgPool;
    if (spatial && flat)
      throw ShapeError("model " + arch.name + " layer " + std::to_string(i) + ": " +
                       std::string(layer_kind_name(l.kind)) + " after a flattened layer has no ONNX form");
    switch (l.kind) {
      case LayerKind::kConv: {
        w.tensor(name + "_W", {l.out, in.c, l.kernel, l.kernel}, conv_oihw(p.weight, l.kernel, in.c, l.out));
        w.tensor(name + "_B", {l.out}, to_float(p.bias));
        auto& n = w.node("Conv", name, {x, name + "_W", name + "_B"});
        GraphWriter::ints(n, "kernel_shape", {l.kernel, l.kernel});
        GraphWriter::ints(n, "strides", {l.stride, l.stride});
        GraphWriter::ints(n, "pads", {l.padding, l.padding, l.padding, l.padding});
        x = name;
        break;
      }
      case LayerKind::kMaxPool:
      case LayerKind::kAvgPool: {
        auto& n = w.node(l.kind == LayerKind::kMaxPool ? "MaxPool" : "AveragePool", name, {x});
        GraphWriter::ints(n, "kernel_shape", {l.window, l.window});
        GraphWriter::ints(n, "strides", {l.stride, l.stride});
        x = name;
        break;
      }
      case LayerKind::kRelu:
        x = w.node("Relu", name, {x}).output(0);
        break;
      case LayerKind::kFlatten:
        if (!flat) {
          GraphWriter::integer(w.node("Flatten", name, {x}), "axis", 1);
          x = name;
          flattened = in;
          flat = true;
        }
        break;
      case LayerKind::kDense: {
        if (!flat) {  // SQT's dense layer flattens its input implicitly
          GraphWriter::integer(w.node("Flatten", name + "_flatten", {x}), "axis", 1);
          x = name + "_flatten";
          flattened = in;
        }
        w.tensor(name + "_W", {l.out, static_cast<std::int64_t>(in.size())},
                 gemm_b(p.weight, flattened, l.out));
        w.tensor(name + "_B", {l.out}, to_float(p.bias));
        GraphWriter::integer(w.node("Gemm", name, {x, name + "_W", name + "_B"}), "transB", 1);
        x = name;
        flat = true;
        flattened = {1, 1, l.out};
        break;
      }
    }
  }
  if (!flat) throw ShapeError("model " + arch.name + ": does not end in a dense layer");
  GraphWriter::integer(w.node("Softmax", "probabilities", {x}), "axis", 1);
  GraphWriter::float_tensor_type(*g.add_output(), "probabilities", {arch.classes});

  std::string bytes;
  if (!m.SerializeToString(&bytes)) throw FileError("ONNX model " + path + ": cannot serialize");
  write_file_atomically(path, bytes, 0600);
}

}  // namespace sqt::nn
