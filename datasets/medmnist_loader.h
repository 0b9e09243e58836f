#pragma once
// MedMNIST (Yang et al. 2023, medmnist.com) .npz files, e.g. bloodmnist.npz:
// a ZIP archive (datasets/zip_archive.h) of six .npy arrays,
//   train_images, val_images, test_images: uint8, N x H x W (grey sets) or
//                                          N x H x W x 3 (colour sets)
//   train_labels, val_labels, test_labels: integers, N x 1
// The medical t-SimCNE paper (Nwabufo et al. 2024) embeds all images, so the
// splits are concatenated: train, then val, then test. Colour images are
// stored height x width x channel; rows of X are channel-major (C x H x W),
// so they are transposed on reading. Multi-label sets (ChestMNIST: N x 14
// labels) are refused, since every image needs one class.

#include "datasets/dataset.h"

#include <string>

namespace nebench {

/// Reads a MedMNIST .npz: pixel values 0..255 (pixel_max 255), image shape
/// from the arrays (C = 1 or 3; H = W = 28 for the classic sets), labels as
/// stored (each >= 0), class names empty (the file has none), sha256 of the
/// file, name left empty. DataErrors name the archive and member, with a
/// byte offset where the structure is wrong.
Dataset read_medmnist_npz(const std::string &path);

} // namespace nebench
