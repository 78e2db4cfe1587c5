#include "host/data/data_dir.h"

#include <cstdlib>

#include "host/core/error.h"
#include "host/data/cifar10.h"
#include "host/data/mnist.h"

namespace sqt::data {
namespace {

namespace fs = std::filesystem;

// A file every copy of the dataset has, with or without .gz.
std::string marker_file(const std::string& dataset) {
  if (dataset == "mnist") return "t10k-labels-idx1-ubyte";
  if (dataset == "cifar10") return "test_batch.bin";
  throw ConfigError("unknown dataset '" + dataset + "' (expected mnist or cifar10)");
}

bool holds(const fs::path& dir, const std::string& marker) {
  std::error_code ec;
  return fs::exists(dir / marker, ec) || fs::exists(dir / (marker + ".gz"), ec);
}

// The source tree the executable was built in: the nearest ancestor of its
// directory with both CMakeLists.txt and host/ in it.
fs::path executable_repository() {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return {};
  for (fs::path dir = exe.parent_path(); !dir.empty(); dir = dir.parent_path()) {
    if (fs::exists(dir / "CMakeLists.txt", ec) && fs::is_directory(dir / "host", ec)) return dir;
    // A build directory inside the tree: its parent is the tree.
    if (dir == dir.parent_path()) break;
  }
  return {};
}

}  // namespace

std::vector<fs::path> dataset_search_path(const std::string& data_option) {
  if (!data_option.empty()) return {fs::path(data_option)};
  std::vector<fs::path> places;
  if (const char* env = std::getenv("SQT_DATA"); env != nullptr && *env != '\0') places.emplace_back(env);
  places.emplace_back("data");
  places.emplace_back(fs::path("..") / "shared" / "data");
  if (const fs::path repo = executable_repository(); !repo.empty()) {
    places.push_back(repo / "data");
    places.push_back((repo.parent_path() / "shared" / "data").lexically_normal());
  }
  return places;
}

fs::path find_dataset_dir(const std::string& dataset, const std::string& data_option) {
  const std::string marker = marker_file(dataset);
  const auto places = dataset_search_path(data_option);
  std::string looked;
  for (const auto& place : places) {
    if (holds(place / dataset, marker)) return place / dataset;
    if (holds(place, marker)) return place;
    looked += "\n  " + (place / dataset).string() + " and " + place.string();
  }
  throw FileError("dataset " + dataset + " not found (no " + marker +
                  "[.gz]); looked in, in order:" + looked +
                  "\nPass --data DIR or set SQT_DATA, or run scripts/fetch-data DIR on a machine that is "
                  "online (see docs/DATA.md).");
}

Dataset load_dataset(const std::string& dataset, Split split, const std::string& data_option) {
  const fs::path dir = find_dataset_dir(dataset, data_option);
  if (dataset == "mnist") return load_mnist(dir, split);
  return load_cifar10(dir, split);
}

}  // namespace sqt::data
