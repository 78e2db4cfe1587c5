#include "host/net/keys.h"

#include <fmt/core.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <filesystem>
#include <memory>

#include "host/core/error.h"
#include "host/core/secure_file.h"

namespace sqt::net {
namespace {

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct X509Free {
  void operator()(X509* p) const { X509_free(p); }
};
struct BioFree {
  void operator()(BIO* p) const { BIO_free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
using X509Ptr = std::unique_ptr<X509, X509Free>;
using BioPtr = std::unique_ptr<BIO, BioFree>;

[[noreturn]] void throw_openssl(const std::string& what) {
  const unsigned long code = ERR_get_error();
  char buf[256] = "unknown OpenSSL error";
  if (code != 0) ERR_error_string_n(code, buf, sizeof buf);
  ERR_clear_error();
  throw Error(fmt::format("{}: {}", what, buf));
}

void check(int ok, const char* what) {
  if (ok <= 0) throw_openssl(what);
}

PkeyPtr new_ec_key() {
  PkeyPtr key(EVP_EC_gen("P-256"));
  if (!key) throw_openssl("generating an EC P-256 key");
  return key;
}

std::string key_to_pem(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  check(PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr),
        "writing a key as PEM");
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(n));
}

std::string cert_to_pem(X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  check(PEM_write_bio_X509(bio.get(), cert), "writing a certificate as PEM");
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(n));
}

PkeyPtr key_from_pem(const std::string& pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (!key) throw_openssl("reading the CA key");
  return key;
}

X509Ptr cert_from_pem(const std::string& pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!cert) throw_openssl("reading the CA certificate");
  return cert;
}

void add_extension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (ext == nullptr) throw_openssl(fmt::format("making certificate extension {}", OBJ_nid2sn(nid)));
  const int ok = X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
  check(ok, "adding a certificate extension");
}

// A certificate with subject CN = common_name, random serial and the validity
// window; the caller adds extensions and signs.
X509Ptr new_cert(EVP_PKEY* subject_key, const std::string& common_name, const Validity& validity) {
  X509Ptr cert(X509_new());
  if (!cert) throw_openssl("allocating a certificate");
  check(X509_set_version(cert.get(), X509_VERSION_3), "setting the certificate version");
  unsigned char serial_bytes[16];
  check(RAND_bytes(serial_bytes, sizeof serial_bytes), "drawing a serial number");
  serial_bytes[0] &= 0x7f;  // positive
  BIGNUM* serial = BN_bin2bn(serial_bytes, sizeof serial_bytes, nullptr);
  check(serial != nullptr && BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(cert.get())) != nullptr,
        "setting the serial number");
  BN_free(serial);
  check(X509_time_adj_ex(X509_getm_notBefore(cert.get()), 0, static_cast<long>(validity.not_before.count()),
                         nullptr) != nullptr,
        "setting notBefore");
  check(X509_time_adj_ex(X509_getm_notAfter(cert.get()), 0, static_cast<long>(validity.not_after.count()),
                         nullptr) != nullptr,
        "setting notAfter");
  X509_NAME* name = X509_get_subject_name(cert.get());
  check(X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("SQT"), -1,
                                   -1, 0),
        "setting the subject O");
  check(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                   reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1, 0),
        "setting the subject CN");
  check(X509_set_pubkey(cert.get(), subject_key), "setting the public key");
  return cert;
}

}  // namespace

Validity validity_days(int days) {
  Validity v;
  v.not_after = std::chrono::hours(24) * days;
  return v;
}

std::string party_common_name(int party) { return fmt::format("sqt-party-{}", party); }

KeyPair make_ca(const std::string& common_name, const Validity& validity) {
  PkeyPtr key = new_ec_key();
  X509Ptr cert = new_cert(key.get(), common_name, validity);
  check(X509_set_issuer_name(cert.get(), X509_get_subject_name(cert.get())), "setting the CA issuer");
  add_extension(cert.get(), cert.get(), NID_basic_constraints, "critical,CA:TRUE");
  add_extension(cert.get(), cert.get(), NID_key_usage, "critical,keyCertSign,cRLSign");
  add_extension(cert.get(), cert.get(), NID_subject_key_identifier, "hash");
  check(X509_sign(cert.get(), key.get(), EVP_sha256()), "signing the CA certificate");
  return {key_to_pem(key.get()), cert_to_pem(cert.get())};
}

KeyPair make_party_cert(const KeyPair& ca, int party, const Validity& validity) {
  PkeyPtr ca_key = key_from_pem(ca.key_pem);
  X509Ptr ca_cert = cert_from_pem(ca.cert_pem);
  PkeyPtr key = new_ec_key();
  const std::string cn = party_common_name(party);
  X509Ptr cert = new_cert(key.get(), cn, validity);
  check(X509_set_issuer_name(cert.get(), X509_get_subject_name(ca_cert.get())), "setting the issuer");
  add_extension(cert.get(), ca_cert.get(), NID_basic_constraints, "critical,CA:FALSE");
  add_extension(cert.get(), ca_cert.get(), NID_key_usage, "critical,digitalSignature");
  add_extension(cert.get(), ca_cert.get(), NID_ext_key_usage, "serverAuth,clientAuth");
  add_extension(cert.get(), ca_cert.get(), NID_subject_alt_name, ("DNS:" + cn).c_str());
  check(X509_sign(cert.get(), ca_key.get(), EVP_sha256()), "signing the party certificate");
  return {key_to_pem(key.get()), cert_to_pem(cert.get())};
}

void write_text_file(const std::string& path, const std::string& text, bool is_private) {
  // Exact mode (fchmod checked), atomic, never through a symlink.
  write_file_atomically(path, text, is_private ? 0600 : 0644);
}

void write_deployment_keys(const std::string& dir, int parties, const Validity& validity) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw FileError(fmt::format("cannot create folder {}: {}", dir, ec.message()));
  // A unique CA name, so a certificate from another deployment's CA is
  // reported as "unable to get local issuer certificate".
  unsigned char tag[4];
  check(RAND_bytes(tag, sizeof tag), "drawing a CA name");
  const KeyPair ca = make_ca(
      fmt::format("sqt-deployment-ca-{:02x}{:02x}{:02x}{:02x}", tag[0], tag[1], tag[2], tag[3]), validity);
  write_text_file(dir + "/ca.pem", ca.cert_pem, false);
  write_text_file(dir + "/ca.key", ca.key_pem, true);
  for (int i = 0; i < parties; ++i) {
    const KeyPair party = make_party_cert(ca, i, validity);
    write_text_file(fmt::format("{}/party-{}.pem", dir, i), party.cert_pem, false);
    write_text_file(fmt::format("{}/party-{}.key", dir, i), party.key_pem, true);
  }
}

}  // namespace sqt::net
