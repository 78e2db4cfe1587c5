// rep4's message checks: the joint-message pattern (Fantastic Four).
//
// Every value rep4 sends is known to two parties before it is sent: one of
// them (the sender) sends it, the other (the hasher) adds the same bytes to a
// running hash of the channel (sender -> receiver), and the receiver adds
// what arrived to its own hash of that channel. With at most one malicious
// party, either the sender or the hasher is honest, so a receiver whose two
// digests agree got what an honest party computed. The input's two receivers
// hash what each received from the owner for the other (the owner cannot
// give them different values).
//
// The hash of a channel is SHA-256 over the 16-byte GMAC tags of its
// messages (AES-128-GCM with the message as associated data), keyed by the
// hasher and the receiver's pair key, with a nonce naming the channel and
// the message's number in it. GMAC is about four times faster than SHA-256
// over the bytes. The key is secret to those two, so when both are honest a
// deviating sender cannot make a wrong message's tag match (a forgery of a
// MAC it never sees a tag of); when one of them deviates, the sender is
// honest and the worst is an abort.
//
// verify() exchanges the digests of everything since its last call (one
// round), then every party's verdict (one round): a failure anywhere makes
// every party that is honest throw VerificationError naming the check, the
// party that saw it and the parties that may have deviated. A digest or
// verdict that does not arrive (a party withholding it) counts as a failure
// of that party. An opening is its own batch: verify() before it and after
// it, so that no honest party reveals or returns a value before its check.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "host/net/network.h"

// OpenSSL's hash and cipher states (openssl/evp.h), kept out of this header.
typedef struct evp_md_ctx_st EVP_MD_CTX;
typedef struct evp_cipher_ctx_st EVP_CIPHER_CTX;

namespace sqt::mpc::rep4 {

// The checks, one hash channel family each; the name is what a
// VerificationError says.
enum class Check : std::uint8_t { kKeys, kInput, kMultiplication, kTruncation, kComparison, kOpening };
inline constexpr int kCheckKinds = 6;
std::string_view check_name(Check c);

// What a frame carries: a protocol value, hash digests, or a verdict.
enum class FrameKind : std::uint8_t { kValue, kDigests, kVerdict };
struct FrameLabel {
  FrameKind frame = FrameKind::kValue;
  Check check = Check::kKeys;
};

inline constexpr std::size_t kDigestBytes = 32;
using Digest = std::array<std::byte, kDigestBytes>;

class Checker {
 public:
  explicit Checker(net::Network& net);
  ~Checker();
  Checker(const Checker&) = delete;
  Checker& operator=(const Checker&) = delete;

  int party() const { return me_; }

  // The GMAC key shared with each other party (drawn from the pair key),
  // needed before the first message is hashed.
  using MacKey = std::array<std::byte, 16>;
  void set_mac_keys(const std::array<MacKey, 4>& keys);

  // A value frame to `to` / from `from`, labelled with its check.
  void send(Check check, int to, std::span<const std::byte> bytes);
  void recv(Check check, int from, std::span<std::byte> bytes);
  // This party is the hasher of a message sender -> receiver.
  void hash_as_hasher(Check check, int receiver, int sender, std::span<const std::byte> bytes);
  // This party received a message from `sender` that `hasher` hashes.
  void hash_as_receiver(Check check, int sender, int hasher, std::span<const std::byte> bytes);
  // Work since the last verify() that it must check (every party marks the
  // same rounds, so all agree whether verify() has anything to do).
  void mark_pending() { pending_ = true; }

  // Digest round and verdict round when anything is pending; throws
  // VerificationError on every party if any check failed (and at every
  // later call: the session is over).
  void verify();

  // The frame being sent (for tests that corrupt one party's frames).
  FrameLabel sending() const { return label_; }

 private:
  struct Failure {
    int kind = 0;  // a Check, or kHashExchange / kVerdictExchange
    int suspect_a = -1, suspect_b = -1;
    int seen_by = -1;
    std::string detail;  // the network's error, when a frame did not arrive
  };
  static constexpr int kHashExchange = kCheckKinds, kVerdictExchange = kCheckKinds + 1;

  static std::size_t channel(int check, int sender, int receiver) {
    return static_cast<std::size_t>((check * 4 + sender) * 4 + receiver);
  }
  EVP_MD_CTX*& as_hasher(int check, int receiver, int sender) { return hasher_[channel(check, sender, receiver)]; }
  EVP_MD_CTX*& as_receiver(int check, int sender, int hasher) { return receiver_[channel(check, sender, hasher)]; }
  // Adds the GMAC tag of message number `count` of channel (check, sender ->
  // receiver, hasher) to `ctx`; `peer` is whichever of hasher and receiver
  // this party is not.
  void update(EVP_MD_CTX* ctx, int peer, int check, int sender, int receiver, int hasher, std::uint64_t& count,
              std::span<const std::byte> bytes);
  static Digest finish(EVP_MD_CTX* ctx);  // and restarts ctx
  void exchange_digests();
  void exchange_verdicts();
  static std::string describe(const Failure& f);
  [[noreturn]] void fail(const std::vector<Failure>& all);

  net::Network& net_;
  int me_;
  std::vector<EVP_MD_CTX*> hasher_, receiver_;  // [check][peer][peer], null where unused
  std::vector<std::uint64_t> hashed_, received_;  // messages so far per channel, as hasher_, receiver_
  std::array<EVP_CIPHER_CTX*, 4> mac_{};          // [peer]: AES-128-GCM with our pair's MAC key
  std::vector<Failure> failures_;               // seen here since the last verdict round
  bool pending_ = false;
  std::string failed_;  // the error of a failed verification: the session is over
  FrameLabel label_;
};

}  // namespace sqt::mpc::rep4
