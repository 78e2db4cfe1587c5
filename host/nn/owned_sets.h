// The training and test sets of one or more data owners (a horizontal split:
// each owner holds its own rows of the same shape). Every owner secret-shares
// its own rows once (Protocol::input_rows); the union is indexed owner after
// owner, in the order the owners are listed, and a batch of union indices is
// gathered from each owner's table and concatenated (a batch's gradient and
// counts do not depend on the order of its rows).
//
// Opened: each owner's row counts, sample size and label bound (to check
// them against the network and each other), and, with joint
// standardisation, only the totals of the owners' pixel sums. Nothing of a
// row leaves its owner except as shares.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "host/core/error.h"
#include "host/core/ring.h"
#include "host/data/dataset.h"
#include "host/mpc/protocol.h"
#include "host/nn/architecture.h"
#include "host/nn/share_ops.h"

namespace sqt::nn {

// The owners as given (one party or several, distinct, each a party of the
// protocol); ConfigError naming the offending entry.
inline void check_data_owners(std::span<const int> owners, int parties) {
  if (owners.empty()) throw ConfigError("--data-owner: no data owner given");
  for (std::size_t i = 0; i < owners.size(); ++i) {
    if (owners[i] < 0 || owners[i] >= parties) {
      throw ConfigError("--data-owner " + std::to_string(owners[i]) + ": not a party of this protocol (" +
                        std::to_string(parties) + " parties)");
    }
    for (std::size_t j = 0; j < i; ++j)
      if (owners[j] == owners[i])
        throw ConfigError("--data-owner: party " + std::to_string(owners[i]) + " is listed twice");
  }
}

template <mpc::Protocol P>
class OwnedSets {
 public:
  using S = typename P::Share;
  using Ring = typename P::Ring;
  using Verify = std::function<void(const std::string& before)>;

  // One table (images or one-hot labels) of every owner.
  struct Table {
    std::vector<typename P::InputRows> of_owner;
    std::vector<std::size_t> first;  // union index of each owner's first row
    std::size_t rows = 0;
  };

  // Shares this party's sets if it is an owner (train/test non-null there),
  // after the owners announce and agree on counts and shapes. With
  // `standardize_jointly`, each owner first maps its values with the mean and
  // deviation of the union of the training sets (only the totals of the
  // owners' sums are opened). `verify` runs the protocol's check before an
  // opening.
  OwnedSets(P& p, std::vector<int> owners, const data::Dataset* train, const data::Dataset* test,
            const Architecture& arch, bool standardize_jointly, const Verify& verify)
      : owners_(std::move(owners)) {
    static_assert(!std::is_copy_constructible_v<OwnedSets>);
    check_data_owners(owners_, p.parties());
    const bool mine = std::find(owners_.begin(), owners_.end(), p.party()) != owners_.end();
    if (mine && (!train || !test)) {
      throw ConfigError("--data: data owner " + std::to_string(p.party()) + " has no dataset");
    }
    announce(p, mine ? train : nullptr, mine ? test : nullptr, arch, verify);
    if (mine) {
      train_ = train;
      test_ = test;
    }
    if (standardize_jointly) standardize(p, verify);
    const int f = p.fixed().f;
    train_x_ = share(p, train_, false, arch.input.size(), f, false);
    train_y_ = share(p, train_, false, data::kNumClasses, f, true);
    test_x_ = share(p, test_, true, arch.input.size(), f, false);
    test_y_ = share(p, test_, true, data::kNumClasses, f, true);
  }

  // The tables' row sources point into this object: it stays where it is.
  OwnedSets(const OwnedSets&) = delete;
  OwnedSets& operator=(const OwnedSets&) = delete;

  std::size_t train_rows() const { return train_x_.rows; }
  std::size_t test_rows() const { return test_x_.rows; }
  const Table& train_x() const { return train_x_; }
  const Table& train_y() const { return train_y_; }
  const Table& test_x() const { return test_x_; }
  const Table& test_y() const { return test_y_; }
  // This party's own (possibly standardised) training set, if it owns data:
  // the input map of an exported model comes from the first owner.
  const data::Dataset* own_train() const { return train_; }
  int first_owner() const { return owners_.front(); }

  // The rows idx (union indices) of table t; one owner's rows after another.
  static S gather(P& p, const Table& t, std::span<const std::uint32_t> idx) {
    if (t.of_owner.size() == 1) return p.gather_rows(t.of_owner[0], idx);
    std::vector<std::vector<std::uint32_t>> local(t.of_owner.size());
    for (const std::uint32_t g : idx) {
      if (g >= t.rows)
        throw ShapeError("gather: row " + std::to_string(g) + " of a union of " + std::to_string(t.rows));
      const auto o =
          static_cast<std::size_t>(std::upper_bound(t.first.begin(), t.first.end(), g) - t.first.begin() - 1);
      local[o].push_back(static_cast<std::uint32_t>(g - t.first[o]));
    }
    std::vector<S> parts;
    for (std::size_t o = 0; o < local.size(); ++o)
      if (!local[o].empty()) parts.push_back(p.gather_rows(t.of_owner[o], local[o]));
    return parts.size() == 1 ? std::move(parts[0]) : concat(parts);
  }

 private:
  // What each owner announces: its training and test rows, its sample size
  // and its largest label + 1; checked against the network by every party.
  void announce(P& p, const data::Dataset* train, const data::Dataset* test, const Architecture& arch,
                const Verify& verify) {
    constexpr std::size_t kFields = 4;
    std::vector<S> shared;
    for (const int o : owners_) {
      std::vector<Ring> mine;
      if (p.party() == o) {
        const auto top = std::max_element(train->labels.begin(), train->labels.end());
        mine = {static_cast<Ring>(train->count), static_cast<Ring>(test->count),
                static_cast<Ring>(train->sample_size()),
                static_cast<Ring>(top == train->labels.end() ? 0 : *top + 1)};
      }
      shared.push_back(p.input(o, mine, kFields));
    }
    verify("the owners' set sizes are opened");
    const auto v = p.reveal(concat(shared));
    std::size_t train_total = 0, test_total = 0;
    for (std::size_t i = 0; i < owners_.size(); ++i) {
      const std::string who = "data owner " + std::to_string(owners_[i]);
      const auto n_train = static_cast<std::size_t>(v[i * kFields]);
      const auto n_test = static_cast<std::size_t>(v[i * kFields + 1]);
      const auto sample = static_cast<std::size_t>(v[i * kFields + 2]);
      const auto labels = static_cast<int>(v[i * kFields + 3]);
      if (sample != arch.input.size()) {
        throw ConfigError(who + ": samples of " + std::to_string(sample) + " values, network " + arch.name +
                          " takes " + std::to_string(arch.input.size()));
      }
      if (labels > arch.classes) {
        throw ConfigError(who + ": labels up to " + std::to_string(labels - 1) + ", network " + arch.name +
                          " has " + std::to_string(arch.classes) + " classes");
      }
      if (n_train == 0) throw ConfigError(who + " holds no training rows");
      train_first_.push_back(train_total);
      test_first_.push_back(test_total);
      train_counts_.push_back(n_train);
      test_counts_.push_back(n_test);
      train_total += n_train;
      test_total += n_test;
    }
    train_rows_ = train_total;
    test_rows_ = test_total;
  }

  // Mean and deviation of the union's training pixels from the owners' sums
  // (each at f fractional bits, added as shares; only the totals open).
  void standardize(P& p, const Verify& verify) {
    const int f = p.fixed().f;
    S total = p.zeros(3);
    for (const int o : owners_) {
      std::vector<Ring> mine;
      if (p.party() == o) {
        const data::PixelMoments m = data::pixel_moments(*train_);
        mine = {encode_fixed<Ring>(m.sum, f), encode_fixed<Ring>(m.sum_sq, f),
                encode_fixed<Ring>(m.count, 0)};
      }
      total = p.add(std::move(total), p.input(o, mine, 3));
    }
    verify("the union's pixel statistics are opened");
    const auto v = p.reveal(total);
    const double sum = decode_fixed(v[0], f), sum_sq = decode_fixed(v[1], f), n = decode_fixed(v[2], 0);
    const double mean = sum / n;
    const double sd = std::sqrt(std::max(sum_sq / n - mean * mean, 0.0));
    if (!(sd > 0))
      throw ConfigError("--standardize: every pixel of the owners' training sets has the same value");
    if (train_) {  // copies: the caller's sets stay as they were
      own_train_ = *train_;
      own_test_ = *test_;
      data::standardize_with(*own_train_, *own_test_, mean, sd);
      train_ = &*own_train_;
      test_ = &*own_test_;
    }
  }

  Table share(P& p, const data::Dataset* d, bool test, std::size_t row_len, int f, bool labels) {
    Table t;
    t.rows = test ? test_rows_ : train_rows_;
    t.first = test ? test_first_ : train_first_;
    const auto& counts = test ? test_counts_ : train_counts_;
    for (std::size_t i = 0; i < owners_.size(); ++i) {
      mpc::RowSourceOf<Ring> source;
      if (p.party() == owners_[i]) {
        if (labels)
          source = [d, f](std::span<const std::uint32_t> idx, Ring* out) {
            d->gather_onehot_fixed(idx, f, out);
          };
        else
          source = [d, f](std::span<const std::uint32_t> idx, Ring* out) { d->gather_fixed(idx, f, out); };
      }
      t.of_owner.push_back(p.input_rows(owners_[i], std::move(source), counts[i], row_len));
    }
    return t;
  }

  std::vector<int> owners_;
  const data::Dataset* train_ =
      nullptr;  // this party's own rows (an owner's), read while sharing and per batch
  const data::Dataset* test_ = nullptr;
  std::optional<data::Dataset> own_train_, own_test_;  // their standardised copies (joint standardisation)
  std::vector<std::size_t> train_first_, test_first_, train_counts_, test_counts_;
  std::size_t train_rows_ = 0, test_rows_ = 0;
  Table train_x_, train_y_, test_x_, test_y_;
};

}  // namespace sqt::nn
