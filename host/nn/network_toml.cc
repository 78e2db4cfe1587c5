#include "host/nn/network_toml.h"

#include <fmt/core.h>
#include <toml++/toml.h>

#include <fstream>
#include <iterator>
#include <set>

#include "host/core/error.h"

namespace sqt::nn {
namespace {

// Any one extent (channels, kernel, stride, ...) a description may give, so
// no size computed from it overflows.
constexpr std::int64_t kMaxExtent = 1 << 16;

struct KindKeys {
  const char* type;
  LayerKind kind;
  std::set<std::string> keys;  // besides "type"
};

const std::vector<KindKeys>& kinds() {
  static const std::vector<KindKeys> k = {
      {"conv", LayerKind::kConv, {"out", "kernel", "stride", "padding"}},
      {"maxpool", LayerKind::kMaxPool, {"window", "stride"}},
      {"avgpool", LayerKind::kAvgPool, {"window", "stride"}},
      {"relu", LayerKind::kRelu, {}},
      {"flatten", LayerKind::kFlatten, {}},
      {"dense", LayerKind::kDense, {"out"}},
  };
  return k;
}

std::string line_of(const toml::node& n) {
  return n.source().begin.line ? fmt::format("line {}", n.source().begin.line) : std::string("?");
}

// Reads one table's integers, naming where it is in every error.
class Entry {
 public:
  Entry(const toml::table& t, std::string where) : t_(t), where_(std::move(where)) {}

  [[noreturn]] void fail(const std::string& what) const { throw ConfigError(where_ + ": " + what); }

  int integer(const std::string& key, std::optional<int> dflt, int min) const {
    const toml::node* n = t_.get(key);
    if (!n) {
      if (!dflt) fail("'" + key + "' is missing");
      return *dflt;
    }
    const auto v = n->value<std::int64_t>();
    if (!n->is_integer() || !v) fail("'" + key + "' is not an integer");
    if (*v < min || *v > kMaxExtent)
      fail(fmt::format("'{}' = {} is out of range ({} to {})", key, *v, min, kMaxExtent));
    return static_cast<int>(*v);
  }

  void only(const std::set<std::string>& allowed, const std::string& what) const {
    for (const auto& [k, v] : t_) {
      const std::string key(k.str());
      if (allowed.count(key)) continue;
      std::string list;
      for (const auto& a : allowed)
        if (a != "type") list += (list.empty() ? "" : ", ") + a;
      fail(fmt::format("unknown key '{}' ({} takes {})", key, what, list.empty() ? "no keys" : list));
    }
  }

 private:
  const toml::table& t_;
  std::string where_;
};

LayerSpec read_layer(const toml::node& node, const std::string& source, std::size_t index) {
  std::string where = fmt::format("{} {}: layer {}", source, line_of(node), index);
  const toml::table* t = node.as_table();
  if (!t) throw ConfigError(where + ": not a table ({ type = \"...\", ... })");
  const toml::node* type_node = t->get("type");
  const auto type = type_node ? type_node->value<std::string>() : std::nullopt;
  if (!type) throw ConfigError(where + ": 'type' is missing or not a string");
  const KindKeys* k = nullptr;
  for (const auto& c : kinds())
    if (c.type == *type) k = &c;
  if (!k)
    throw ConfigError(where + ": unsupported type '" + *type +
                      "' (supported: conv, maxpool, avgpool, relu, flatten, dense)");
  where += " (" + *type + ")";
  const Entry e(*t, where);
  std::set<std::string> allowed = k->keys;
  allowed.insert("type");
  e.only(allowed, *type);
  LayerSpec s{.kind = k->kind};
  switch (k->kind) {
    case LayerKind::kConv:
      s.out = e.integer("out", std::nullopt, 1);
      s.kernel = e.integer("kernel", std::nullopt, 1);
      s.stride = e.integer("stride", 1, 1);
      s.padding = e.integer("padding", 0, 0);
      break;
    case LayerKind::kMaxPool:
    case LayerKind::kAvgPool:
      s.window = e.integer("window", std::nullopt, 1);
      s.stride = e.integer("stride", s.window, 1);
      break;
    case LayerKind::kDense:
      s.out = e.integer("out", std::nullopt, 1);
      break;
    case LayerKind::kRelu:
    case LayerKind::kFlatten:
      break;
  }
  return s;
}

}  // namespace

Architecture parse_network_toml(std::string_view text, const std::string& source, const std::string& name) {
  toml::table doc;
  try {
    doc = toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    throw ConfigError(fmt::format("{} line {}: {}", source, e.source().begin.line, e.description()));
  }
  const Entry top(doc, source);
  top.only({"input", "layers"}, "a network description");
  Architecture a;
  a.name = name;
  const toml::node* input = doc.get("input");
  if (!input || !input->is_table())
    throw ConfigError(source +
                      ": 'input' is missing or not a table ({ height = H, width = W, channels = C })");
  const Entry in(*input->as_table(), fmt::format("{} {}: input", source, line_of(*input)));
  in.only({"height", "width", "channels"}, "input");
  a.input = {in.integer("height", std::nullopt, 1), in.integer("width", std::nullopt, 1),
             in.integer("channels", std::nullopt, 1)};
  const toml::node* layers = doc.get("layers");
  if (!layers || !layers->is_array() || layers->as_array()->empty())
    throw ConfigError(source + ": 'layers' is missing or not a list of layers");
  const toml::array& list = *layers->as_array();
  for (std::size_t i = 0; i < list.size(); ++i) a.layers.push_back(read_layer(*list.get(i), source, i));
  const LayerSpec& last = a.layers.back();
  if (last.kind != LayerKind::kDense)
    throw ConfigError(fmt::format("{} {}: layer {} ({}): the last layer must be dense (the logits)", source,
                                  line_of(*list.get(list.size() - 1)), list.size() - 1,
                                  layer_kind_name(last.kind)));
  a.classes = last.out;
  // Shapes layer by layer, so a kernel or window that does not fit is named with its line.
  bool flat = false;
  for (std::size_t i = 0; i < a.layers.size(); ++i) {
    const LayerKind kind = a.layers[i].kind;
    const std::string where =
        fmt::format("{} {}: layer {} ({})", source, line_of(*list.get(i)), i, layer_kind_name(kind));
    if (flat && (kind == LayerKind::kConv || kind == LayerKind::kMaxPool || kind == LayerKind::kAvgPool))
      throw ConfigError(where + ": after a flatten or dense layer (it needs a height and width)");
    if (!flat && kind == LayerKind::kDense && (a.input.h > 1 || a.input.w > 1))
      throw ConfigError(where + ": on a spatial input: flatten first");
    flat = flat || kind == LayerKind::kFlatten || kind == LayerKind::kDense;
    Architecture prefix{a.name, a.input, a.classes, {a.layers.begin(), a.layers.begin() + i + 1}};
    try {
      layer_output_shapes(prefix);
    } catch (const ShapeError& e) {
      const std::string what = e.what();
      throw ConfigError(where + what.substr(what.rfind(':')));
    }
  }
  return a;
}

Architecture read_network_toml(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError("cannot open network description " + path);
  const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  return parse_network_toml(text, path, path);
}

bool is_toml_path(const std::string& path) {
  return path.size() > 5 && path.compare(path.size() - 5, 5, ".toml") == 0;
}

}  // namespace sqt::nn
