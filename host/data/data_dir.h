// Where the product looks for datasets (documented in docs/DATA.md).
//
// Search order for dataset "mnist" or "cifar10":
//   1. --data DIR (when given, the only place looked)
//   2. the directory in the environment variable SQT_DATA
//   3. ./data                 (relative to the current directory)
//   4. ../shared/data         (relative to the current directory)
//   5. <repo>/data and <repo>/../shared/data, where <repo> is the source tree
//      the running executable was built in (found by walking up from it)
// In each place P the files are taken from P/<dataset>/ or, failing that,
// from P itself.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "host/data/dataset.h"

namespace sqt::data {

// The places looked at, in order, for this data option (may be empty).
std::vector<std::filesystem::path> dataset_search_path(const std::string& data_option);

// The directory holding `dataset` ("mnist" or "cifar10"). Throws FileError
// listing every place looked and how to get the data when none holds it.
std::filesystem::path find_dataset_dir(const std::string& dataset, const std::string& data_option = "");

// find_dataset_dir + load_mnist / load_cifar10. ConfigError for an unknown name.
Dataset load_dataset(const std::string& dataset, Split split, const std::string& data_option = "");

}  // namespace sqt::data
