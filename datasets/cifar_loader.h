#pragma once
// CIFAR-10 and CIFAR-100 in their binary versions (Krizhevsky 2009;
// cs.toronto.edu/~kriz/cifar.html, "binary version"): files of fixed-size
// records, each the label byte(s) followed by a 32 x 32 colour image as 3072
// bytes: the 1024 red values, then green, then blue, each plane row-major.
// That is exactly the channel-major row layout of Dataset (C x H x W), so
// the bytes are copied in order.
//   CIFAR-10:  1 label byte (0..9) + 3072 pixel bytes (3073 per record);
//              cifar-10-batches-bin/ holds data_batch_1..5.bin (10,000
//              images each) and test_batch.bin, class names in
//              batches.meta.txt.
//   CIFAR-100: 1 coarse label byte (0..19), 1 fine label byte (0..99) +
//              3072 pixel bytes (3074 per record); cifar-100-binary/ holds
//              train.bin (50,000) and test.bin (10,000), class names in
//              fine_label_names.txt.
// Errors are DataErrors naming the file and the byte offset of the record
// that is wrong (bad label value, cut-off record).

#include "datasets/dataset.h"

#include <string>
#include <vector>

namespace nebench {

/// Shape of a CIFAR image: 3 x 32 x 32.
inline constexpr ImageShape kCifarImage{3, 32, 32};

/// Reads CIFAR-10: `path` is one .bin file, or a folder holding
/// data_batch_1.bin .. data_batch_5.bin and test_batch.bin, read in that
/// order (train then test, as t-SimCNE trains on all 60,000 images). Labels
/// 0..9; class names from batches.meta.txt next to the data when present,
/// else the standard ten. Pixel values 0..255 (pixel_max 255), image
/// 3 x 32 x 32, sha256 over the data files' digests, name left empty.
Dataset read_cifar10_bin(const std::string &path);

/// Reads CIFAR-100: `path` is one .bin file, or a folder holding train.bin
/// and test.bin (read in that order). Labels = the fine labels 0..99 (the
/// coarse ones are checked and dropped); class names from
/// fine_label_names.txt next to the data when present, else the standard
/// hundred.
Dataset read_cifar100_bin(const std::string &path);

/// The data files a CIFAR path stands for: the path itself when it is a
/// file, else the standard files of the folder (DataError naming the first
/// missing one).
std::vector<std::string> cifar_files(const std::string &path, bool cifar100);

} // namespace nebench
