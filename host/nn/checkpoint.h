// Per-party checkpoints: each party writes only its own shares (parameters and
// optimizer state) plus the position in training, atomically (temporary file
// + rename), to DIR/party-<id>.ckpt. The truncation randomness of epoch e is
// derived from (seed, e), so resuming after epoch e repeats exactly what an
// uninterrupted run does.
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
  std::vector<std::vector<Ring>> vectors;  // params then optimizer states, each `components` parts
};

std::string checkpoint_path(const std::string& dir, int party);
void write_checkpoint(const std::string& path, const CheckpointData& data);
CheckpointData read_checkpoint(const std::string& path);

}  // namespace sqt::nn
