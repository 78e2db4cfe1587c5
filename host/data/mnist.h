// MNIST in the IDX format (LeCun's files, gzip-compressed or plain).
#pragma once

#include <filesystem>

#include "host/data/dataset.h"

namespace sqt::data {

// Reads an IDX3 image file (magic 2051) and an IDX1 label file (magic 2049)
// into one dataset with pixels scaled to [0, 1). Checks the magic numbers,
// the 28x28 dimensions, that the file sizes match the headers, that both
// files hold the same count and that every label is 0..9; anything else is a
// FileError naming the file and the problem.
Dataset read_mnist_files(const std::filesystem::path& images, const std::filesystem::path& labels);

// The split's two files in dir: {train,t10k}-{images-idx3,labels-idx1}-ubyte
// with or without .gz.
Dataset load_mnist(const std::filesystem::path& dir, Split split);

}  // namespace sqt::data
