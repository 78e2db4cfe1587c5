// mal-rep3's message checks and verdicts (three parties, one may deviate).
//
// Joint messages: a replicated component is held by two parties, so when one
// of them sends it to the third, the other (the hasher) adds the same bytes
// to a running SHA-256 of that channel and the receiver hashes what arrived.
// In mal-rep3 every joint message goes from a party to its next one and is
// hashed by the remaining party, so each party hashes one channel as hasher
// (next -> prev) and one as receiver (prev -> itself) per check.
//
// Zero checks: a boolean sharing that must be zero (the results of the AND
// sacrifices) is never sent. Each party hashes its own component into a
// receiver-side hash and the XOR of its two components (the third one if
// the sharing is zero) into a hasher-side hash; the digests are compared
// like the joint messages' (party i's hasher against party i-1's receiver),
// so the two honest parties compare the value their three components give.
//
// Other failures are found locally (a MAC check that does not hold) and
// recorded with local_failure().
// verify() sends each party's digests to the other side of each channel
// (one round) and every party's verdict to both others (one round): a
// failure anywhere makes every honest party throw VerificationError naming
// the check. A digest or verdict that does not arrive counts as a failure of
// its sender.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "host/net/network.h"

typedef struct evp_md_ctx_st EVP_MD_CTX;

namespace sqt::mpc::mal_rep3 {

// The checks; the name is what a VerificationError says. kInputShare labels
// the owner's own share of an input, which nothing checks (an owner may input
// what it likes); its MAC product is the input check.
enum class Check : std::uint8_t {
  kKeys,
  kInput,
  kMultiplication,
  kTruncation,
  kComparison,
  kOpening,
  kMac,
  kInputShare
};
inline constexpr int kCheckKinds = 7;  // the checked ones (kInputShare is not)
std::string_view check_name(Check c);

// Why a check failed.
enum class Reason : std::uint8_t { kHash, kHashAtHasher, kMac, kSacrifice };

enum class FrameKind : std::uint8_t { kValue, kDigests, kVerdict };
struct FrameLabel {
  FrameKind frame = FrameKind::kValue;
  Check check = Check::kKeys;
};

class Checker {
 public:
  explicit Checker(net::Network& net);
  ~Checker();
  Checker(const Checker&) = delete;
  Checker& operator=(const Checker&) = delete;

  // A frame that no one hashes (products' summands, an input's share).
  void send(Check check, int to, std::span<const std::byte> bytes);
  void recv(int from, std::span<std::byte> bytes);
  // A joint message: this party sends `mine` to its next party, hashes
  // `co_held` (what its next party sends to its previous one), and receives
  // `in` from its previous party. Any of the three may be empty.
  void joint(Check check, std::span<const std::byte> mine, std::span<const std::byte> co_held,
             std::span<std::byte> in);
  // The parts of joint() for openings to one party.
  void joint_send(Check check, std::span<const std::byte> mine);
  void joint_hash(Check check, std::span<const std::byte> co_held);
  void joint_recv(Check check, std::span<std::byte> in);
  // A zero check of the boolean sharing with this party's components c0
  // (its own) and c1 (its next party's); a mismatch fails `check` with
  // Reason::kSacrifice.
  void expect_zero_xor(Check check, std::span<const std::uint64_t> c0, std::span<const std::uint64_t> c1);

  void local_failure(Check check, Reason reason);
  void mark_pending() { pending_ = true; }
  bool pending() const { return pending_; }
  // Throws when a check failed before (the session is over).
  void throw_if_failed() const;
  // Digest round and verdict round when anything is pending.
  void verify();

  FrameLabel sending() const { return label_; }

 private:
  struct Failure {
    int check = 0;
    Reason reason = Reason::kHash;
    int seen_by = -1;
    int missing = -1;  // >= 0: that party's digests or verdict did not arrive
    bool verdict = false;
    std::string detail;
  };
  void exchange_digests();
  void exchange_verdicts();
  std::string describe(const Failure& f) const;
  [[noreturn]] void fail(std::vector<Failure> all);

  net::Network& net_;
  int me_, next_, prev_;
  // Slots [0, kCheckKinds) hash joint messages, [kCheckKinds, 2 kCheckKinds)
  // zero checks.
  static constexpr int kSlots = 2 * kCheckKinds;
  std::array<EVP_MD_CTX*, kSlots> as_hasher_{}, as_receiver_{};
  std::vector<Failure> failures_;
  bool pending_ = false;
  std::string failed_;
  FrameLabel label_;
};

}  // namespace sqt::mpc::mal_rep3
