#include "host/nn/checkpoint.h"

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string_view>
#include <vector>

#include "host/core/error.h"
#include "host/core/secure_file.h"

namespace sqt::nn {
namespace {

// Version 4: the input map's vector group after the ring's width.
// Version 3: the ring's width after the component count (version 2 files,
// without it, are Z_2^64). Version 2: dense parameters at 2f fractional bits
// (host/nn/model.h).
constexpr char kMagic[8] = {'S', 'Q', 'T', 'C', 'K', 'P', 'T', '4'};
constexpr char kMagicV3[8] = {'S', 'Q', 'T', 'C', 'K', 'P', 'T', '3'};
constexpr char kMagicV2[8] = {'S', 'Q', 'T', 'C', 'K', 'P', 'T', '2'};
constexpr char kMagicV1[8] = {'S', 'Q', 'T', 'C', 'K', 'P', 'T', '1'};

template <class T>
void put(std::string& o, T v) {
  o.append(reinterpret_cast<const char*>(&v), sizeof v);
}
template <class T>
T get(std::ifstream& in, const std::string& path) {
  T v{};
  if (!in.read(reinterpret_cast<char*>(&v), sizeof v)) throw FileError("checkpoint " + path + ": truncated");
  return v;
}

}  // namespace

std::string checkpoint_path(const std::string& dir, int party) {
  return (std::filesystem::path(dir) / ("party-" + std::to_string(party) + ".ckpt")).string();
}

std::string local_party_checkpoint_dir(const std::string& dir, int party) {
  return (std::filesystem::path(dir) / ("party-" + std::to_string(party))).string();
}

void write_checkpoint(const std::string& path, const CheckpointData& d) {
  // A missing folder is created private: it holds this party's shares.
  const std::filesystem::path dir = std::filesystem::path(path).parent_path();
  std::error_code ec;
  if (!dir.empty() && !std::filesystem::exists(dir, ec)) {
    std::filesystem::create_directories(dir, ec);
    if (!ec) std::filesystem::permissions(dir, std::filesystem::perms::owner_all, ec);
    if (ec) throw FileError("cannot create checkpoint folder " + dir.string() + ": " + ec.message());
  }
  std::string header(kMagic, 8);
  put<std::uint32_t>(header, static_cast<std::uint32_t>(d.model.size()));
  header += d.model;
  put(header, d.seed);
  put(header, d.epochs_done);
  put(header, d.optimizer_steps);
  put<std::int32_t>(header, d.components);
  put<std::int32_t>(header, d.ring_bits);
  put<std::int64_t>(header, d.input_map);
  put<std::uint64_t>(header, d.vectors.size());
  // Each vector: its u64 size, then its words, written in place (no copy).
  std::vector<std::string> sizes(d.vectors.size());
  std::vector<std::string_view> pieces{header};
  for (std::size_t i = 0; i < d.vectors.size(); ++i) {
    put<std::uint64_t>(sizes[i], d.vectors[i].size());
    pieces.push_back(sizes[i]);
    pieces.emplace_back(reinterpret_cast<const char*>(d.vectors[i].data()),
                        d.vectors[i].size() * sizeof(Ring));
  }
  write_file_atomically(path, pieces, 0600);
}

CheckpointData read_checkpoint(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw FileError("cannot open checkpoint " + path + " (--resume needs a previous run's --checkpoint DIR)");
  char m[8];
  if (!in.read(m, 8)) throw FileError("checkpoint " + path + ": truncated");
  if (std::memcmp(m, kMagicV1, 8) == 0) {
    throw FileError("checkpoint " + path +
                    ": version 1 (dense parameters at f fractional bits) cannot be resumed by this version; "
                    "train again");
  }
  const bool v2 = std::memcmp(m, kMagicV2, 8) == 0, v3 = std::memcmp(m, kMagicV3, 8) == 0;
  if (!v2 && !v3 && std::memcmp(m, kMagic, 8) != 0) throw FileError("checkpoint " + path + ": bad magic");
  CheckpointData d;
  const auto len = get<std::uint32_t>(in, path);
  if (len > 4096) throw FileError("checkpoint " + path + ": bad model name");  // a network file's path
  d.model.resize(len);
  in.read(d.model.data(), len);
  d.seed = get<std::uint64_t>(in, path);
  d.epochs_done = get<std::int64_t>(in, path);
  d.optimizer_steps = get<std::int64_t>(in, path);
  d.components = get<std::int32_t>(in, path);
  d.ring_bits = v2 ? 64 : get<std::int32_t>(in, path);
  if (d.ring_bits != 64 && d.ring_bits != 128)
    throw FileError("checkpoint " + path + ": bad ring width " + std::to_string(d.ring_bits));
  d.input_map = v2 || v3 ? -1 : get<std::int64_t>(in, path);
  const auto count = get<std::uint64_t>(in, path);
  if (count > 1024) throw FileError("checkpoint " + path + ": bad vector count");
  d.vectors.resize(count);
  for (auto& v : d.vectors) {
    const auto n = get<std::uint64_t>(in, path);
    if (n > (std::uint64_t{1} << 34)) throw FileError("checkpoint " + path + ": bad vector size");
    v.resize(n);
    if (!in.read(reinterpret_cast<char*>(v.data()), static_cast<std::streamsize>(n * sizeof(Ring))))
      throw FileError("checkpoint " + path + ": truncated");
  }
  if (d.input_map < -1 || (d.input_map >= 0 && static_cast<std::uint64_t>(d.input_map + 1) * d.components > count))
    throw FileError("checkpoint " + path + ": bad input map index");
  return d;
}

}  // namespace sqt::nn
