#pragma once
// MNIST-family IDX files (LeCun's MNIST, Fashion-MNIST, Kuzushiji-MNIST,
// Kannada-MNIST): a 4-byte magic number (0x00 0x00 type ndims), ndims
// big-endian uint32 sizes, then the values. Only unsigned-byte data (type
// 0x08) is used by these datasets. Files may be gzipped or raw; both are read
// through zlib's gzread, which passes raw files through unchanged.
//
// Every error is a DataError naming the file and the byte offset (in the
// uncompressed stream) where reading failed.

#include "datasets/image_shape.h"
#include "engine/core/matrix.h"

#include <cstdint>
#include <string>
#include <vector>

namespace nebench {

/// Reads an IDX image file (magic 0x00000803: unsigned bytes, 3 dimensions
/// n x height x width) into an n x (height*width) matrix of pixel values
/// 0..255, one image per row in row-major pixel order. `shape`, when given,
/// receives 1 x height x width from the header (IDX images are grey). Files
/// declaring more than 2^31 values are refused before anything is allocated.
Matrix read_idx_images(const std::string &path, ImageShape *shape = nullptr);

/// Reads an IDX label file (magic 0x00000801: unsigned bytes, 1 dimension).
std::vector<std::int32_t> read_idx_labels(const std::string &path);

} // namespace nebench
