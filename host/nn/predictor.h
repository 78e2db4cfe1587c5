// Secure inference, protocol-generic: a secret model classifies the images
// of one party (the data owner). The model's parameters are either this
// party's checkpoint shares or the float weights of a model file that its
// owner secret-shares (Protocol::input); the data owner secret-shares its
// images (Protocol::input_rows). Forward passes run on shares; per batch,
// the arg-max labels (and with `scores`, the logits) are revealed to the
// data owner only (Protocol::reveal_to). evaluate() opens only the count of
// correct predictions, to the data owner. Opened to every party: the
// number of images (shapes are public). Protocol::verify() runs before
// every opening.
#pragma once

#include <fmt/core.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "host/core/error.h"
#include "host/core/ring.h"
#include "host/data/dataset.h"
#include "host/mpc/fixed/fixed.h"
#include "host/mpc/protocol.h"
#include "host/nn/checkpoint.h"
#include "host/nn/checkpoint_shares.h"
#include "host/nn/model.h"
#include "host/nn/model_file.h"
#include "host/nn/progress.h"
#include "host/nn/protocol_extras.h"
#include "host/nn/softmax_ce.h"

namespace sqt::nn {

struct InferenceOptions {
  int data_owner = 0;
  std::size_t batch = 128;  // images per secure forward pass
  bool scores = false;      // also reveal the logits to the data owner
  bool quiet = false;       // no progress line (the data owner shows it)
};

// What the data owner receives; empty on every other party.
struct Predictions {
  std::vector<int> labels;     // one per image: the arg-max class (ties to the lowest)
  std::vector<double> scores;  // with `scores`: images x classes logits
};

template <mpc::Protocol P>
class Predictor {
 public:
  using S = typename P::Share;
  using Ring = typename P::Ring;

  // `model` holds a reference to `p`; both outlive the predictor.
  Predictor(P& p, Model<P>& model, InferenceOptions opt) : p_(p), model_(model), opt_(opt) {
    if (opt_.data_owner < 0 || opt_.data_owner >= p_.parties()) {
      throw ConfigError(fmt::format("--data-owner {}: not a party of this protocol ({} parties)",
                                    opt_.data_owner, p_.parties()));
    }
    if (opt_.batch == 0) throw ConfigError("--batch: must be a positive number, got 0");
  }

  // This party's shares of a training checkpoint (its parameters and the
  // shares of training's input map; the optimizer states stay unread). The
  // data owner then shares raw pixel values and training's map is applied
  // on shares, as for a model file. A checkpoint without the map (written
  // before it carried one) takes the data owner's dataset's own map, the one
  // training used without --standardize.
  void load_checkpoint(const CheckpointData& c, const std::string& path) {
    if (c.model != model_.arch().name) {
      throw ConfigError(
          fmt::format("--checkpoint: {} holds network {}, --model is {}", path, c.model, model_.arch().name));
    }
    S params = shares_from_checkpoint<S>(c, 0);
    if (params.size() != model_.param_count()) {
      throw FileError(fmt::format("--checkpoint: {} holds {} parameters, network {} has {}", path,
                                  params.size(), model_.arch().name, model_.param_count()));
    }
    model_.params() = std::move(params);
    map_.reset();
    if (c.input_map >= 0) {
      S map = shares_from_checkpoint<S>(c, static_cast<std::size_t>(c.input_map));
      if (map.size() != 2)
        throw FileError(fmt::format("--checkpoint: {} holds an input map of {} values", path, map.size()));
      map_ = std::move(map);
    }
  }

  // The model owner's weights and input map, secret-shared by the owner;
  // `file` is the owner's model file (nullptr on the other parties, which
  // learn nothing of it). The data owner then shares raw pixel values and
  // the owner's map is applied on shares.
  void input_model(int owner, const ModelFile* file) {
    if (owner < 0 || owner >= p_.parties()) {
      throw ConfigError(
          fmt::format("--model-owner {}: not a party of this protocol ({} parties)", owner, p_.parties()));
    }
    std::vector<Ring> weights, map;
    if (p_.party() == owner) {
      if (file == nullptr)
        throw ConfigError(fmt::format("--model-file: the model owner (party {}) has none", owner));
      weights = model_.encode(file->params);
      const int f = p_.fixed().f;
      map = {encode_fixed<Ring>(file->input->scale, f), encode_fixed<Ring>(file->input->offset, f)};
    }
    model_.params() = p_.input(owner, weights, model_.param_count());
    map_ = p_.input(owner, map, 2);
  }

  // Classifies the data owner's images (`d` there, nullptr elsewhere).
  // Defined below the class, not inline: see host/nn/model_instances.h.
  Predictions predict(const data::Dataset* d);

  // The number of the data owner's images whose label the model predicts,
  // on the data owner (std::nullopt elsewhere): one value is opened, to it.
  // Defined below the class, not inline: see host/nn/model_instances.h.
  std::optional<std::size_t> evaluate(const data::Dataset* d);

 private:
  // The data owner's image count, opened to all (the loop's shape);
  // ShapeError on the data owner when its images do not fit the network.
  std::size_t announce_count(const data::Dataset* d) {
    std::vector<Ring> c;
    if (p_.party() == opt_.data_owner) {
      if (d == nullptr)
        throw ConfigError(fmt::format("--data: the data owner (party {}) has no dataset", opt_.data_owner));
      const Shape in = model_.arch().input;
      if (d->height != in.h || d->width != in.w || d->channels != in.c) {
        throw ShapeError(fmt::format("--data: {} holds {}x{}x{} images, network {} takes {}x{}x{}", d->name,
                                     d->height, d->width, d->channels, model_.arch().name, in.h, in.w, in.c));
      }
      c = {static_cast<Ring>(d->count)};
    }
    const S shared = p_.input(opt_.data_owner, c, 1);
    verify("the image count is opened");
    return static_cast<std::size_t>(p_.reveal(shared)[0]);
  }

  // With a model file's input map the data owner shares raw pixel values
  // (the map is the model owner's secret); otherwise its dataset's values.
  typename P::InputRows share_images(const data::Dataset* d, std::size_t n) {
    const std::size_t sample = model_.arch().input.size();
    mpc::RowSourceOf<Ring> rows;
    if (p_.party() == opt_.data_owner) {
      const int f = p_.fixed().f;
      if (map_) {
        rows = [d, f, sample](std::span<const std::uint32_t> idx, Ring* o) {
          for (std::size_t i = 0; i < idx.size(); ++i)
            for (std::size_t j = 0; j < sample; ++j)
              o[i * sample + j] = static_cast<Ring>(d->pixels[std::size_t{idx[i]} * sample + j]) << f;
        };
      } else {
        rows = [d, f](std::span<const std::uint32_t> idx, Ring* o) { d->gather_fixed(idx, f, o); };
      }
    }
    return p_.input_rows(opt_.data_owner, std::move(rows), n, sample);
  }

  // The logits of the images `idx`, the model owner's map applied first.
  S forward(const typename P::InputRows& images, std::span<const std::uint32_t> idx) {
    S x = p_.gather_rows(images, idx);
    if (map_) {
      const std::size_t len = x.size();
      auto spread = [&](std::size_t k) {
        return p_.linear(*map_, len, [&](const Ring* in, Ring* o) { std::fill_n(o, len, in[k]); });
      };
      x = p_.add(mul_trunc(p_, x, spread(0), p_.fixed().f), spread(1));
    }
    return model_.forward(x, idx.size(), false);
  }

  template <class F>
  void for_batches(std::size_t n, F&& run) {
    ProgressDisplay progress(stderr, ProgressDisplay::is_terminal(stderr));
    const bool show = !opt_.quiet && p_.party() == opt_.data_owner;
    const auto t0 = std::chrono::steady_clock::now();
    std::vector<std::uint32_t> idx;
    for (std::size_t start = 0; start < n; start += opt_.batch) {
      const std::size_t b = std::min(opt_.batch, n - start);
      idx.resize(b);
      for (std::size_t i = 0; i < b; ++i) idx[i] = static_cast<std::uint32_t>(start + i);
      run(std::span<const std::uint32_t>(idx));
      if (!show) continue;
      const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      progress.update(fmt::format("images {}/{}  {:.1f} images/s", start + b, n,
                                  static_cast<double>(start + b) / std::max(s, 1e-9)),
                      start + b == n);
    }
  }

  // Protocol::verify, its failure extended by where inference stood.
  void verify(const std::string& before) {
    try {
      p_.verify();
    } catch (const VerificationError& e) {
      throw VerificationError(std::string(e.what()) + " (checked before " + before + ")");
    }
  }

  P& p_;
  Model<P>& model_;
  InferenceOptions opt_;
  std::optional<S> map_;  // the model owner's input map (scale, offset) at f bits, shared
};

template <mpc::Protocol P>
Predictions Predictor<P>::predict(const data::Dataset* d) {
  const std::size_t n = announce_count(d);
  const auto images = share_images(d, n);
  Predictions out;
  const int f = p_.fixed().f;
  const std::size_t classes = static_cast<std::size_t>(model_.arch().classes);
  for_batches(n, [&](std::span<const std::uint32_t> idx) {
    const std::size_t b = idx.size();
    const S logits = forward(images, idx);
    const auto am = mpc::fx::max_windows(p_, logits, row_windows(b, classes), classes);
    // onehot holds 0/1 as ring integers: the label is sum_c c * onehot[c].
    const S labels = p_.linear(am.onehot, b, [&](const Ring* in, Ring* o) {
      for (std::size_t r = 0; r < b; ++r)
        for (std::size_t c = 1; c < classes; ++c) o[r] += in[r * classes + c] * static_cast<Ring>(c);
    });
    verify("the predictions of a batch are revealed to the data owner");
    const auto l = p_.reveal_to(opt_.data_owner, labels);
    std::vector<Ring> s;
    if (opt_.scores) s = p_.reveal_to(opt_.data_owner, logits);
    if (p_.party() != opt_.data_owner) return;
    for (const Ring v : l) out.labels.push_back(static_cast<int>(v));
    for (const Ring v : s) out.scores.push_back(decode_fixed(v, f));
  });
  verify("the inference ends");
  return out;
}

template <mpc::Protocol P>
std::optional<std::size_t> Predictor<P>::evaluate(const data::Dataset* d) {
  const std::size_t n = announce_count(d);
  const auto images = share_images(d, n);
  mpc::RowSourceOf<Ring> onehot;
  if (p_.party() == opt_.data_owner) {
    const int f = p_.fixed().f;
    onehot = [d, f](std::span<const std::uint32_t> idx, Ring* o) { d->gather_onehot_fixed(idx, f, o); };
  }
  const auto labels = p_.input_rows(opt_.data_owner, std::move(onehot), n, data::kNumClasses);
  S correct = p_.zeros(1);
  for_batches(n, [&](std::span<const std::uint32_t> idx) {
    const S logits = forward(images, idx);
    correct = p_.add(std::move(correct), correct_count_share(p_, logits, p_.gather_rows(labels, idx),
                                                             idx.size(), model_.arch().classes));
  });
  verify("the correct count is revealed to the data owner");
  const auto v = p_.reveal_to(opt_.data_owner, correct);
  verify("the evaluation ends");
  if (p_.party() != opt_.data_owner) return std::nullopt;
  return decode_count(v[0], p_.fixed().f);
}

}  // namespace sqt::nn
