#include "host/net/keys.h"

#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <ctime>
#include <memory>

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

}  // namespace
}  // namespace sqt::net
