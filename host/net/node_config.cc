#include "host/net/node_config.h"

#include <fmt/core.h>
#include <toml++/toml.h>

#include <filesystem>
#include <set>
#include <sstream>
#include <string_view>

#include "host/core/error.h"

namespace sqt::net {
namespace {

class ConfigReader {
 public:
  ConfigReader(std::string path, const toml::table& table) : path_(std::move(path)), table_(table) {}

  [[noreturn]] void fail(std::string_view key, std::string_view problem) const {
    throw ConfigError(fmt::format("{}: key '{}': {}", path_, key, problem));
  }

  std::int64_t integer(std::string_view key, std::int64_t min, std::int64_t max,
                       std::optional<std::int64_t> def) {
    const toml::node* node = table_.get(key);
    if (node == nullptr) {
      if (!def) fail(key, "missing (required)");
      return *def;
    }
    const auto value = node->value<std::int64_t>();
    if (!node->is_integer() || !value) fail(key, "must be an integer");
    if (*value < min || *value > max) fail(key, fmt::format("{} is out of range [{}, {}]", *value, min, max));
    return *value;
  }

  bool boolean(std::string_view key, bool def) {
    const toml::node* node = table_.get(key);
    if (node == nullptr) return def;
    if (!node->is_boolean()) fail(key, "must be true or false");
    return *node->value<bool>();
  }

  std::string string(std::string_view key, std::optional<std::string> def) {
    const toml::node* node = table_.get(key);
    if (node == nullptr) {
      if (!def) fail(key, "missing (required)");
      return *def;
    }
    if (!node->is_string()) fail(key, "must be a string");
    std::string value = *node->value<std::string>();
    if (value.empty()) fail(key, "must not be empty");
    return value;
  }

  // A file path, relative paths taken from the config file's folder; must exist.
  std::string file(std::string_view key) {
    std::filesystem::path p = string(key, std::nullopt);
    if (p.is_relative()) p = std::filesystem::path(path_).parent_path() / p;
    std::error_code ec;
    if (!std::filesystem::is_regular_file(p, ec))
      fail(key, fmt::format("file {} does not exist", p.string()));
    return p.string();
  }

 private:
  std::string path_;
  const toml::table& table_;
};

const std::set<std::string_view> kTopKeys = {"party",
                                             "protocol",
                                             "backend",
                                             "timeout_ms",
                                             "ca_cert",
                                             "cert",
                                             "key",
                                             "parties",
                                             "connect_timeout_ms",
                                             "max_frame_bytes",
                                             "max_queued_bytes",
                                             "spin_us",
                                             "accept_only_listed_hosts"};

}  // namespace

NodeConfig load_node_config(const std::string& path) {
  toml::table table;
  try {
    table = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    const auto& where = e.source().begin;
    throw ConfigError(
        fmt::format("{}:{}:{}: not valid TOML: {}", path, where.line, where.column, e.description()));
  }
  ConfigReader reader(path, table);
  for (const auto& [key, value] : table) {
    if (!kTopKeys.contains(key.str())) reader.fail(key.str(), "unknown key (see docs/DEPLOY.md)");
  }

  NodeConfig config;
  const toml::node* parties_node = table.get("parties");
  if (parties_node == nullptr) reader.fail("parties", "missing (required): one [[parties]] entry per party");
  const toml::array* parties = parties_node->as_array();
  if (parties == nullptr || !parties->is_array_of_tables()) {
    reader.fail("parties", "must be an array of tables ([[parties]] with host and port)");
  }
  if (parties->size() < kMinParties || parties->size() > kMaxParties) {
    reader.fail("parties", fmt::format("{} entries; a deployment has {} to {} parties", parties->size(),
                                       kMinParties, kMaxParties));
  }
  for (std::size_t i = 0; i < parties->size(); ++i) {
    const toml::table& entry = *parties->get(i)->as_table();
    ConfigReader entry_reader(path, entry);
    const std::string prefix = fmt::format("parties[{}].", i);
    for (const auto& [key, value] : entry) {
      if (key.str() != "host" && key.str() != "port")
        reader.fail(prefix + std::string(key.str()), "unknown key");
    }
    PeerAddress address;
    try {
      address.host = entry_reader.string("host", std::nullopt);
      address.port = static_cast<unsigned short>(entry_reader.integer("port", 1, 65535, std::nullopt));
    } catch (const ConfigError&) {
      const toml::node* host = entry.get("host");
      const toml::node* port = entry.get("port");
      if (host == nullptr || !host->is_string() || host->value<std::string>()->empty()) {
        reader.fail(prefix + "host", "missing or not a non-empty string");
      }
      if (port == nullptr || !port->is_integer()) reader.fail(prefix + "port", "missing or not an integer");
      reader.fail(prefix + "port",
                  fmt::format("{} is out of range [1, 65535]", *port->value<std::int64_t>()));
    }
    config.parties.push_back(address);
  }

  config.party =
      static_cast<int>(reader.integer("party", 0, static_cast<std::int64_t>(parties->size()) - 1, {}));
  config.ca_cert = reader.file("ca_cert");
  config.cert = reader.file("cert");
  config.key = reader.file("key");
  config.protocol = reader.string("protocol", "");
  config.backend = reader.string("backend", "");
  if (!config.backend.empty() && config.backend != "cpu" && config.backend != "fpga" &&
      config.backend != "fpga-sim") {
    reader.fail("backend", fmt::format("'{}' is not a backend (cpu, fpga or fpga-sim)", config.backend));
  }
  config.timeout = std::chrono::milliseconds(reader.integer("timeout_ms", 1, 86'400'000, 60000));
  config.connect_timeout =
      std::chrono::milliseconds(reader.integer("connect_timeout_ms", 1, 86'400'000, 60000));
  config.max_frame_bytes = static_cast<std::size_t>(reader.integer(
      "max_frame_bytes", 1, std::int64_t{1} << 40, static_cast<std::int64_t>(kDefaultMaxFrameBytes)));
  config.max_queued_bytes = static_cast<std::size_t>(reader.integer(
      "max_queued_bytes", 1, std::int64_t{1} << 40, static_cast<std::int64_t>(kDefaultMaxQueuedBytes)));
  config.accept_only_listed_hosts = reader.boolean("accept_only_listed_hosts", false);
  config.spin = std::chrono::microseconds(reader.integer("spin_us", 0, 1'000'000, kDefaultSpin.count()));
  return config;
}

std::string format_node_config(const NodeConfig& config) {
  toml::array parties;
  for (const PeerAddress& a : config.parties) {
    parties.push_back(toml::table{{"host", a.host}, {"port", static_cast<std::int64_t>(a.port)}});
  }
  toml::table table{
      {"party", config.party},
      {"timeout_ms", static_cast<std::int64_t>(config.timeout.count())},
      {"connect_timeout_ms", static_cast<std::int64_t>(config.connect_timeout.count())},
      {"max_frame_bytes", static_cast<std::int64_t>(config.max_frame_bytes)},
      {"max_queued_bytes", static_cast<std::int64_t>(config.max_queued_bytes)},
      {"accept_only_listed_hosts", config.accept_only_listed_hosts},
      {"spin_us", static_cast<std::int64_t>(config.spin.count())},
      {"ca_cert", config.ca_cert},
      {"cert", config.cert},
      {"key", config.key},
      {"parties", std::move(parties)},
  };
  // Unset choices stay unset, so the job's flags decide on every party.
  if (!config.protocol.empty()) table.insert("protocol", config.protocol);
  if (!config.backend.empty()) table.insert("backend", config.backend);
  std::ostringstream out;
  out << table << "\n";
  return out.str();
}

}  // namespace sqt::net
