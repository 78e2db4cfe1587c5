#include "host/net/keys.h"

#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <ctime>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>

#include "host/core/error.h"
#include "tests/common/size_limited_write.h"

namespace sqt::net {
namespace {

using CertPtr = std::unique_ptr<X509, decltype(&X509_free)>;

CertPtr parse_cert(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  CertPtr cert(PEM_read_bio_X509(bio, nullptr, nullptr, nullptr), &X509_free);
  BIO_free(bio);
  return cert;
}

// OpenSSL's own chain verification, independent of our TLS code.
int verify(const KeyPair& ca, const KeyPair& leaf) {
  CertPtr ca_cert = parse_cert(ca.cert_pem);
  CertPtr leaf_cert = parse_cert(leaf.cert_pem);
  X509_STORE* store = X509_STORE_new();
  X509_STORE_add_cert(store, ca_cert.get());
  X509_STORE_CTX* ctx = X509_STORE_CTX_new();
  X509_STORE_CTX_init(ctx, store, leaf_cert.get(), nullptr);
  const int ok = X509_verify_cert(ctx);
  const int err = X509_STORE_CTX_get_error(ctx);
  X509_STORE_CTX_free(ctx);
  X509_STORE_free(store);
  return ok == 1 ? X509_V_OK : err;
}

std::string common_name(const std::string& pem) {
  CertPtr cert = parse_cert(pem);
  char buf[128] = "";
  X509_NAME_get_text_by_NID(X509_get_subject_name(cert.get()), NID_commonName, buf, sizeof buf);
  return buf;
}

TEST(Keys, PartyCertificateVerifiesAgainstItsCaAndNamesTheParty) {
  const KeyPair ca = make_ca("test-ca", validity_days(30));
  const KeyPair p3 = make_party_cert(ca, 3, validity_days(30));
  EXPECT_EQ(verify(ca, p3), X509_V_OK);
  EXPECT_EQ(common_name(p3.cert_pem), "sqt-party-3");
  CertPtr cert = parse_cert(p3.cert_pem);
  EXPECT_EQ(X509_check_host(cert.get(), "sqt-party-3", 0, 0, nullptr), 1);  // SAN
  EXPECT_NE(p3.key_pem.find("PRIVATE KEY"), std::string::npos);
}

TEST(Keys, ValidityWindowIsWritten) {
  const KeyPair ca = make_ca("test-ca", validity_days(10));
  CertPtr cert = parse_cert(make_party_cert(ca, 0, validity_days(10)).cert_pem);
  std::time_t in9 = std::time(nullptr) + 9 * 86400, in11 = std::time(nullptr) + 11 * 86400;
  EXPECT_EQ(X509_cmp_time(X509_get0_notAfter(cert.get()), &in9), 1);    // after 9 days
  EXPECT_EQ(X509_cmp_time(X509_get0_notAfter(cert.get()), &in11), -1);  // before 11 days
}

TEST(Keys, ForeignCaAndExpiredCertificatesFailVerification) {
  const KeyPair ca = make_ca("test-ca", validity_days(30));
  const KeyPair other = make_ca("other-ca", validity_days(30));
  EXPECT_EQ(verify(ca, make_party_cert(other, 1, validity_days(30))),
            X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
  Validity past;
  past.not_before = std::chrono::hours(-48);
  past.not_after = std::chrono::hours(-24);
  EXPECT_EQ(verify(ca, make_party_cert(ca, 1, past)), X509_V_ERR_CERT_HAS_EXPIRED);
}

// Key files: exact modes, never through a symlink, no partial file.
class KeyFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(::testing::TempDir()) / ("sqt_key_files_" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string at(const std::string& name) const { return (dir_ / name).string(); }
  static std::string slurp(const std::string& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }
  static unsigned mode_of(const std::string& p) {
    struct stat st {};
    return ::stat(p.c_str(), &st) == 0 ? st.st_mode & 07777 : 0;
  }
  std::size_t entries() const {
    return static_cast<std::size_t>(std::distance(std::filesystem::directory_iterator(dir_), {}));
  }
  std::filesystem::path dir_;
};

TEST_F(KeyFiles, ModesAreExactWhateverTheUmask) {
  for (const mode_t mask : {mode_t{077}, mode_t{0}}) {
    for (const auto& e : std::filesystem::directory_iterator(dir_)) std::filesystem::remove(e.path());
    const mode_t old = ::umask(mask);
    write_deployment_keys(dir_.string(), 2, validity_days(1));
    ::umask(old);
    for (const char* key : {"ca.key", "party-0.key", "party-1.key"})
      EXPECT_EQ(mode_of(at(key)), 0600u) << key;
    for (const char* cert : {"ca.pem", "party-0.pem", "party-1.pem"})
      EXPECT_EQ(mode_of(at(cert)), 0644u) << cert << " with umask " << mask;
    EXPECT_EQ(entries(), 6u);
  }
}

TEST_F(KeyFiles, ASymlinkWhereAKeyGoesIsRefusedByName) {
  const std::string victim = at("victim");
  std::ofstream(victim) << "keep me";
  std::filesystem::create_symlink(victim, at("party-1.key"));
  try {
    write_deployment_keys(dir_.string(), 2, validity_days(1));
    ADD_FAILURE() << "wrote a key through a symlink";
  } catch (const FileError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find(at("party-1.key")), std::string::npos) << msg;
    EXPECT_NE(msg.find("symbolic link"), std::string::npos) << msg;
  }
  EXPECT_EQ(slurp(victim), "keep me");
  EXPECT_TRUE(std::filesystem::is_symlink(at("party-1.key")));
}

TEST_F(KeyFiles, AFailedWriteLeavesNoPartialFileAndKeepsTheOldOne) {
  const std::string path = at("party-0.key");
  write_text_file(path, "old key", true);
  // Files may not grow past 4 KiB, so the write fails midway.
  EXPECT_TRUE(test::write_fails_under_file_size_limit(4096, [&] {
    write_text_file(path, std::string(10000, 'k'), true);
  })) << "the failed write was not reported";
  EXPECT_EQ(slurp(path), "old key");
  EXPECT_EQ(entries(), 1u) << "a partial or temporary file was left";
}

}  // namespace
}  // namespace sqt::net
