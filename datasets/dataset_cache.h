#pragma once
// The prepared-dataset cache (datasets/cache/NAME.h5): loading fashion-mnist
// from its gzipped IDX files takes seconds, reading the cache a fraction of
// that. Layout (HDF5):
//   /X        float32[n, d]  the data, one point per row
//   /labels   int32[n]       class labels (int32[0] when unlabelled)
//   /indices  int64[n]       rows of the full dataset kept
//   attrs: name, sha256, class_names_json (JSON array of strings),
//          cache_version (int; caches of another version are stale),
//          image datasets only: image_shape (int32[3]: channels, height,
//          width; rows of X are channel-major) and pixel_max (double)
// Caches written before images had a shape lack the last two attributes;
// they still load, as data without an image shape (the registry fills it in).

#include "datasets/dataset.h"

#include <string>

namespace nebench {

/// Version of the layout above; bump when it or the meaning of a field
/// changes.
inline constexpr int kDatasetCacheVersion = 1;

/// Refuses a dataset whose image shape does not match its row length.
/// Writes atomically: to a temporary file next to `path` (unique per process,
/// ending in ".tmp"), renamed over `path` once complete, so readers never see
/// a half-written cache. Creates the parent folder if needed.
void write_dataset_h5(const std::string &path, const Dataset &dataset);

/// Reads a file written by write_dataset_h5 (or by anyone else in that
/// layout; /indices and cache_version may be absent: identity and current;
/// image_shape and pixel_max may be absent: not an image). DataError naming
/// the file on a missing dataset, wrong rank or shape, an image shape that
/// does not match the row length, or a file that is not HDF5.
Dataset read_dataset_h5(const std::string &path);

/// The sha256 attribute alone (cheap: reads no data), or "" when the file is
/// missing, unreadable, lacks it, or has another cache_version.
std::string read_dataset_h5_digest(const std::string &path);

} // namespace nebench
