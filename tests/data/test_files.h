// Helpers for the reader tests: an independent gunzip (zlib's gz* API, not
// the reader's inflate loop), md5, and synthetic files in a temp folder.
#pragma once

#include <openssl/evp.h>
#include <zlib.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace sqt::data::testing {

inline std::filesystem::path real_data_dir() { return SQT_TEST_DATA_DIR; }

inline std::vector<std::uint8_t> gunzip_independently(const std::filesystem::path& path) {
  std::vector<std::uint8_t> out;
  gzFile f = gzopen(path.c_str(), "rb");
  if (f == nullptr) return out;
  std::vector<std::uint8_t> buf(1 << 20);
  int n;
  while ((n = gzread(f, buf.data(), static_cast<unsigned>(buf.size()))) > 0)
    out.insert(out.end(), buf.data(), buf.data() + n);
  gzclose(f);
  return out;
}

inline std::string md5_hex(const std::uint8_t* data, std::size_t size) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data, size, digest, &len, EVP_md5(), nullptr);
  std::string hex;
  char two[3];
  for (unsigned i = 0; i < len; ++i) {
    std::snprintf(two, sizeof two, "%02x", digest[i]);
    hex += two;
  }
  return hex;
}

// A fresh folder under the system temp dir, removed with the object.
class TempDir {
 public:
  TempDir() {
    path_ = std::filesystem::temp_directory_path() /
            ("sqt_data_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter()++));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  static int& counter() {
    static int c = 0;
    return c;
  }
  std::filesystem::path path_;
};

inline void write_bytes(const std::filesystem::path& path, const std::vector<std::uint8_t>& bytes) {
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

inline void write_gzip(const std::filesystem::path& path, const std::vector<std::uint8_t>& bytes) {
  gzFile f = gzopen(path.c_str(), "wb");
  gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size()));
  gzclose(f);
}

inline void put_be32(std::vector<std::uint8_t>& v, std::uint32_t x) {
  for (int s = 24; s >= 0; s -= 8) v.push_back(static_cast<std::uint8_t>(x >> s));
}

// IDX3 images (magic, n, rows, cols) with pixel (i, k) = (i * 7 + k) % 256.
inline std::vector<std::uint8_t> idx_images(std::uint32_t magic, std::uint32_t n, std::uint32_t rows,
                                            std::uint32_t cols, std::size_t pixels_written) {
  std::vector<std::uint8_t> v;
  put_be32(v, magic);
  put_be32(v, n);
  put_be32(v, rows);
  put_be32(v, cols);
  for (std::size_t k = 0; k < pixels_written; ++k) v.push_back(static_cast<std::uint8_t>((k * 7) % 256));
  return v;
}

inline std::vector<std::uint8_t> idx_labels(std::uint32_t magic, std::uint32_t n,
                                            std::size_t labels_written) {
  std::vector<std::uint8_t> v;
  put_be32(v, magic);
  put_be32(v, n);
  for (std::size_t k = 0; k < labels_written; ++k) v.push_back(static_cast<std::uint8_t>(k % 10));
  return v;
}

}  // namespace sqt::data::testing
