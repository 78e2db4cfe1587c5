// Per-party checkpoints: each party writes only its own shares (parameters and
// optimizer state) plus the position in training, atomically and with mode
// 0600 (host/core/secure_file.h), to DIR/party-<id>.ckpt; a missing DIR is
// created with mode 0700. The local launcher gives each party its own DIR
// (local_party_checkpoint_dir), as separate nodes would have. The truncation
// randomness of epoch e is derived from (seed, e), so resuming after epoch e
// repeats exactly what an uninterrupted run does.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "host/core/ring.h"

namespace sqt::nn {

struct CheckpointData {
  std::string model;       // architecture name, checked on resume
  std::uint64_t seed = 0;  // training seed, checked on resume
  std::int64_t epochs_done = 0;
  std::int64_t optimizer_steps = 0;
  int components = 0;                      // share components per element
  int ring_bits = 64;                      // the ring: 64 or 128 (then two words per element, low first)
  std::vector<std::vector<Ring>> vectors;  // params then optimizer states, each `components` parts
  // The group of `vectors` that holds the shares of the first data owner's
  // input map (scale, offset at f bits), so `sqt predict` maps pixels as
  // training did; -1: none (written before version 4).
  std::int64_t input_map = -1;
};

std::string checkpoint_path(const std::string& dir, int party);
// The --checkpoint folder of party `party` when all parties run on one
// machine under `sqt train`'s local launcher: <dir>/party-<party>.
std::string local_party_checkpoint_dir(const std::string& dir, int party);
void write_checkpoint(const std::string& path, const CheckpointData& data);
CheckpointData read_checkpoint(const std::string& path);

}  // namespace sqt::nn
