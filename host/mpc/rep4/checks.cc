#include "host/mpc/rep4/checks.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cstring>
#include <tuple>

#include "host/core/error.h"

namespace sqt::mpc::rep4 {
namespace {

constexpr int kParties = 4;

constexpr std::size_t kVerdictWords = 4;

EVP_MD_CTX* new_sha256() {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  if (ctx == nullptr || EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr) != 1) {
    EVP_MD_CTX_free(ctx);
    throw Error("rep4: cannot start a SHA-256 hash (OpenSSL)");
  }
  return ctx;
}

// The other senders of a receiver's channels checked by `hasher`, ascending.
std::vector<int> third_parties(int a, int b) {
  std::vector<int> out;
  for (int s = 0; s < kParties; ++s)
    if (s != a && s != b) out.push_back(s);
  return out;
}

}  // namespace

std::string_view check_name(Check c) {
  switch (c) {
    case Check::kKeys:
      return "key setup";
    case Check::kInput:
      return "input";
    case Check::kMultiplication:
      return "multiplication";
    case Check::kTruncation:
      return "truncation";
    case Check::kComparison:
      return "comparison";
    case Check::kOpening:
      return "opening";
  }
  return "unknown";
}

Checker::Checker(net::Network& net)
    : net_(net),
      me_(net.party()),
      hasher_(kCheckKinds * kParties * kParties, nullptr),
      receiver_(kCheckKinds * kParties * kParties, nullptr),
      hashed_(hasher_.size(), 0),
      received_(receiver_.size(), 0) {
  for (int c = 0; c < kCheckKinds; ++c) {
    for (int a = 0; a < kParties; ++a) {
      for (int b = 0; b < kParties; ++b) {
        if (a == me_ || b == me_ || a == b) continue;
        as_hasher(c, a, b) = new_sha256();
        as_receiver(c, a, b) = new_sha256();
      }
    }
  }
}

Checker::~Checker() {
  for (auto* ctx : hasher_) EVP_MD_CTX_free(ctx);
  for (auto* ctx : receiver_) EVP_MD_CTX_free(ctx);
  for (auto* ctx : mac_) EVP_CIPHER_CTX_free(ctx);
}

void Checker::set_mac_keys(const std::array<MacKey, 4>& keys) {
  for (int q = 0; q < kParties; ++q) {
    if (q == me_) continue;
    EVP_CIPHER_CTX_free(mac_[q]);
    mac_[q] = EVP_CIPHER_CTX_new();
    if (mac_[q] == nullptr ||
        EVP_EncryptInit_ex(mac_[q], EVP_aes_128_gcm(), nullptr,
                           reinterpret_cast<const unsigned char*>(keys[q].data()), nullptr) != 1)
      throw Error("rep4: cannot start AES-128-GCM (OpenSSL)");
  }
}

void Checker::update(EVP_MD_CTX* ctx, int peer, int check, int sender, int receiver, int hasher,
                     std::uint64_t& count, std::span<const std::byte> bytes) {
  if (bytes.empty()) return;
  EVP_CIPHER_CTX* mac = mac_[peer];
  if (mac == nullptr) throw Error("rep4: a message hashed before the MAC keys were set");
  // Nonce: the channel and the message's number in it (never repeats under
  // one key: the key belongs to the hasher and the receiver of the channel).
  unsigned char nonce[12] = {static_cast<unsigned char>(check), static_cast<unsigned char>(sender),
                             static_cast<unsigned char>(receiver), static_cast<unsigned char>(hasher)};
  for (int b = 0; b < 8; ++b) nonce[4 + b] = static_cast<unsigned char>(count >> (8 * b));
  ++count;
  unsigned char tag[16];
  int len = 0;
  bool ok = EVP_EncryptInit_ex(mac, nullptr, nullptr, nullptr, nonce) == 1;
  constexpr std::size_t kChunk = std::size_t{1} << 30;  // OpenSSL takes int lengths
  for (std::size_t at = 0; ok && at < bytes.size(); at += kChunk) {
    const auto n = static_cast<int>(std::min(kChunk, bytes.size() - at));
    ok = EVP_EncryptUpdate(mac, nullptr, &len, reinterpret_cast<const unsigned char*>(bytes.data() + at), n) == 1;
  }
  ok = ok && EVP_EncryptFinal_ex(mac, tag, &len) == 1 &&
       EVP_CIPHER_CTX_ctrl(mac, EVP_CTRL_GCM_GET_TAG, sizeof tag, tag) == 1;
  if (!ok || EVP_DigestUpdate(ctx, tag, sizeof tag) != 1) throw Error("rep4: GMAC or SHA-256 failed (OpenSSL)");
}

Digest Checker::finish(EVP_MD_CTX* ctx) {
  Digest d;
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(ctx, reinterpret_cast<unsigned char*>(d.data()), &len) != 1 || len != d.size() ||
      EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr) != 1) {
    throw Error("rep4: SHA-256 final failed (OpenSSL)");
  }
  return d;
}

void Checker::send(Check check, int to, std::span<const std::byte> bytes) {
  label_ = {FrameKind::kValue, check};
  net_.send_bytes(to, bytes);
}

void Checker::recv(Check /*check*/, int from, std::span<std::byte> bytes) { net_.recv_bytes(from, bytes); }

void Checker::hash_as_hasher(Check check, int receiver, int sender, std::span<const std::byte> bytes) {
  const int c = static_cast<int>(check);
  update(as_hasher(c, receiver, sender), receiver, c, sender, receiver, me_, hashed_[channel(c, sender, receiver)],
         bytes);
}

void Checker::hash_as_receiver(Check check, int sender, int hasher, std::span<const std::byte> bytes) {
  const int c = static_cast<int>(check);
  update(as_receiver(c, sender, hasher), hasher, c, sender, me_, hasher, received_[channel(c, sender, hasher)],
         bytes);
}

// Frame to receiver r: for every check, for every other sender s (ascending),
// the digest of the channel s -> r as this party hashed it.
void Checker::exchange_digests() {
  std::vector<std::byte> frame;
  for (int r = 0; r < kParties; ++r) {
    if (r == me_) continue;
    frame.clear();
    for (int c = 0; c < kCheckKinds; ++c) {
      for (int s : third_parties(me_, r)) {
        const Digest d = finish(as_hasher(c, r, s));
        frame.insert(frame.end(), d.begin(), d.end());
      }
    }
    label_ = {FrameKind::kDigests, Check::kKeys};
    try {
      net_.send_bytes(r, frame);
    } catch (const NetError&) {
      // The receiver will miss our digests and say so in its verdict.
    }
  }
  for (int h = 0; h < kParties; ++h) {
    if (h == me_) continue;
    std::vector<Digest> mine;
    for (int c = 0; c < kCheckKinds; ++c)
      for (int s : third_parties(me_, h)) mine.push_back(finish(as_receiver(c, s, h)));
    std::vector<std::byte> theirs(mine.size() * kDigestBytes);
    try {
      net_.recv_bytes(h, theirs);
    } catch (const NetError& e) {
      failures_.push_back({kHashExchange, h, -1, me_, e.what()});
      continue;
    }
    std::size_t at = 0;
    for (int c = 0; c < kCheckKinds; ++c) {
      for (int s : third_parties(me_, h)) {
        if (std::memcmp(theirs.data() + at * kDigestBytes, mine[at].data(), kDigestBytes) != 0)
          failures_.push_back({c, s, h, me_});
        ++at;
      }
    }
  }
}

void Checker::verify() {
  if (!failed_.empty()) throw VerificationError(failed_);
  if (!pending_) return;
  exchange_digests();
  pending_ = false;
  exchange_verdicts();
}

// Verdict frame: bit (c * 16 + s * 4 + h) of words 0-1 for every channel
// (check c, sender s, hasher h) whose digests differed here, bit h of word 2
// for every party whose digests did not arrive; word 3 is zero. Every party
// sends all it saw, so that each one's error lists every failure.
void Checker::exchange_verdicts() {
  std::array<std::uint64_t, kVerdictWords> mine{};
  for (const auto& f : failures_) {
    if (f.kind < kCheckKinds) {
      const int bit = f.kind * 16 + f.suspect_a * 4 + f.suspect_b;
      mine[static_cast<std::size_t>(bit / 64)] |= std::uint64_t{1} << (bit % 64);
    } else {
      mine[2] |= std::uint64_t{1} << f.suspect_a;
    }
  }
  label_ = {FrameKind::kVerdict, Check::kKeys};
  for (int q = 0; q < kParties; ++q) {
    if (q == me_) continue;
    try {
      net_.send_bytes(q, std::as_bytes(std::span(mine)));
    } catch (const NetError&) {
      // q hears nothing from us and fails on its own.
    }
  }
  std::vector<Failure> all = failures_;
  for (int q = 0; q < kParties; ++q) {
    if (q == me_) continue;
    std::array<std::uint64_t, kVerdictWords> v{};
    // A party that missed a digest sends its verdict only after its own
    // receive timed out: its verdict gets a second wait (a network that
    // ends the session on a timeout fails the retry at once).
    bool arrived = false;
    for (int attempt = 0; attempt < 2 && !arrived; ++attempt) {
      try {
        net_.recv_bytes(q, std::as_writable_bytes(std::span(v)));
        arrived = true;
      } catch (const NetError& e) {
        if (attempt == 1) all.push_back({kVerdictExchange, q, -1, me_, e.what()});
      }
    }
    if (!arrived) continue;
    const bool well_formed = (v[1] >> 32) == 0 && (v[2] >> kParties) == 0 && v[3] == 0;
    if (!well_formed) {
      all.push_back({kVerdictExchange, q, -1, me_});
      continue;
    }
    for (int bit = 0; bit < kCheckKinds * 16; ++bit) {
      if (((v[static_cast<std::size_t>(bit / 64)] >> (bit % 64)) & 1) == 0) continue;
      const int c = bit / 16, s = (bit / 4) % 4, h = bit % 4;
      if (s == q || h == q || s == h) {
        all.push_back({kVerdictExchange, q, -1, me_});  // a channel q cannot check
        continue;
      }
      all.push_back({c, s, h, q});
    }
    for (int h = 0; h < kParties; ++h)
      if ((v[2] >> h) & 1) all.push_back({h == q ? kVerdictExchange : kHashExchange, h, -1, q});
  }
  failures_.clear();
  if (!all.empty()) fail(all);
}

std::string Checker::describe(const Failure& f) {
  auto party = [](int p) { return "party " + std::to_string(p); };
  const std::string why = f.detail.empty() ? "" : ": " + f.detail;
  if (f.kind == kHashExchange) {
    return "the hash exchange failed at " + party(f.seen_by) + ": the digests of " + party(f.suspect_a) +
           " did not arrive (" + party(f.suspect_a) + " deviated or the session ended" + why + ")";
  }
  if (f.kind == kVerdictExchange) {
    return party(f.seen_by) + " got no valid verdict from " + party(f.suspect_a) + " (" + party(f.suspect_a) +
           " deviated or the session ended" + why + ")";
  }
  return "the " + std::string(check_name(static_cast<Check>(f.kind))) + " check failed at " +
         party(f.seen_by) + ": what " + party(f.suspect_a) + " sent does not match the hash of " +
         party(f.suspect_b) + " (" + party(f.suspect_a) + " or " + party(f.suspect_b) + " deviated)";
}

void Checker::fail(const std::vector<Failure>& all) {
  std::vector<Failure> sorted = all;
  auto key = [](const Failure& f) { return std::tuple(f.kind, f.suspect_a, f.suspect_b, f.seen_by); };
  std::sort(sorted.begin(), sorted.end(),
            [&](const Failure& a, const Failure& b) { return key(a) < key(b); });
  sorted.erase(std::unique(sorted.begin(), sorted.end(),
                           [&](const Failure& a, const Failure& b) { return key(a) == key(b); }),
               sorted.end());
  std::string text = "rep4 verification failed: ";
  for (std::size_t i = 0; i < sorted.size(); ++i) text += (i > 0 ? "; " : "") + describe(sorted[i]);
  // The one party every failure implicates, when there is one.
  std::vector<int> common = {0, 1, 2, 3};
  for (const auto& f : sorted) {
    std::erase_if(common, [&](int q) { return q != f.suspect_a && q != f.suspect_b; });
  }
  if (common.size() == 1)
    text += ". Suspected: party " + std::to_string(common[0]) + " (named by every failed check)";
  text += ". Nothing computed since the last passed check may be used.";
  failed_ = text;
  throw VerificationError(text);
}

}  // namespace sqt::mpc::rep4
