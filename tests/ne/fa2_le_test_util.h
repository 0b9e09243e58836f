#pragma once
// Fixtures for the ForceAtlas2 and Laplacian eigenmaps tests: small graphs
// from edge lists, Gaussian blobs and their kNN graphs.

#include "engine/core/csr.h"
#include "engine/core/knn_graph.h"
#include "engine/core/matrix.h"
#include "engine/core/rng.h"
#include "engine/knn/knn_graph_builder.h"

#include <algorithm>
#include <utility>
#include <vector>

namespace nebench::testing {

/// Symmetric CSR with both directions of every undirected edge (weight w),
/// columns sorted.
inline Csr graph_from_edges(std::int64_t n,
                            const std::vector<std::pair<int, int>> &edges,
                            const std::vector<double> &weights = {}) {
  std::vector<std::vector<std::pair<int, double>>> rows(n);
  for (std::size_t e = 0; e < edges.size(); ++e) {
    const double w = weights.empty() ? 1.0 : weights[e];
    rows[edges[e].first].emplace_back(edges[e].second, w);
    rows[edges[e].second].emplace_back(edges[e].first, w);
  }
  Csr A;
  A.n = n;
  A.indptr.assign(n + 1, 0);
  for (std::int64_t i = 0; i < n; ++i) {
    std::sort(rows[i].begin(), rows[i].end());
    for (const auto &[j, w] : rows[i]) {
      A.indices.push_back(j);
      A.values.push_back(w);
    }
    A.indptr[i + 1] = static_cast<std::int64_t>(A.indices.size());
  }
  return A;
}

/// `per_blob` points around each of `blobs` centres in `dim` dimensions:
/// centre c is `separation` * e_c (plus noise N(0, 1)), labels 0..blobs-1.
inline Matrix gaussian_blobs(int blobs, int per_blob, int dim,
                             double separation, std::uint64_t seed,
                             std::vector<std::int32_t> &labels) {
  Rng rng(seed);
  Matrix X(static_cast<std::int64_t>(blobs) * per_blob, dim);
  labels.clear();
  for (int b = 0; b < blobs; ++b)
    for (int p = 0; p < per_blob; ++p) {
      const std::int64_t i = static_cast<std::int64_t>(b) * per_blob + p;
      for (int d = 0; d < dim; ++d)
        X(i, d) = static_cast<float>(rng.normal() +
                                     (d == b % dim ? separation : 0.0));
      labels.push_back(b);
    }
  return X;
}

} // namespace nebench::testing
