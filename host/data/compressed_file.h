// Reads a whole file into memory, inflating it when it is gzip-compressed.
#pragma once

#include <cstdint>
#include <filesystem>
#include <vector>

namespace sqt::data {

// Returns the file's bytes; a gzip file (magic 1f 8b) is decompressed, any
// other file is returned as is. Throws FileError naming the file when it is
// missing, unreadable, or a truncated/corrupt gzip stream.
std::vector<std::uint8_t> read_maybe_gzip(const std::filesystem::path& path);

}  // namespace sqt::data
