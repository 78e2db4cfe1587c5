// --init-from: the model owner's weights were trained on inputs mapped as
// its graph's first node says (pixel * scale + offset); the run feeds them
// the first data owner's map (the dataset's, or its standardisation). The
// two maps enter as those parties' secret inputs and only whether they agree
// is opened: neither learns the other's map, and a mismatch stops every
// party with the same error (each adding the map it knows).
#pragma once

#include <fmt/core.h>

#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "host/core/error.h"
#include "host/mpc/fixed/fixed.h"
#include "host/mpc/protocol.h"
#include "host/nn/model_file.h"

namespace sqt::nn {

// Maps within 2^-20 of each other (float32 rounding of the ONNX constants
// is about 2^-24 relative) agree.
inline constexpr double kInputMapTolerance = 0x1p-20;

// The error's common text; `standardize`: the run's --standardize.
inline std::string input_map_mismatch(const std::string& data_side, bool standardize) {
  return fmt::format(
      "--init-from: the model's input map (its graph's first Mul/Add: value = pixel * scale + offset) is not "
      "this run's ({}, {}): its weights were trained on other input values. Train with the --standardize "
      "setting the model was trained with, or export it from a run on this data",
      data_side, standardize ? "standardised with --standardize" : "without --standardize");
}

// For a process that holds both maps (the float reference).
inline void check_input_maps(const InputMap& model, const InputMap& data, bool standardize) {
  if (std::abs(model.scale - data.scale) < kInputMapTolerance &&
      std::abs(model.offset - data.offset) < kInputMapTolerance)
    return;
  throw ConfigError(input_map_mismatch("the data's", standardize) +
                    fmt::format("; the model's map: scale {}, offset {}; the data's: scale {}, offset {}",
                                model.scale, model.offset, data.scale, data.offset));
}

// `owner_map` on the model owner, `data_map` on the data owner (nullopt
// elsewhere); `verify` runs the protocol's check before the opening.
template <mpc::Protocol P, class Verify>
void check_owner_input_map(P& p, int model_owner, int data_owner, const std::optional<InputMap>& owner_map,
                           const std::optional<InputMap>& data_map, bool standardize, Verify&& verify) {
  using Ring = typename P::Ring;
  const int bits = 2 * p.fixed().f;
  auto encode = [&](const std::optional<InputMap>& m) {
    if (!m) return std::vector<Ring>{};
    return std::vector<Ring>{encode_fixed<Ring>(m->scale, bits), encode_fixed<Ring>(m->offset, bits)};
  };
  const auto d = p.sub(p.input(model_owner, encode(p.party() == model_owner ? owner_map : std::nullopt), 2),
                       p.input(data_owner, encode(p.party() == data_owner ? data_map : std::nullopt), 2));
  // |d| < eps as [d - eps < 0] * [-d - eps < 0]: 1 for each entry that agrees.
  const Ring eps = encode_fixed<Ring>(kInputMapTolerance, bits);
  const auto below = p.ltz(p.add_public(d, static_cast<Ring>(Ring{0} - eps)));
  const auto above = p.ltz(p.add_public(p.neg(d), static_cast<Ring>(Ring{0} - eps)));
  const auto agree =
      p.linear(p.mul(below, above), 1, [](const Ring* in, Ring* out) { out[0] = in[0] + in[1]; });
  verify("the input maps of the model and the data are compared");
  if (p.reveal(agree)[0] == Ring{2}) return;
  std::string what = input_map_mismatch(fmt::format("the data owner's, party {}", data_owner), standardize);
  if (p.party() == model_owner && owner_map)
    what += fmt::format("; the model's map: scale {}, offset {}", owner_map->scale, owner_map->offset);
  if (p.party() == data_owner && data_map)
    what += fmt::format("; the data's map: scale {}, offset {}", data_map->scale, data_map->offset);
  throw ConfigError(what);
}

}  // namespace sqt::nn
