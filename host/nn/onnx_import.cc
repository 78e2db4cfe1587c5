#include "host/nn/onnx_import.h"

#include <fmt/core.h>
#include <fmt/ranges.h>

#include <cstdint>
#include <cstring>
#include <deque>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "host/core/error.h"
#include "host/nn/onnx_layout.h"
#include "onnx/onnx_pb.h"

namespace sqt::nn {
namespace {

using Ints = std::vector<std::int64_t>;

// Bounds on what a file may declare, so no size computed from it overflows:
// any one extent (channels, height, kernel, stride, padding), a dense layer's
// features, and one tensor's element count.
constexpr std::int64_t kMaxExtent = 1 << 16, kMaxFeatures = 1 << 24;
constexpr double kMaxElements = 1u << 31;

std::string dims_text(const Ints& d) {
  std::string s;
  for (std::size_t i = 0; i < d.size(); ++i) {
    if (i) s += 'x';
    s += std::to_string(d[i]);
  }
  return d.empty() ? "scalar" : s;
}

template <class T>
std::vector<T> raw_values(const std::string& raw, const std::string& where) {
  if (raw.size() % sizeof(T) != 0)
    throw FileError(where + ": raw data of " + std::to_string(raw.size()) + " bytes");
  std::vector<T> v(raw.size() / sizeof(T));
  std::memcpy(v.data(), raw.data(), raw.size());  // ONNX raw data is little-endian, as is the host
  return v;
}

// One graph walk: the state between nodes and the checks of each op.
class Reader {
 public:
  explicit Reader(std::string path) { m_.path = std::move(path); }

  OnnxModel read() {
    onnx::ModelProto proto;
    {
      std::ifstream in(m_.path, std::ios::binary);
      if (!in) throw FileError("cannot open ONNX model " + m_.path);
      const std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
      if (!proto.ParseFromString(bytes))
        throw FileError("ONNX model " + m_.path + ": not an ONNX model (parse failed)");
    }
    const onnx::GraphProto& g = proto.graph();
    for (const auto& t : g.initializer()) consts_[t.name()] = &t;
    read_input(g);
    for (int i = 0; i < g.node_size(); ++i) step(g.node(i), i, i + 1 == g.node_size());
    if (g.output_size() != 1 || g.output(0).name() != x_)
      throw FileError(
          m_.path +
          ": the graph's output is not the last node's output (only sequential graphs are supported)");
    if (m_.layers.empty() || m_.layers.back().spec.kind != LayerKind::kDense)
      throw FileError(m_.path + ": the graph does not end in a Gemm or MatMul (the logits SQT's loss needs)");
    m_.classes = m_.layers.back().spec.out;
    return std::move(m_);
  }

 private:
  void read_input(const onnx::GraphProto& g) {
    const onnx::ValueInfoProto* in = nullptr;
    for (const auto& v : g.input()) {
      if (consts_.count(v.name())) continue;  // older exporters list initializers as inputs
      if (in)
        throw FileError(m_.path + ": graph inputs '" + in->name() + "' and '" + v.name() +
                        "': SQT takes one input");
      in = &v;
    }
    if (!in) throw FileError(m_.path + ": the graph has no input");
    const auto& t = in->type().tensor_type();
    const std::string where = m_.path + ": graph input '" + in->name() + "'";
    if (t.elem_type() != onnx::TensorProto::FLOAT) throw FileError(where + ": not a float tensor");
    Ints d;
    for (const auto& dim : t.shape().dim()) d.push_back(dim.has_dim_value() ? dim.dim_value() : -1);
    if (d.size() != 4 || d[1] <= 0 || d[2] <= 0 || d[3] <= 0 || d[1] > kMaxExtent || d[2] > kMaxExtent ||
        d[3] > kMaxExtent)
      throw FileError(where + ": shape " + dims_text(d) + ", expected [batch, C, H, W] with C, H, W fixed");
    m_.input = {static_cast<int>(d[2]), static_cast<int>(d[3]), static_cast<int>(d[1])};
    s_ = m_.input;
    x_ = in->name();
  }

  const onnx::TensorProto* constant(const std::string& name) const {
    auto it = consts_.find(name);
    return it == consts_.end() ? nullptr : it->second;
  }

  static Ints dims(const onnx::TensorProto& t) { return {t.dims().begin(), t.dims().end()}; }

  std::vector<double> floats(const onnx::TensorProto& t) const {
    const std::string where = m_.path + ": tensor '" + t.name() + "'";
    if (t.data_type() == onnx::TensorProto::FLOAT) {
      if (t.has_raw_data()) {
        auto v = raw_values<float>(t.raw_data(), where);
        return {v.begin(), v.end()};
      }
      return {t.float_data().begin(), t.float_data().end()};
    }
    if (t.data_type() == onnx::TensorProto::DOUBLE) {
      if (t.has_raw_data()) return raw_values<double>(t.raw_data(), where);
      return {t.double_data().begin(), t.double_data().end()};
    }
    throw FileError(where + ": element type " + std::to_string(t.data_type()) + ", expected float or double");
  }

  Ints int64s(const onnx::TensorProto& t) const {
    if (t.data_type() != onnx::TensorProto::INT64)
      throw FileError(m_.path + ": tensor '" + t.name() + "': expected int64");
    if (t.has_raw_data())
      return raw_values<std::int64_t>(t.raw_data(), m_.path + ": tensor '" + t.name() + "'");
    return {t.int64_data().begin(), t.int64_data().end()};
  }

  // Values of a weight tensor with exactly `n` elements.
  std::vector<double> weights(const onnx::TensorProto& t, std::size_t n) const {
    auto v = floats(t);
    if (v.size() != n)
      throw FileError(where_ + ": tensor '" + t.name() + "' holds " + std::to_string(v.size()) +
                      " values, its shape " + dims_text(dims(t)) + " needs " + std::to_string(n));
    return v;
  }

  const onnx::AttributeProto* attr(const onnx::NodeProto& n, const std::string& name) const {
    for (const auto& a : n.attribute())
      if (a.name() == name) return &a;
    return nullptr;
  }
  Ints ints(const onnx::NodeProto& n, const std::string& name, Ints dflt) const {
    const auto* a = attr(n, name);
    return a ? Ints(a->ints().begin(), a->ints().end()) : dflt;
  }
  std::int64_t integer(const onnx::NodeProto& n, const std::string& name, std::int64_t dflt) const {
    const auto* a = attr(n, name);
    return a ? a->i() : dflt;
  }
  float real(const onnx::NodeProto& n, const std::string& name, float dflt) const {
    const auto* a = attr(n, name);
    return a ? a->f() : dflt;
  }
  void require(bool ok, const std::string& what) const {
    if (!ok) throw FileError(where_ + ": " + what);
  }
  // A square 2-D pair (both values equal) or a default.
  int square(const onnx::NodeProto& n, const std::string& name, int dflt) const {
    const Ints v = ints(n, name, {dflt, dflt});
    require(v.size() == 2 && v[0] == v[1],
            name + " " + dims_text(v) + ": only square 2-D values are supported");
    require(v[0] >= 0 && v[0] <= kMaxExtent, name + " " + dims_text(v) + ": out of range");
    return static_cast<int>(v[0]);
  }
  void require_spatial(const std::string& op) const {
    require(rank_ == 4 && !nhwc_, op + " on a " + (rank_ == 2 ? "flattened" : "transposed") + " tensor");
  }

  void push(LayerSpec spec, LayerParams params, const onnx::NodeProto& n, int index) {
    std::string name = n.name();
    if (name.empty()) name = fmt::format("#{}", index);
    m_.layers.push_back({spec, std::move(params), std::move(name), n.op_type()});
    layers_started_ = true;
  }

  void step(const onnx::NodeProto& n, int index, bool last) {
    const std::string& op = n.op_type();
    where_ = fmt::format("{}: node '{}' ({})", m_.path,
                         n.name().empty() ? fmt::format("#{}", index) : n.name(), op);
    if (!n.domain().empty() && n.domain() != "ai.onnx")
      require(false, "op domain '" + n.domain() + "' is not supported");
    if (op == "Constant") {
      const auto* v = attr(n, "value");
      require(v && v->has_t() && n.output_size() == 1,
              "only Constant nodes with a tensor 'value' are supported");
      owned_.push_back(v->t());
      owned_.back().set_name(n.output(0));
      consts_[n.output(0)] = &owned_.back();
      return;
    }
    const bool bias_may_follow = pending_bias_;  // right after a MatMul
    pending_bias_ = false;
    // The data input: the previous node's output; the others must be constants.
    int data = -1;
    for (int i = 0; i < n.input_size(); ++i)
      if (n.input(i) == x_) data = i;
    require(data >= 0,
            "does not take the previous node's output '" + x_ + "' (only sequential graphs are supported)");
    std::vector<const onnx::TensorProto*> c;
    for (int i = 0; i < n.input_size(); ++i) {
      if (i == data || n.input(i).empty()) continue;
      const auto* t = constant(n.input(i));
      require(t != nullptr, "input '" + n.input(i) + "' is neither the previous output nor an initializer");
      c.push_back(t);
    }
    require(n.output_size() >= 1, "has no output");

    if ((op == "Mul" || op == "Add" || op == "Sub" || op == "Div") && c.size() == 1 &&
        floats(*c[0]).size() == 1 && !layers_started_) {
      input_map(op, data, floats(*c[0])[0]);
    } else if (op == "Conv") {
      conv(n, index, c);
    } else if (op == "MaxPool" || op == "AveragePool") {
      pool(n, index, op == "MaxPool" ? LayerKind::kMaxPool : LayerKind::kAvgPool);
    } else if (op == "Relu") {
      push({.kind = LayerKind::kRelu}, {}, n, index);
    } else if (op == "Transpose") {
      require(rank_ == 4 && !nhwc_ && ints(n, "perm", {}) == Ints{0, 2, 3, 1},
              "only perm [0, 2, 3, 1] (NCHW to NHWC) before a Flatten is supported");
      nhwc_ = true;
    } else if (op == "Flatten") {
      require(integer(n, "axis", 1) == 1,
              "axis " + std::to_string(integer(n, "axis", 1)) + ", only 1 is supported");
      flatten(n, index);
    } else if (op == "Reshape") {
      require(c.size() == 1, "needs its shape as an initializer");
      const Ints shape = int64s(*c[0]);
      require(shape.size() == 2 && (shape[0] == -1 || shape[0] == 0) &&
                  (shape[1] == -1 || shape[1] == static_cast<std::int64_t>(s_.size())),
              "shape " + dims_text(shape) + ": only a flatten to [-1 or 0, " + std::to_string(s_.size()) +
                  "] is supported");
      flatten(n, index);
    } else if (op == "Gemm" || op == "MatMul") {
      dense(n, index, c, op == "MatMul");
    } else if (op == "Add" && layers_started_) {
      require(bias_may_follow && c.size() == 1,
              "only a bias Add right after a MatMul is supported after the first layer");
      auto& l = m_.layers.back();
      const Ints d = dims(*c[0]);
      require(d == Ints{l.spec.out} || d == Ints{1, l.spec.out},
              "bias shape " + dims_text(d) + ", expected " + std::to_string(l.spec.out));
      l.params.bias = weights(*c[0], static_cast<std::size_t>(l.spec.out));
    } else if (op == "Softmax" || op == "LogSoftmax") {
      require(last, "only as the last node");
      const auto axis = integer(n, "axis", -1);
      require(rank_ == 2 && (axis == 1 || axis == -1), "axis " + std::to_string(axis) + " on the logits");
    } else if (op == "Identity" || op == "Dropout") {
    } else {
      require(false,
              "unsupported op (supported: Conv, MaxPool, AveragePool, Relu, Flatten, Reshape, Transpose, Gemm, MatMul, "
              "Add, Mul, Sub, Div, Softmax, LogSoftmax, Identity, Dropout, Constant)");
    }
    x_ = n.output(0);
  }

  void input_map(const std::string& op, int data, double v) {
    require(op != "Div" || data == 0, "divides a constant by the input");
    require(op != "Div" || v != 0, "divides by zero");
    InputMap& m = m_.input_map;
    if (op == "Mul") {
      m = {m.scale * v, m.offset * v};
    } else if (op == "Div") {
      m = {m.scale / v, m.offset / v};
    } else if (op == "Add") {
      m.offset += v;
    } else if (data == 0) {  // x - v
      m.offset -= v;
    } else {  // v - x
      m = {-m.scale, v - m.offset};
    }
  }

  void conv(const onnx::NodeProto& n, int index, const std::vector<const onnx::TensorProto*>& c) {
    require_spatial("Conv");
    require(n.input_size() >= 2 && n.input(0) == x_ && c.size() >= 1,
            "needs its input first and its weight as an initializer");
    const Ints wd = dims(*c[0]);
    require(wd.size() == 4 && wd[2] == wd[3], "weight shape " + dims_text(wd) + ", expected [out, in, k, k]");
    require(
        wd[0] >= 1 && wd[0] <= kMaxExtent && wd[2] >= 1 && wd[2] <= kMaxExtent &&
            static_cast<double>(wd[0]) * static_cast<double>(wd[1]) * static_cast<double>(wd[2] * wd[3]) <=
                kMaxElements,
        "weight shape " + dims_text(wd) + " out of range");
    require(wd[1] == s_.c, fmt::format("weight takes {} input channels, its input has {}", wd[1], s_.c));
    require(integer(n, "group", 1) == 1,
            "group " + std::to_string(integer(n, "group", 1)) + ", only 1 is supported");
    require(square(n, "dilations", 1) == 1, "dilations other than 1 are not supported");
    const auto* ap = attr(n, "auto_pad");
    require(!ap || ap->s().empty() || ap->s() == "NOTSET",
            "auto_pad " + (ap ? ap->s() : "") + " is not supported (use pads)");
    const int k = static_cast<int>(wd[2]), out = static_cast<int>(wd[0]);
    require(square(n, "kernel_shape", k) == k,
            "kernel_shape does not match the weight's " + std::to_string(k));
    const Ints pads = ints(n, "pads", {0, 0, 0, 0});
    require(pads.size() == 4 && pads[0] == pads[1] && pads[0] == pads[2] && pads[0] == pads[3],
            "pads " + dims_text(pads) + ": only equal pads on every side are supported");
    require(pads[0] >= 0 && pads[0] <= kMaxExtent, "pads " + dims_text(pads) + " out of range");
    LayerSpec spec{.kind = LayerKind::kConv,
                   .out = out,
                   .kernel = k,
                   .stride = square(n, "strides", 1),
                   .padding = static_cast<int>(pads[0])};
    const std::vector<double> w = weights(*c[0], static_cast<std::size_t>(out) * s_.c * k * k);
    LayerParams p;
    p.weight.resize(w.size());
    std::size_t at = 0;
    for (int o = 0; o < out; ++o)
      for (int ci = 0; ci < s_.c; ++ci)
        for (int y = 0; y < k; ++y)
          for (int x = 0; x < k; ++x) p.weight[onnx_layout::conv_hwio(k, s_.c, out, o, ci, y, x)] = w[at++];
    if (c.size() >= 2) {
      require(dims(*c[1]) == Ints{out},
              "bias shape " + dims_text(dims(*c[1])) + ", expected " + std::to_string(out));
      p.bias = weights(*c[1], static_cast<std::size_t>(out));
    } else {
      p.bias.assign(static_cast<std::size_t>(out), 0.0);
    }
    const int hp = s_.h + 2 * spec.padding - k, wp = s_.w + 2 * spec.padding - k;
    require(hp >= 0 && wp >= 0 && spec.stride >= 1, "kernel larger than the padded input");
    s_ = {hp / spec.stride + 1, wp / spec.stride + 1, out};
    push(spec, std::move(p), n, index);
  }

  // MaxPool or AveragePool (without padding, count_include_pad does not matter).
  void pool(const onnx::NodeProto& n, int index, LayerKind kind) {
    require_spatial(n.op_type());
    require(n.output_size() == 1, "the Indices output is not supported");
    require(integer(n, "ceil_mode", 0) == 0, "ceil_mode 1 is not supported");
    require(integer(n, "storage_order", 0) == 0, "storage_order 1 is not supported");
    require(square(n, "dilations", 1) == 1, "dilations other than 1 are not supported");
    const Ints pads = ints(n, "pads", {0, 0, 0, 0});
    require(pads == Ints{0, 0, 0, 0}, "pads " + dims_text(pads) + ": padding is not supported");
    const auto* ap = attr(n, "auto_pad");
    require(!ap || ap->s().empty() || ap->s() == "NOTSET" || ap->s() == "VALID",
            "auto_pad " + (ap ? ap->s() : "") + " is not supported");
    require(attr(n, "kernel_shape") != nullptr, "has no kernel_shape");
    const int window = square(n, "kernel_shape", 0);
    LayerSpec spec{.kind = kind, .stride = square(n, "strides", 1), .window = window};
    require(window >= 1 && spec.stride >= 1, "window and stride must be at least 1");
    require(window <= s_.h && window <= s_.w, "window larger than its input");
    s_ = {(s_.h - window) / spec.stride + 1, (s_.w - window) / spec.stride + 1, s_.c};
    push(spec, {}, n, index);
  }

  void flatten(const onnx::NodeProto& n, int index) {
    if (rank_ == 2) return;  // already [batch][features]
    flat_ = s_;
    flat_chw_ = !nhwc_;
    nhwc_ = false;
    rank_ = 2;
    s_ = {1, 1, static_cast<int>(s_.size())};
    push({.kind = LayerKind::kFlatten}, {}, n, index);
  }

  void dense(const onnx::NodeProto& n, int index, const std::vector<const onnx::TensorProto*>& c,
             bool matmul) {
    require(rank_ == 2, "on a " + std::to_string(rank_) + "-D tensor: Flatten first");
    require(n.input(0) == x_ && c.size() >= 1, "needs its input first and its weight as an initializer");
    bool trans_b = false;
    if (!matmul) {
      require(real(n, "alpha", 1) == 1 && real(n, "beta", 1) == 1,
              "alpha and beta other than 1 are not supported");
      require(integer(n, "transA", 0) == 0, "transA 1 is not supported");
      trans_b = integer(n, "transB", 0) == 1;
    }
    const Ints wd = dims(*c[0]);
    require(wd.size() == 2, "weight shape " + dims_text(wd) + ", expected 2-D");
    require(wd[0] >= 1 && wd[0] <= kMaxFeatures && wd[1] >= 1 && wd[1] <= kMaxFeatures &&
                static_cast<double>(wd[0]) * static_cast<double>(wd[1]) <= kMaxElements,
            "weight shape " + dims_text(wd) + " out of range");
    const std::int64_t in = trans_b ? wd[1] : wd[0], out = trans_b ? wd[0] : wd[1];
    require(in == static_cast<std::int64_t>(s_.size()),
            fmt::format("weight takes {} features, its input has {}", in, s_.size()));
    const std::vector<double> w = weights(*c[0], static_cast<std::size_t>(in * out));
    LayerParams p;
    p.weight.resize(w.size());
    for (std::int64_t i = 0; i < in; ++i) {
      const std::size_t row = flat_chw_ ? onnx_layout::hwc_row_of_chw(flat_, static_cast<std::size_t>(i)) : i;
      for (std::int64_t o = 0; o < out; ++o) p.weight[row * out + o] = w[trans_b ? o * in + i : i * out + o];
    }
    p.bias.assign(static_cast<std::size_t>(out), 0.0);
    if (!matmul && c.size() >= 2) {
      const Ints bd = dims(*c[1]);
      require(bd == Ints{out} || bd == Ints{1, out},
              "bias shape " + dims_text(bd) + ", expected " + std::to_string(out));
      p.bias = weights(*c[1], static_cast<std::size_t>(out));
    }
    s_ = {1, 1, static_cast<int>(out)};
    flat_chw_ = false;
    push({.kind = LayerKind::kDense, .out = static_cast<int>(out)}, std::move(p), n, index);
    pending_bias_ = matmul;
  }

  OnnxModel m_;
  std::map<std::string, const onnx::TensorProto*> consts_;
  std::deque<onnx::TensorProto> owned_;  // Constant nodes' values (a deque: pointers stay valid)
  std::string x_, where_;
  Shape s_, flat_;
  int rank_ = 4;
  bool nhwc_ = false, flat_chw_ = false, layers_started_ = false, pending_bias_ = false;

 public:
  Reader(const Reader&) = delete;
};

std::string shape_text(const Shape& s) { return fmt::format("{}x{}x{} (CxHxW)", s.c, s.h, s.w); }

std::string spec_mismatch(const LayerSpec& g, const LayerSpec& a) {
  auto diff = [](const char* what, int gv, int av) {
    return gv == av ? std::string() : fmt::format("{} {}, the model's {}", what, gv, av);
  };
  std::string d;
  auto add = [&](std::string s) {
    if (!s.empty()) d += (d.empty() ? "" : "; ") + s;
  };
  switch (a.kind) {
    case LayerKind::kConv:
      add(diff("output channels", g.out, a.out));
      add(diff("kernel", g.kernel, a.kernel));
      add(diff("stride", g.stride, a.stride));
      add(diff("padding", g.padding, a.padding));
      break;
    case LayerKind::kMaxPool:
    case LayerKind::kAvgPool:
      add(diff("window", g.window, a.window));
      add(diff("stride", g.stride, a.stride));
      break;
    case LayerKind::kDense:
      add(diff("output features", g.out, a.out));
      break;
    default:
      break;
  }
  return d;
}

const char* onnx_op_of(LayerKind k) {
  switch (k) {
    case LayerKind::kConv:
      return "Conv";
    case LayerKind::kMaxPool:
      return "MaxPool";
    case LayerKind::kRelu:
      return "Relu";
    case LayerKind::kDense:
      return "Gemm";
    case LayerKind::kFlatten:
      return "Flatten";
    case LayerKind::kAvgPool:
      return "AveragePool";
  }
  return "?";
}

}  // namespace

OnnxModel read_onnx_model(const std::string& path) { return Reader(path).read(); }

Architecture onnx_architecture(const OnnxModel& m, const std::string& name) {
  Architecture a{name, m.input, m.classes, {}};
  for (const auto& l : m.layers) a.layers.push_back(l.spec);
  return a;
}

ModelParams onnx_params_for(const OnnxModel& m, const Architecture& arch) {
  if (m.input != arch.input)
    throw FileError(m.path + ": graph input is " + shape_text(m.input) + ", model " + arch.name + " takes " +
                    shape_text(arch.input));
  ModelParams params(arch.layers.size());
  std::size_t j = 0;
  auto skip_flatten = [&](std::size_t& g) {
    while (g < m.layers.size() && m.layers[g].spec.kind == LayerKind::kFlatten) ++g;
  };
  for (std::size_t i = 0; i < arch.layers.size(); ++i) {
    const LayerSpec& a = arch.layers[i];
    if (a.kind == LayerKind::kFlatten) continue;
    skip_flatten(j);
    const std::string layer = fmt::format("model {} layer {} ({})", arch.name, i, layer_kind_name(a.kind));
    if (j == m.layers.size())
      throw FileError(
          fmt::format("{}: {} has no node in the graph (expected {})", m.path, layer, onnx_op_of(a.kind)));
    const OnnxLayer& g = m.layers[j++];
    const std::string node = fmt::format("{}: node '{}' ({})", m.path, g.node, g.op);
    if (g.spec.kind != a.kind)
      throw FileError(fmt::format("{} stands where {} expects {}", node, layer, onnx_op_of(a.kind)));
    const std::string d = spec_mismatch(g.spec, a);
    if (!d.empty()) throw FileError(fmt::format("{} does not match {}: {}", node, layer, d));
    params[i] = g.params;
    if (params[i].weight.size() != weight_count(arch, i))
      throw FileError(fmt::format("{}: {} weights, {} has {}", node, params[i].weight.size(), layer,
                                  weight_count(arch, i)));
  }
  skip_flatten(j);
  if (j < m.layers.size())
    throw FileError(fmt::format("{}: node '{}' ({}) has no counterpart: model {} ends before it", m.path,
                                m.layers[j].node, m.layers[j].op, arch.name));
  return params;
}

ModelFile read_onnx_model_file(const std::string& path) {
  const OnnxModel m = read_onnx_model(path);
  for (const std::string& name : architecture_names()) {
    Architecture arch = make_architecture(name);
    try {
      ModelParams params = onnx_params_for(m, arch);
      return {std::move(arch), std::move(params), m.input_map};
    } catch (const FileError&) {  // not this network
    }
  }
  throw FileError(path + ": the graph matches none of the built-in networks (" +
                  fmt::format("{}", fmt::join(architecture_names(), ", ")) + ")");
}

}  // namespace sqt::nn
