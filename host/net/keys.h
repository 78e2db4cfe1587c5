// Deployment keys: a CA and one key + certificate per party, made with the
// OpenSSL 3 API (EC P-256 keys, SHA-256 signatures). Used by `sqt keys`, by
// the local launcher and by tests (expired or foreign-CA certificates).
#pragma once

#include <chrono>
#include <string>

namespace sqt::net {

// A private key and its certificate, both PEM text.
struct KeyPair {
  std::string key_pem;
  std::string cert_pem;
};

// Validity window relative to now: [now + not_before, now + not_after].
struct Validity {
  std::chrono::seconds not_before{-3600};  // an hour back tolerates clock skew
  std::chrono::seconds not_after{std::chrono::hours(24 * 365)};
};

Validity validity_days(int days);

// Self-signed CA certificate (CN = common_name, basicConstraints CA:TRUE).
KeyPair make_ca(const std::string& common_name, const Validity& validity);

// Party certificate signed by `ca`: CN = party_common_name(id) and the same
// name as a DNS subjectAltName. Usable as TLS client and server.
KeyPair make_party_cert(const KeyPair& ca, int party, const Validity& validity);

std::string party_common_name(int party);  // "sqt-party-<id>"

// Writes ca.pem, ca.key, party-<i>.pem, party-<i>.key (keys mode 0600) into
// `dir` (created if missing). FileError names the file that failed.
void write_deployment_keys(const std::string& dir, int parties, const Validity& validity);

// Writes text to a file atomically with exactly mode 0600 when private, else
// 0644 (host/core/secure_file.h: refuses a symlink at `path`, leaves no
// partial file); FileError names the path.
void write_text_file(const std::string& path, const std::string& text, bool is_private);

}  // namespace sqt::net
