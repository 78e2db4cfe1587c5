#include "host/nn/checkpoint.h"

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "host/core/error.h"

namespace sqt::nn {
namespace {

// Version 2: dense parameters at 2f fractional bits (host/nn/model.h).
constexpr char kMagic[8] = {'S', 'Q', 'T', 'C', 'K', 'P', 'T', '2'};
constexpr char kMagicV1[8] = {'S', 'Q', 'T', 'C', 'K', 'P', 'T', '1'};

template <class T>
void put(std::ofstream& o, T v) {
  o.write(reinterpret_cast<const char*>(&v), sizeof v);
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

void write_checkpoint(const std::string& path, const CheckpointData& d) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  const std::string tmp = path + ".tmp";
  {
    std::ofstream o(tmp, std::ios::binary | std::ios::trunc);
    if (!o) throw FileError("cannot write checkpoint " + tmp);
    o.write(kMagic, 8);
    put<std::uint32_t>(o, static_cast<std::uint32_t>(d.model.size()));
    o.write(d.model.data(), static_cast<std::streamsize>(d.model.size()));
    put(o, d.seed);
    put(o, d.epochs_done);
    put(o, d.optimizer_steps);
    put<std::int32_t>(o, d.components);
    put<std::uint64_t>(o, d.vectors.size());
    for (const auto& v : d.vectors) {
      put<std::uint64_t>(o, v.size());
      o.write(reinterpret_cast<const char*>(v.data()), static_cast<std::streamsize>(v.size() * sizeof(Ring)));
    }
    if (!o.flush()) throw FileError("cannot write checkpoint " + tmp);
  }
  std::filesystem::rename(tmp, path);
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
  if (std::memcmp(m, kMagic, 8) != 0) throw FileError("checkpoint " + path + ": bad magic");
  CheckpointData d;
  const auto len = get<std::uint32_t>(in, path);
  if (len > 64) throw FileError("checkpoint " + path + ": bad model name");
  d.model.resize(len);
  in.read(d.model.data(), len);
  d.seed = get<std::uint64_t>(in, path);
  d.epochs_done = get<std::int64_t>(in, path);
  d.optimizer_steps = get<std::int64_t>(in, path);
  d.components = get<std::int32_t>(in, path);
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
  return d;
}

}  // namespace sqt::nn
