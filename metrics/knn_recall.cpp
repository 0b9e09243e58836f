#include "metrics/knn_recall.h"

#include "engine/core/errors.h"

#include <algorithm>
#include <limits>
#include <string>
#include <utility>

namespace nebench {

double knn_recall(const KnnGraph &reference, const KnnGraph &embedding_knn,
                  int k, const std::vector<std::int64_t> &points) {
  if (k < 1)
    throw NebenchError("knn_recall: k must be >= 1, got " + std::to_string(k));
  if (reference.k < k || embedding_knn.k < k)
    throw NebenchError("knn_recall@" + std::to_string(k) +
                       ": needs k columns, reference has " +
                       std::to_string(reference.k) + ", embedding graph has " +
                       std::to_string(embedding_knn.k));
  if (reference.n != embedding_knn.n)
    throw NebenchError(
        "knn_recall: reference has " + std::to_string(reference.n) +
        " rows, embedding graph has " + std::to_string(embedding_knn.n));
  for (auto p : points)
    if (p < 0 || p >= reference.n)
      throw NebenchError("knn_recall: point " + std::to_string(p) +
                         " out of range [0, " + std::to_string(reference.n) +
                         ")");
  const std::int64_t count =
      points.empty() ? reference.n : static_cast<std::int64_t>(points.size());
  if (count == 0)
    throw NebenchError("knn_recall: no points");

  // Hits per point, summed in a fixed order afterwards so the result does not
  // depend on the thread count.
  std::vector<int> hits(static_cast<std::size_t>(count), 0);
#pragma omp parallel
  {
    std::vector<std::int64_t> a(static_cast<std::size_t>(k)),
        b(static_cast<std::size_t>(k));
#pragma omp for schedule(static)
    for (std::int64_t r = 0; r < count; ++r) {
      const std::int64_t i = points.empty() ? r : points[r];
      std::copy_n(reference.neighbors(i), k, a.begin());
      std::copy_n(embedding_knn.neighbors(i), k, b.begin());
      std::sort(a.begin(), a.end());
      std::sort(b.begin(), b.end());
      int h = 0;
      auto ia = a.begin();
      auto ib = b.begin();
      while (ia != a.end() && ib != b.end()) {
        if (*ia < *ib) {
          ++ia;
        } else if (*ib < *ia) {
          ++ib;
        } else {
          if (*ia >= 0) // -1 padding is never a hit
            ++h;
          ++ia;
          ++ib;
        }
      }
      hits[r] = h;
    }
  }
  double total = 0.0;
  for (int h : hits)
    total += h;
  return total / (static_cast<double>(count) * k);
}

KnnGraph top_k_affinity_neighbors(const Csr &p, int k) {
  if (k < 1)
    throw NebenchError("top_k_affinity_neighbors: k must be >= 1, got " +
                       std::to_string(k));
  if (static_cast<std::int64_t>(p.indptr.size()) != p.n + 1)
    throw NebenchError("top_k_affinity_neighbors: CSR indptr has " +
                       std::to_string(p.indptr.size()) +
                       " entries for n = " + std::to_string(p.n));
  KnnGraph g;
  g.n = p.n;
  g.k = k;
  g.indices.assign(static_cast<std::size_t>(p.n * k), -1);
  g.distances.assign(static_cast<std::size_t>(p.n * k),
                     std::numeric_limits<float>::quiet_NaN());
#pragma omp parallel
  {
    std::vector<std::pair<double, std::int64_t>> row;
#pragma omp for schedule(static)
    for (std::int64_t i = 0; i < p.n; ++i) {
      row.clear();
      for (auto q = p.row_begin(i); q < p.row_end(i); ++q)
        if (p.indices[q] != i && p.values[q] > 0.0)
          row.emplace_back(p.values[q], p.indices[q]);
      const auto take = std::min<std::size_t>(row.size(), k);
      // Largest value first; equal values by the smaller column.
      std::partial_sort(row.begin(), row.begin() + take, row.end(),
                        [](const auto &x, const auto &y) {
                          return x.first != y.first ? x.first > y.first
                                                    : x.second < y.second;
                        });
      for (std::size_t c = 0; c < take; ++c)
        g.indices[i * k + c] = row[c].second;
    }
  }
  return g;
}

} // namespace nebench
