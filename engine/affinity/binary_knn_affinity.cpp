#include "engine/affinity/binary_knn_affinity.h"

#include "engine/core/errors.h"

#include <algorithm>
#include <numeric>
#include <string>
#include <vector>

namespace nebench {

Csr binary_knn_graph(const KnnGraph &graph, int k) {
  const std::int64_t n = graph.n;
  if (k < 1 || k > graph.k)
    throw NebenchError("binary kNN graph: k = " + std::to_string(k) +
                       " must be in [1, " + std::to_string(graph.k) +
                       "] (neighbours in the kNN graph)");
  // Directed edges i -> j (first k neighbours) in both directions; sort and
  // deduplicate per row by counting sort on the row, then sort each row.
  std::vector<std::int64_t> ptr(n + 1, 0);
  for (std::int64_t i = 0; i < n; ++i) {
    const std::int64_t *nb = graph.neighbors(i);
    for (int j = 0; j < k; ++j) {
      if (nb[j] < 0 || nb[j] >= n || nb[j] == i)
        throw NebenchError("binary kNN graph: row " + std::to_string(i) +
                           " holds invalid neighbour " + std::to_string(nb[j]));
      ++ptr[i + 1];
      ++ptr[nb[j] + 1];
    }
  }
  std::partial_sum(ptr.begin(), ptr.end(), ptr.begin());
  std::vector<std::int32_t> cols(static_cast<std::size_t>(ptr[n]));
  std::vector<std::int64_t> fill(ptr.begin(), ptr.end() - 1);
  for (std::int64_t i = 0; i < n; ++i) {
    const std::int64_t *nb = graph.neighbors(i);
    for (int j = 0; j < k; ++j) {
      cols[fill[i]++] = static_cast<std::int32_t>(nb[j]);
      cols[fill[nb[j]]++] = static_cast<std::int32_t>(i);
    }
  }
  Csr A;
  A.n = n;
  A.indptr.assign(n + 1, 0);
  A.indices.reserve(cols.size());
  for (std::int64_t i = 0; i < n; ++i) {
    auto b = cols.begin() + ptr[i], e = cols.begin() + ptr[i + 1];
    std::sort(b, e);
    e = std::unique(b, e);
    A.indices.insert(A.indices.end(), b, e);
    A.indptr[i + 1] = static_cast<std::int64_t>(A.indices.size());
  }
  A.values.assign(A.indices.size(), 1.0);
  return A;
}

Csr normalize_to_sum_one(Csr matrix) {
  double sum = 0;
  for (double v : matrix.values)
    sum += v;
  if (!(sum > 0))
    throw NebenchError("normalize_to_sum_one: values sum to " +
                       std::to_string(sum) + ", cannot normalize");
  for (double &v : matrix.values)
    v /= sum;
  return matrix;
}

} // namespace nebench
