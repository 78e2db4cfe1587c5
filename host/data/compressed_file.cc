#include "host/data/compressed_file.h"

#include <zlib.h>

#include <cstdio>
#include <memory>
#include <string>

#include "host/core/error.h"

namespace sqt::data {
namespace {

[[noreturn]] void fail(const std::filesystem::path& path, const std::string& problem) {
  throw FileError("dataset file " + path.string() + ": " + problem);
}

std::vector<std::uint8_t> read_raw(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) fail(path, "does not exist or is not a regular file");
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!f) fail(path, "cannot be opened for reading");
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) fail(path, "size cannot be read: " + ec.message());
  std::vector<std::uint8_t> bytes(size);
  if (size != 0 && std::fread(bytes.data(), 1, size, f.get()) != size) fail(path, "read failed");
  return bytes;
}

std::vector<std::uint8_t> inflate_gzip(const std::filesystem::path& path,
                                       const std::vector<std::uint8_t>& gz) {
  // The gzip trailer's ISIZE (size mod 2^32) is only a hint for the buffer:
  // the stream itself decides the real size.
  std::size_t hint = gz.size() >= 4
                         ? (std::size_t{gz[gz.size() - 4]} | std::size_t{gz[gz.size() - 3]} << 8 |
                            std::size_t{gz[gz.size() - 2]} << 16 | std::size_t{gz[gz.size() - 1]} << 24)
                         : 0;
  // Deflate cannot expand more than about 1032:1; a larger ISIZE is corrupt.
  if (hint < gz.size() || hint / 1032 > gz.size()) hint = gz.size() * 4;
  std::vector<std::uint8_t> out(hint + 1);

  z_stream zs{};
  if (inflateInit2(&zs, 15 + 16) != Z_OK) fail(path, "zlib initialisation failed");
  zs.next_in = const_cast<Bytef*>(gz.data());
  std::size_t in_left = gz.size();
  std::size_t produced = 0;
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    if (produced == out.size()) out.resize(out.size() * 2);
    const auto in_chunk = static_cast<uInt>(std::min<std::size_t>(in_left, 1u << 30));
    const auto out_chunk = static_cast<uInt>(std::min<std::size_t>(out.size() - produced, 1u << 30));
    zs.avail_in = in_chunk;
    zs.next_out = out.data() + produced;
    zs.avail_out = out_chunk;
    rc = inflate(&zs, Z_NO_FLUSH);
    in_left -= in_chunk - zs.avail_in;
    produced += out_chunk - zs.avail_out;
    if (rc == Z_STREAM_END) break;
    if (rc == Z_BUF_ERROR && in_left == 0) {
      inflateEnd(&zs);
      fail(path, "gzip stream is truncated (ends after " + std::to_string(produced) + " decompressed bytes)");
    }
    if (rc != Z_OK && rc != Z_BUF_ERROR) {
      const std::string msg = zs.msg ? zs.msg : "error " + std::to_string(rc);
      inflateEnd(&zs);
      fail(path, "gzip stream is corrupt (" + msg + ")");
    }
  }
  inflateEnd(&zs);
  out.resize(produced);
  return out;
}

}  // namespace

std::vector<std::uint8_t> read_maybe_gzip(const std::filesystem::path& path) {
  auto bytes = read_raw(path);
  if (bytes.size() >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b) return inflate_gzip(path, bytes);
  return bytes;
}

}  // namespace sqt::data
