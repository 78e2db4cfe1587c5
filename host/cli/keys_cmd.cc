// `sqt keys --parties N --out DIR --days D`: the deployment's CA and one key
// + certificate per party (host/net/keys.h), written as PEM files.
#include <fmt/core.h>

#include <filesystem>
#include <memory>

#include "host/cli/commands.h"
#include "host/core/error.h"
#include "host/net/keys.h"
#include "host/net/node_config.h"

namespace sqt::cli {
namespace {

struct KeysFlags {
  int parties = 3;
  std::string out;
  int days = 365;
  bool force = false;
};

void run_keys(const KeysFlags& flags) {
  if (flags.parties < net::kMinParties || flags.parties > net::kMaxParties) {
    throw ConfigError(fmt::format("sqt keys: --parties {} is out of range [{}, {}]", flags.parties,
                                  net::kMinParties, net::kMaxParties));
  }
  if (flags.days < 1) throw ConfigError(fmt::format("sqt keys: --days {} must be at least 1", flags.days));
  if (flags.out.empty()) throw ConfigError("sqt keys: --out must name a folder");
  std::error_code ec;
  std::filesystem::create_directories(flags.out, ec);
  if (ec || !std::filesystem::is_directory(flags.out)) {
    throw FileError(fmt::format("sqt keys: --out {}: cannot create the folder ({})", flags.out,
                                ec ? ec.message() : "a file of that name exists"));
  }
  const std::string ca_key = flags.out + "/ca.key";
  // symlink_status: a planted link counts as existing (the write refuses it).
  if (std::filesystem::exists(std::filesystem::symlink_status(ca_key)) && !flags.force) {
    throw ConfigError(
        fmt::format("sqt keys: {} exists; refusing to replace a deployment's CA (use --force)", ca_key));
  }
  try {
    net::write_deployment_keys(flags.out, flags.parties, net::validity_days(flags.days));
  } catch (const FileError& e) {
    throw FileError(fmt::format("sqt keys: --out {}: {}", flags.out, e.what()));
  }
  fmt::print("wrote {}/ca.pem (CA certificate, give to every party), {}/ca.key (keep offline)\n", flags.out,
             flags.out);
  fmt::print(
      "wrote party-<i>.pem and party-<i>.key for parties 0..{} (valid {} days); give party i only its own\n",
      flags.parties - 1, flags.days);
}

}  // namespace

void add_keys_command(CLI::App& app) {
  auto flags = std::make_shared<KeysFlags>();
  CLI::App* cmd =
      app.add_subcommand("keys", "Make the deployment CA and a key + certificate for every party");
  cmd->add_option("--parties", flags->parties, "Number of parties (2..10)")->required();
  cmd->add_option("--out", flags->out, "Folder for the PEM files (created if missing)")->required();
  cmd->add_option("--days", flags->days, "Validity in days")->capture_default_str();
  cmd->add_flag("--force", flags->force, "Replace existing keys in --out");
  cmd->callback([flags] { run_keys(*flags); });
}

}  // namespace sqt::cli
