#include "host/net/session_binding.h"

#include <fmt/core.h>
#include <openssl/evp.h>

#include <cstring>

#include "host/core/error.h"
#include "host/core/os_random.h"

namespace sqt::net {
namespace {

constexpr std::size_t kNonceBytes = 32;
// A job description is a few hundred bytes; a peer announcing more is
// refused before anything is allocated for it.
constexpr std::uint64_t kMaxJobBytes = 1 << 16;

std::vector<std::byte> as_byte_vector(const std::string& s) {
  std::vector<std::byte> out(s.size());
  if (!s.empty()) std::memcpy(out.data(), s.data(), s.size());
  return out;
}

}  // namespace

std::string SessionBinding::id_hex() const {
  std::string out;
  for (const auto b : id) out += fmt::format("{:02x}", b);
  return out;
}

std::string encode_job(const std::vector<JobParameter>& job) {
  std::string out;
  for (const auto& p : job) {
    if (p.name.empty() || p.name.find_first_of("=\n") != std::string::npos ||
        p.value.find('\n') != std::string::npos) {
      throw ConfigError(
          fmt::format("job parameter '{}' cannot be encoded (empty name, '=' or newline)", p.name));
    }
    out += p.name + "=" + p.value + "\n";
  }
  return out;
}

std::vector<JobParameter> decode_job(const std::string& text, int from) {
  std::vector<JobParameter> job;
  std::size_t at = 0;
  while (at < text.size()) {
    const std::size_t end = text.find('\n', at);
    const std::size_t eq = text.find('=', at);
    if (end == std::string::npos || eq == std::string::npos || eq >= end || eq == at) {
      throw NetError(fmt::format("party {} sent a malformed job description (not name=value lines)", from));
    }
    job.push_back({text.substr(at, eq - at), text.substr(eq + 1, end - eq - 1)});
    at = end + 1;
  }
  return job;
}

SessionBinding bind_session(Network& network, const std::vector<JobParameter>& job) {
  const int me = network.party(), n = network.parties();
  std::array<std::byte, kNonceBytes> nonce{};
  fill_os_random(nonce);
  const std::string text = encode_job(job);
  std::vector<std::byte> message(nonce.begin(), nonce.end());
  const auto body = as_byte_vector(text);
  message.insert(message.end(), body.begin(), body.end());

  // Round 1: lengths; round 2: nonce and job.
  const std::uint64_t length = message.size();
  std::vector<std::uint64_t> lengths(static_cast<std::size_t>(n));
  for (int p = 0; p < n; ++p)
    if (p != me) network.send_bytes(p, std::as_bytes(std::span(&length, 1)));
  for (int p = 0; p < n; ++p) {
    if (p == me) continue;
    network.recv_bytes(p, std::as_writable_bytes(std::span(&lengths[p], 1)));
    if (lengths[p] < kNonceBytes || lengths[p] > kNonceBytes + kMaxJobBytes) {
      throw NetError(fmt::format("party {} announced a job description of {} bytes (allowed {}-{})", p,
                                 lengths[p], kNonceBytes, kNonceBytes + kMaxJobBytes));
    }
  }
  std::vector<std::vector<std::byte>> received(static_cast<std::size_t>(n));
  for (int p = 0; p < n; ++p)
    if (p != me) network.send_bytes(p, message);
  for (int p = 0; p < n; ++p) {
    if (p == me) {
      received[p] = message;
      continue;
    }
    received[p].resize(lengths[p]);
    network.recv_bytes(p, received[p]);
  }

  // Every party compares with every other, so a mismatch ends setup on all.
  for (int p = 0; p < n; ++p) {
    if (p == me) continue;
    const std::string theirs_text(reinterpret_cast<const char*>(received[p].data()) + kNonceBytes,
                                  received[p].size() - kNonceBytes);
    const auto theirs = decode_job(theirs_text, p);
    for (std::size_t i = 0; i < std::max(job.size(), theirs.size()); ++i) {
      if (i >= job.size() || i >= theirs.size() || job[i].name != theirs[i].name) {
        const std::string mine_name = i < job.size() ? job[i].name : "(none)";
        const std::string their_name = i < theirs.size() ? theirs[i].name : "(none)";
        throw ConfigError(fmt::format(
            "job mismatch with party {}: parameter {} is '{}' here and '{}' there (different SQT versions?)",
            p, i + 1, mine_name, their_name));
      }
      if (job[i].value != theirs[i].value) {
        throw ConfigError(
            fmt::format("job mismatch with party {}: {} is '{}' on party {} and '{}' on party {}", p,
                        job[i].name, job[i].value, me, theirs[i].value, p));
      }
    }
  }

  SessionBinding binding;
  EVP_MD_CTX* md = EVP_MD_CTX_new();
  unsigned int out_len = 0;
  bool ok = md != nullptr && EVP_DigestInit_ex(md, EVP_sha256(), nullptr) == 1 &&
            EVP_DigestUpdate(md, "sqt session v1", 14) == 1;
  for (int p = 0; p < n && ok; ++p) ok = EVP_DigestUpdate(md, received[p].data(), received[p].size()) == 1;
  ok = ok && EVP_DigestFinal_ex(md, binding.id.data(), &out_len) == 1 && out_len == binding.id.size();
  EVP_MD_CTX_free(md);
  if (!ok) throw NetError("cannot hash the session id (OpenSSL SHA-256)");
  return binding;
}

}  // namespace sqt::net
