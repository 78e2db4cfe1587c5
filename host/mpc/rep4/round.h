// One communication round of rep4: the messages of the joint-message
// pattern (checks.h), each known to a sender and a hasher before the round.
// Every party registers the round's messages in the same order (it keeps only
// those it sends, hashes or receives), then run() sends, hashes and receives
// them. Values travel as 8-byte ring elements or, for values that only
// matter modulo 2^bits (truncation's wrap terms), in ceil(bits / 8) bytes.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "host/core/ring.h"
#include "host/core/ring_vec.h"
#include "host/mpc/protocol.h"
#include "host/mpc/rep4/checks.h"

namespace sqt::mpc::rep4 {

// Bytes per value: empty runs = 8; otherwise run i's values take
// ceil(runs[i].bits / 8) bytes each (the runs cover the message).
struct Wire {
  std::vector<TruncRun> runs;
  std::size_t bytes(std::size_t n) const;
};

class Round {
 public:
  Round(Checker& checker, Check check) : checker_(checker), check_(check), me_(checker.party()) {}

  // A message of n values from `sender` to `receiver`, hashed by `hasher`.
  // At the sender and the hasher `values` holds them (full width: it must
  // stay alive until run()); elsewhere it is ignored. Returns the handle the
  // receiver reads after run() (-1 at parties that do not receive it).
  int add(int sender, int hasher, int receiver, std::span<const Ring> values, std::size_t n,
          const Wire& wire = {});

  // Sends, hashes (checked at the next verify()) and receives.
  void run();

  // What the receiver got (valid after run()).
  RingVec& received(int handle) { return msgs_[static_cast<std::size_t>(handle)].in; }

 private:
  struct Msg {
    int sender = 0, hasher = 0, receiver = 0;
    std::size_t n = 0;
    Wire wire;
    std::span<const std::byte> out;   // sender, hasher: the bytes on the wire
    std::vector<std::byte> packed;    // their storage when narrowed
    std::vector<std::byte> in_bytes;  // receiver, narrowed
    RingVec in;                       // receiver
  };
  std::span<std::byte> in_bytes(Msg& m);
  void unpack(Msg& m);

  Checker& checker_;
  Check check_;
  int me_;
  std::vector<Msg> msgs_;
};

}  // namespace sqt::mpc::rep4
