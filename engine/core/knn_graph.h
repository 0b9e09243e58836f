#pragma once
// k nearest neighbours of every point (self excluded), as built by
// engine/knn/knn_graph_builder.h.

#include <cstdint>
#include <vector>

namespace nebench {

struct KnnGraph {
  std::int64_t n = 0;
  int k = 0;
  std::vector<std::int64_t>
      indices; ///< n * k, row i = neighbours of i, nearest first
  std::vector<float> distances; ///< n * k Euclidean (not squared) distances

  const std::int64_t *neighbors(std::int64_t i) const {
    return indices.data() + i * k;
  }
  const float *dists(std::int64_t i) const { return distances.data() + i * k; }
};

} // namespace nebench
