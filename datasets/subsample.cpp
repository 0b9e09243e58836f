#include "datasets/subsample.h"

#include "engine/core/errors.h"

#include "engine/core/rng.h"

namespace nebench {

Dataset subsample_dataset(const Dataset &dataset, std::int64_t count,
                          std::uint64_t seed) {
  const std::int64_t n = dataset.X.rows;
  if (count <= 0 || count >= n)
    return dataset;
  if (dataset.is_graph())
    throw DataError(dataset.name,
                    "a graph dataset cannot be subsampled (a node subset "
                    "changes every degree; generate a smaller graph instead)");
  Rng rng(seed, kSubsampleStream);
  const std::vector<std::int64_t> rows = rng.sample(n, count);
  Dataset out;
  out.name = dataset.name;
  out.class_names = dataset.class_names;
  out.sha256 = dataset.sha256;
  out.image = dataset.image;
  out.pixel_max = dataset.pixel_max;
  out.X = select_rows(dataset.X, rows);
  const std::vector<std::int64_t> base =
      dataset.indices.empty() ? identity_indices(n) : dataset.indices;
  out.indices.reserve(rows.size());
  for (auto r : rows)
    out.indices.push_back(base[static_cast<std::size_t>(r)]);
  if (!dataset.labels.empty()) {
    out.labels.reserve(rows.size());
    for (auto r : rows)
      out.labels.push_back(dataset.labels[static_cast<std::size_t>(r)]);
  }
  return out;
}

} // namespace nebench
