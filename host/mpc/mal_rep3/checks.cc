#include "host/mpc/mal_rep3/checks.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cstring>
#include <tuple>

#include "host/core/error.h"

namespace sqt::mpc::mal_rep3 {
namespace {

constexpr std::size_t kDigestBytes = 32;
constexpr int kReasons = 4;
constexpr int kMissingBit = kCheckKinds * kReasons;  // + party: its digests did not arrive

EVP_MD_CTX* new_sha256() {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  if (ctx == nullptr || EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr) != 1) {
    EVP_MD_CTX_free(ctx);
    throw Error("mal-rep3: cannot start a SHA-256 hash (OpenSSL)");
  }
  return ctx;
}

void update(EVP_MD_CTX* ctx, std::span<const std::byte> bytes) {
  if (!bytes.empty() && EVP_DigestUpdate(ctx, bytes.data(), bytes.size()) != 1)
    throw Error("mal-rep3: SHA-256 update failed (OpenSSL)");
}

std::array<std::byte, kDigestBytes> finish(EVP_MD_CTX* ctx) {  // and restarts ctx
  std::array<std::byte, kDigestBytes> d;
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(ctx, reinterpret_cast<unsigned char*>(d.data()), &len) != 1 || len != d.size() ||
      EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr) != 1) {
    throw Error("mal-rep3: SHA-256 final failed (OpenSSL)");
  }
  return d;
}

std::string party(int p) { return "party " + std::to_string(p); }

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
    case Check::kMac:
      return "MAC";
    case Check::kInputShare:
      return "input sharing";
  }
  return "unknown";
}

Checker::Checker(net::Network& net)
    : net_(net), me_(net.party()), next_(net.next_party()), prev_(net.prev_party()) {
  for (int c = 0; c < kSlots; ++c) {
    as_hasher_[c] = new_sha256();
    as_receiver_[c] = new_sha256();
  }
}

Checker::~Checker() {
  for (auto* ctx : as_hasher_) EVP_MD_CTX_free(ctx);
  for (auto* ctx : as_receiver_) EVP_MD_CTX_free(ctx);
}

void Checker::send(Check check, int to, std::span<const std::byte> bytes) {
  label_ = {FrameKind::kValue, check};
  pending_ = true;
  net_.send_bytes(to, bytes);
}

void Checker::recv(int from, std::span<std::byte> bytes) { net_.recv_bytes(from, bytes); }

void Checker::joint_send(Check check, std::span<const std::byte> mine) {
  label_ = {FrameKind::kValue, check};
  pending_ = true;
  net_.send_bytes(next_, mine);
}

void Checker::joint_hash(Check check, std::span<const std::byte> co_held) {
  pending_ = true;
  update(as_hasher_[static_cast<int>(check)], co_held);
}

void Checker::joint_recv(Check check, std::span<std::byte> in) {
  pending_ = true;
  net_.recv_bytes(prev_, in);
  update(as_receiver_[static_cast<int>(check)], in);
}

void Checker::joint(Check check, std::span<const std::byte> mine, std::span<const std::byte> co_held,
                    std::span<std::byte> in) {
  joint_send(check, mine);
  joint_hash(check, co_held);
  joint_recv(check, in);
}

void Checker::expect_zero_xor(Check check, std::span<const std::uint64_t> c0,
                              std::span<const std::uint64_t> c1) {
  if (c0.size() != c1.size()) throw Error("mal-rep3: a zero check's two components differ in size");
  pending_ = true;
  const int slot = kCheckKinds + static_cast<int>(check);
  update(as_receiver_[slot], std::as_bytes(c0));
  // In chunks: one hash update per word would be slow.
  std::array<std::uint64_t, 1024> buf;
  for (std::size_t at = 0; at < c0.size(); at += buf.size()) {
    const std::size_t len = std::min(buf.size(), c0.size() - at);
    for (std::size_t w = 0; w < len; ++w) buf[w] = c0[at + w] ^ c1[at + w];
    update(as_hasher_[slot], std::as_bytes(std::span(buf.data(), len)));
  }
}

void Checker::local_failure(Check check, Reason reason) {
  failures_.push_back({static_cast<int>(check), reason, me_});
}

void Checker::throw_if_failed() const {
  if (!failed_.empty()) throw VerificationError(failed_);
}

void Checker::verify() {
  throw_if_failed();
  if (!pending_) return;
  exchange_digests();
  pending_ = false;
  exchange_verdicts();
}

// Both sides of every channel compare: this party's hasher digests (of the
// channel next -> prev) go to prev and its receiver digests (of prev -> this
// party) to next, so each party waits on a frame from each other party.
void Checker::exchange_digests() {
  std::vector<std::byte> as_hasher, as_receiver;
  for (int c = 0; c < kSlots; ++c) {
    const auto h = finish(as_hasher_[c]), r = finish(as_receiver_[c]);
    as_hasher.insert(as_hasher.end(), h.begin(), h.end());
    as_receiver.insert(as_receiver.end(), r.begin(), r.end());
  }
  label_ = {FrameKind::kDigests, Check::kKeys};
  for (auto [to, frame] : {std::pair{prev_, &as_hasher}, std::pair{next_, &as_receiver}}) {
    try {
      net_.send_bytes(to, *frame);
    } catch (const NetError&) {
      // The peer misses our digests and says so in its verdict.
    }
  }
  // From next: its hasher digests of prev -> this party; from prev: its
  // receiver digests of next -> prev.
  for (auto [from, mine, reason] : {std::tuple{next_, &as_receiver, Reason::kHash},
                                    std::tuple{prev_, &as_hasher, Reason::kHashAtHasher}}) {
    std::vector<std::byte> theirs(mine->size());
    try {
      net_.recv_bytes(from, theirs);
    } catch (const NetError& e) {
      failures_.push_back({0, Reason::kHash, me_, from, false, e.what()});
      continue;
    }
    for (int c = 0; c < kSlots; ++c) {
      if (std::memcmp(theirs.data() + c * kDigestBytes, mine->data() + c * kDigestBytes, kDigestBytes) != 0) {
        if (c < kCheckKinds)
          failures_.push_back({c, reason, me_});
        else
          failures_.push_back({c - kCheckKinds, Reason::kSacrifice, me_});
      }
    }
  }
}

// Verdict word: bit check * 3 + reason for every failure seen here, bit
// kMissingBit + q when party q's digests did not arrive.
void Checker::exchange_verdicts() {
  std::uint64_t mine = 0;
  for (const auto& f : failures_) {
    if (f.missing >= 0)
      mine |= std::uint64_t{1} << (kMissingBit + f.missing);
    else
      mine |= std::uint64_t{1} << (f.check * kReasons + static_cast<int>(f.reason));
  }
  label_ = {FrameKind::kVerdict, Check::kKeys};
  for (int q : {next_, prev_}) {
    try {
      net_.send_bytes(q, std::as_bytes(std::span(&mine, 1)));
    } catch (const NetError&) {
      // q hears nothing from us and fails on its own.
    }
  }
  std::vector<Failure> all = failures_;
  failures_.clear();
  for (int q : {next_, prev_}) {
    std::uint64_t v = 0;
    try {
      net_.recv_bytes(q, std::as_writable_bytes(std::span(&v, 1)));
    } catch (const NetError& e) {
      all.push_back({0, Reason::kHash, me_, q, true, e.what()});
      continue;
    }
    if ((v >> (kMissingBit + 3)) != 0) {
      all.push_back({0, Reason::kHash, me_, q, true, "a malformed verdict"});
      continue;
    }
    for (int bit = 0; bit < kMissingBit; ++bit)
      if ((v >> bit) & 1) all.push_back({bit / kReasons, static_cast<Reason>(bit % kReasons), q});
    for (int p = 0; p < 3; ++p)
      if ((v >> (kMissingBit + p)) & 1) all.push_back({0, Reason::kHash, q, p});
  }
  if (!all.empty()) fail(std::move(all));
}

std::string Checker::describe(const Failure& f) const {
  const std::string why = f.detail.empty() ? "" : ": " + f.detail;
  if (f.missing >= 0 && f.verdict) {
    return party(f.seen_by) + " got no valid verdict from " + party(f.missing) + " (" + party(f.missing) +
           " deviated or the session ended" + why + ")";
  }
  if (f.missing >= 0) {
    return "the hash exchange failed at " + party(f.seen_by) + ": the digests of " + party(f.missing) +
           " did not arrive (" + party(f.missing) + " deviated or the session ended" + why + ")";
  }
  const std::string name(check_name(static_cast<Check>(f.check)));
  switch (f.reason) {
    case Reason::kHash: {
      // The channel prev -> seen_by, hashed by next.
      const int sender = (f.seen_by + 2) % 3, hasher = (f.seen_by + 1) % 3;
      return "the " + name + " check failed at " + party(f.seen_by) + ": what " + party(sender) +
             " sent does not match the hash of " + party(hasher) + " (" + party(sender) + " or " +
             party(hasher) + " deviated)";
    }
    case Reason::kHashAtHasher: {
      // The channel next -> prev of seen_by, which seen_by hashed.
      const int sender = (f.seen_by + 1) % 3, receiver = (f.seen_by + 2) % 3;
      return "the " + name + " check failed at " + party(f.seen_by) + ": what " + party(receiver) +
             " says it received from " + party(sender) + " does not match the hash of " + party(f.seen_by) +
             " (" + party(sender) + " or " + party(receiver) + " deviated)";
    }
    case Reason::kMac:
      return "the " + name + " check failed at " + party(f.seen_by) +
             ": the MACs of its results do not match the key (a party deviated)";
    case Reason::kSacrifice:
      return "the " + name + " check failed at " + party(f.seen_by) +
             ": its AND gates' sacrifices do not give zero (a party deviated)";
  }
  return "unknown failure";
}

void Checker::fail(std::vector<Failure> all) {
  auto key = [](const Failure& f) {
    return std::tuple(f.missing >= 0, f.check, static_cast<int>(f.reason), f.missing, f.verdict, f.seen_by);
  };
  std::sort(all.begin(), all.end(), [&](const Failure& a, const Failure& b) { return key(a) < key(b); });
  all.erase(std::unique(all.begin(), all.end(),
                        [&](const Failure& a, const Failure& b) { return key(a) == key(b); }),
            all.end());
  std::string text = "mal-rep3 verification failed: ";
  for (std::size_t i = 0; i < all.size(); ++i) text += (i > 0 ? "; " : "") + describe(all[i]);
  text += ". Nothing computed since the last passed check may be used.";
  failed_ = text;
  throw VerificationError(text);
}

}  // namespace sqt::mpc::mal_rep3
