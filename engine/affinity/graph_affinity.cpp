#include "engine/affinity/graph_affinity.h"

#include "engine/core/errors.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

namespace nebench {

Csr graph_tsne_affinity(const Csr &a) {
  const std::int64_t n = a.n;
  if (static_cast<std::int64_t>(a.indptr.size()) != n + 1 ||
      a.values.size() != a.indices.size())
    throw NebenchError("graph affinity: malformed adjacency matrix");
  std::vector<double> degree(static_cast<std::size_t>(n), 0.0);
  for (std::int64_t i = 0; i < n; ++i) {
    for (auto p = a.row_begin(i); p < a.row_end(i); ++p) {
      const std::int32_t j = a.indices[p];
      if (j < 0 || j >= n || j == i)
        throw NebenchError("graph affinity: entry (" + std::to_string(i) +
                           ", " + std::to_string(j) +
                           ") is out of range or a self-loop");
      if (!(a.values[p] >= 0) || !std::isfinite(a.values[p]))
        throw NebenchError("graph affinity: edge (" + std::to_string(i) + ", " +
                           std::to_string(j) +
                           ") has a negative or non-finite weight");
      degree[i] += a.values[p];
    }
    if (!(degree[i] > 0))
      throw NebenchError("graph affinity: node " + std::to_string(i) +
                         " has no edges (keep the largest connected "
                         "component)");
  }
  // P_ij = (A_ij / d_i + A_ji / d_j) / (2N); with a symmetric pattern the
  // mirrored entry (j, i) is found by binary search in row j.
  Csr p = a;
  const double norm = 1.0 / (2.0 * static_cast<double>(n));
  for (std::int64_t i = 0; i < n; ++i) {
    for (auto q = a.row_begin(i); q < a.row_end(i); ++q) {
      const std::int32_t j = a.indices[q];
      const auto begin = a.indices.begin() + a.row_begin(j);
      const auto end = a.indices.begin() + a.row_end(j);
      const auto it =
          std::lower_bound(begin, end, static_cast<std::int32_t>(i));
      if (it == end || *it != i)
        throw NebenchError("graph affinity: edge (" + std::to_string(i) + ", " +
                           std::to_string(j) +
                           ") has no mirror (j, i): the adjacency must be "
                           "symmetric with sorted columns");
      const double a_ji = a.values[it - a.indices.begin()];
      p.values[q] = (a.values[q] / degree[i] + a_ji / degree[j]) * norm;
    }
  }
  return p;
}

} // namespace nebench
