// CIFAR-10, binary version: records of 1 label byte + 3072 pixel bytes (the
// R, G and B planes, 32x32 each), 10000 records per batch file.
#pragma once

#include <filesystem>
#include <vector>

#include "host/data/dataset.h"

namespace sqt::data {

// Reads batch files (.bin or .bin.gz) into one dataset, NHWC, pixels scaled to
// [-1, 1). Checks that each file is a whole number of records (exactly 10000
// for the standard batches) and that every label is 0..9; anything else is a
// FileError naming the file and the problem.
Dataset read_cifar10_files(const std::vector<std::filesystem::path>& batches);

// data_batch_1..5.bin for the train split, test_batch.bin for the test split,
// with or without .gz, from dir.
Dataset load_cifar10(const std::filesystem::path& dir, Split split);

}  // namespace sqt::data
