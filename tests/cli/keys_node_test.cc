// `sqt keys` and `sqt node` as an operator runs them: files written, bad
// flags and bad node.toml refused with messages naming the flag, file and key.
#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cstdio>
#include <memory>
#include <string>

#include "tests/cli/run_sqt.h"

namespace sqt::cli_test {
namespace {

using KeysTest = TempDirTest;
using NodeTest = TempDirTest;

struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
using X509Ptr = std::unique_ptr<X509, X509Free>;

X509Ptr read_cert(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "r");
  if (f == nullptr) return nullptr;
  X509Ptr cert(PEM_read_X509(f, nullptr, nullptr, nullptr));
  std::fclose(f);
  return cert;
}

TEST_F(KeysTest, WritesCaAndPartyFiles) {
  const std::string out = path("keys");
  const auto r = sqt({"keys", "--parties", "3", "--out", out, "--days", "30"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (const char* name : {"ca.pem", "ca.key", "party-0.pem", "party-0.key", "party-1.pem", "party-1.key",
                           "party-2.pem", "party-2.key"}) {
    EXPECT_TRUE(std::filesystem::is_regular_file(out + "/" + name)) << name;
  }
  EXPECT_FALSE(std::filesystem::exists(out + "/party-3.pem"));
  for (const char* key : {"ca.key", "party-1.key"}) {
    const auto perms = std::filesystem::status(out + "/" + key).permissions();
    EXPECT_EQ(perms & (std::filesystem::perms::group_all | std::filesystem::perms::others_all),
              std::filesystem::perms::none)
        << key << " is readable by others";
  }
  // Checked with OpenSSL directly: every party certificate is signed by the
  // CA and valid for exactly --days.
  const X509Ptr ca = read_cert(out + "/ca.pem");
  ASSERT_NE(ca, nullptr);
  for (int i = 0; i < 3; ++i) {
    const X509Ptr cert = read_cert(out + "/party-" + std::to_string(i) + ".pem");
    ASSERT_NE(cert, nullptr) << i;
    EXPECT_EQ(X509_verify(cert.get(), X509_get0_pubkey(ca.get())), 1) << "party " << i;
    // notAfter is --days from now (notBefore is an hour back for clock skew).
    int days = 0, seconds = 0;
    ASSERT_EQ(ASN1_TIME_diff(&days, &seconds, nullptr, X509_get0_notAfter(cert.get())), 1);
    const long left = days * 86400L + seconds;
    EXPECT_LE(left, 30 * 86400L) << "party " << i;
    EXPECT_GT(left, 30 * 86400L - 600) << "party " << i;
    ASSERT_EQ(ASN1_TIME_diff(&days, &seconds, X509_get0_notBefore(cert.get()), nullptr), 1);
    EXPECT_GE(days * 86400L + seconds, 3600) << "party " << i;
    EXPECT_LT(days * 86400L + seconds, 3600 + 600) << "party " << i;
    char cn[64] = {};
    X509_NAME_get_text_by_NID(X509_get_subject_name(cert.get()), NID_commonName, cn, sizeof cn);
    EXPECT_EQ(std::string(cn), "sqt-party-" + std::to_string(i));
  }
  // A second run would replace the CA: refused without --force.
  const std::string before = read_file(out + "/ca.key");
  const auto again = sqt({"keys", "--parties", "3", "--out", out});
  EXPECT_NE(again.exit_code, 0);
  EXPECT_NE(again.output.find("--force"), std::string::npos) << again.output;
  EXPECT_EQ(read_file(out + "/ca.key"), before);
  const auto forced = sqt({"keys", "--parties", "2", "--out", out, "--force"});
  EXPECT_EQ(forced.exit_code, 0) << forced.output;
  EXPECT_NE(read_file(out + "/ca.key"), before);
}

TEST_F(KeysTest, RefusesBadArguments) {
  struct Case {
    std::vector<std::string> args;
    std::string expect;
  };
  write_file(path("a-file"), "x");
  const Case cases[] = {
      {{"keys", "--parties", "1", "--out", path("k1")}, "--parties 1 is out of range [2, 10]"},
      {{"keys", "--parties", "11", "--out", path("k2")}, "--parties 11 is out of range [2, 10]"},
      {{"keys", "--parties", "3", "--out", path("k3"), "--days", "0"}, "--days 0 must be at least 1"},
      {{"keys", "--parties", "3", "--out", path("k4"), "--days", "-5"}, "--days -5 must be at least 1"},
      {{"keys", "--parties", "three", "--out", path("k5")}, "--parties"},
      {{"keys", "--out", path("k6")}, "--parties"},
      {{"keys", "--parties", "3"}, "--out"},
      // Unwritable: a folder below a regular file can never be created.
      {{"keys", "--parties", "3", "--out", path("a-file/keys")}, "--out " + path("a-file/keys")},
  };
  for (const auto& c : cases) {
    const auto r = sqt(c.args);
    EXPECT_NE(r.exit_code, 0) << c.expect;
    EXPECT_NE(r.output.find(c.expect), std::string::npos) << "expected '" << c.expect << "' in: " << r.output;
  }
  for (const char* dir : {"k1", "k2", "k3", "k4", "k5", "k6"})
    EXPECT_FALSE(std::filesystem::exists(path(dir) + "/ca.key")) << dir;
}

// A node.toml for party 0 of 3 with these lines in place of the defaults.
std::string node_toml(const std::string& keys, const std::string& party_line) {
  return party_line + "\nca_cert = \"" + keys + "/ca.pem\"\ncert = \"" + keys + "/party-0.pem\"\nkey = \"" +
         keys +
         "/party-0.key\"\n"
         "[[parties]]\nhost = \"127.0.0.1\"\nport = 7000\n"
         "[[parties]]\nhost = \"127.0.0.1\"\nport = 7001\n"
         "[[parties]]\nhost = \"127.0.0.1\"\nport = 7002\n";
}

TEST_F(NodeTest, MissingOrInvalidConfigNamesFileAndKey) {
  const std::string keys = path("keys");
  ASSERT_EQ(sqt({"keys", "--parties", "3", "--out", keys}).exit_code, 0);

  auto r = sqt({"node", "--config", path("missing.toml"), "train", "--epochs", "1"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("--config " + path("missing.toml") + ": file does not exist"), std::string::npos)
      << r.output;

  write_file(path("range.toml"), node_toml(keys, "party = 5"));
  r = sqt({"node", "--config", path("range.toml"), "train"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find(path("range.toml") + ": key 'party'"), std::string::npos) << r.output;

  write_file(path("unknown.toml"), node_toml(keys, "party = 0\nparty_id = 0"));
  r = sqt({"node", "--config", path("unknown.toml"), "bench", "net"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find(path("unknown.toml") + ": key 'party_id': unknown key"), std::string::npos)
      << r.output;

  write_file(path("syntax.toml"), "party = 0\nca_cert = \"unterminated\n");
  r = sqt({"node", "--config", path("syntax.toml"), "train"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find(path("syntax.toml") + ":2:"), std::string::npos) << r.output;

  r = sqt({"node", "train"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("--config"), std::string::npos) << r.output;

  write_file(path("ok.toml"), node_toml(keys, "party = 0"));
  r = sqt({"node", "--config", path("ok.toml")});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("name the job"), std::string::npos) << r.output;

  r = sqt({"node", "--config", path("ok.toml"), "fly"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("unknown job 'fly'"), std::string::npos) << r.output;

  std::filesystem::remove(keys + "/party-0.key");
  write_file(path("nokey.toml"), node_toml(keys, "party = 0"));
  r = sqt({"node", "--config", path("nokey.toml"), "train"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find(path("nokey.toml") + ": key 'key'"), std::string::npos) << r.output;
}

// node.toml's backend and protocol hold on the node: a node set to the FPGA
// fails with the card's error (it used to train on the CPU silently), and a
// flag that contradicts the file is refused naming both.
TEST_F(NodeTest, NodeTomlBackendAndProtocolAreHonoured) {
  const std::string keys = path("keys");
  ASSERT_EQ(sqt({"keys", "--parties", "3", "--out", keys}).exit_code, 0);
  write_file(path("fpga.toml"), node_toml(keys, "party = 0\nbackend = \"fpga\""));
  auto r = sqt({"node", "--config", path("fpga.toml"), "train", "--max-batches", "1"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("backend 'fpga': no FPGA card"), std::string::npos) << r.output;

  r = sqt({"node", "--config", path("fpga.toml"), "train", "--backend", "cpu"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("--backend cpu contradicts backend = \"fpga\" in " + path("fpga.toml")),
            std::string::npos)
      << r.output;
  r = sqt({"node", "--config", path("fpga.toml"), "bench", "net", "--backend", "fpga-sim", "--json",
           path("b.jsonl")});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("--backend fpga-sim contradicts backend = \"fpga\""), std::string::npos)
      << r.output;

  write_file(path("clear.toml"), node_toml(keys, "party = 0\nprotocol = \"rep3\""));
  r = sqt({"node", "--config", path("clear.toml"), "train", "--protocol", "clear"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("--protocol clear contradicts protocol = \"rep3\""), std::string::npos) << r.output;
}

TEST_F(NodeTest, JobHelpNeedsNoConfig) {
  // The job's own options are shown (train: --epochs, bench: --json), with
  // or without a --config that exists.
  for (const auto& args :
       std::vector<std::vector<std::string>>{{"node", "--config", path("missing.toml"), "train", "--help"},
                                             {"node", "train", "--help"},
                                             {"node", "--config", path("missing.toml"), "train", "-h"}}) {
    const auto r = sqt(args);
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("--epochs"), std::string::npos) << r.output;
    EXPECT_EQ(r.output.find("does not exist"), std::string::npos) << r.output;
  }
  const auto bench = sqt({"node", "--config", path("missing.toml"), "bench", "--help"});
  EXPECT_EQ(bench.exit_code, 0) << bench.output;
  EXPECT_NE(bench.output.find("--json"), std::string::npos) << bench.output;

  const auto node = sqt({"node", "--help"});
  EXPECT_EQ(node.exit_code, 0) << node.output;
  for (const char* text : {"--config", "train", "bench", "sqt train --help", "sqt bench --help"})
    EXPECT_NE(node.output.find(text), std::string::npos) << text << " missing in: " << node.output;
}

}  // namespace
}  // namespace sqt::cli_test
