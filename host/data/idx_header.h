// Small helpers shared by the readers: big-endian fields and file lookup.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "host/core/error.h"

namespace sqt::data {

inline std::uint32_t read_be32(const std::uint8_t* p) {
  return std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 | std::uint32_t{p[2]} << 8 |
         std::uint32_t{p[3]};
}

// dir/name.gz if it exists, else dir/name if it exists, else a FileError
// naming both.
inline std::filesystem::path find_data_file(const std::filesystem::path& dir, const std::string& name) {
  std::error_code ec;
  const auto gz = dir / (name + ".gz");
  if (std::filesystem::exists(gz, ec)) return gz;
  const auto plain = dir / name;
  if (std::filesystem::exists(plain, ec)) return plain;
  throw FileError("dataset file " + gz.string() + " (or " + plain.string() +
                  ") does not exist; see docs/DATA.md or run scripts/fetch-data");
}

}  // namespace sqt::data
