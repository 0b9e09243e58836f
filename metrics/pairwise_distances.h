#pragma once
// Condensed pairwise Euclidean distances of a row sample: the pairs i < j of
// an m-point sample in row-major upper-triangle order (scipy's pdist order),
// m (m - 1) / 2 values. Shared by the rank and distance correlations, which
// both need every pair of a few thousand sampled points.

#include "engine/core/errors.h"
#include "engine/core/matrix.h"

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

namespace nebench {

/// Position of pair (i, j), i < j < m, in the condensed vector.
inline std::int64_t condensed_index(std::int64_t i, std::int64_t j,
                                    std::int64_t m) {
  return i * m - i * (i + 1) / 2 + (j - i - 1);
}

/// Calls sink(pos, distance) for every pair i < j of rows `rows` of `x`,
/// pos being the pair's condensed index; the squared distance is accumulated
/// in double. Runs in parallel: sink must only write slot `pos`.
template <class T, class Sink>
void for_each_pair_distance(const DenseMatrix<T> &x,
                            const std::vector<std::int64_t> &rows, Sink sink) {
  const auto m = static_cast<std::int64_t>(rows.size());
  for (auto r : rows)
    if (r < 0 || r >= x.rows)
      throw NebenchError("pairwise distances: row " + std::to_string(r) +
                         " out of range [0, " + std::to_string(x.rows) + ")");
  const std::int64_t d = x.cols;
#pragma omp parallel for schedule(dynamic, 16)
  for (std::int64_t i = 0; i < m; ++i) {
    const T *a = x.row(rows[i]);
    std::int64_t pos = condensed_index(i, i + 1, m);
    for (std::int64_t j = i + 1; j < m; ++j, ++pos) {
      const T *b = x.row(rows[j]);
      double sq = 0.0;
      for (std::int64_t c = 0; c < d; ++c) {
        const double diff =
            static_cast<double>(a[c]) - static_cast<double>(b[c]);
        sq += diff * diff;
      }
      sink(pos, std::sqrt(sq));
    }
  }
}

/// Distances between rows `rows` of `x` (every pair, condensed order), each
/// accumulated in double and stored as Out (float halves the memory where
/// a relative rounding of 6e-8 is harmless).
template <class Out, class T>
std::vector<Out> condensed_distances(const DenseMatrix<T> &x,
                                     const std::vector<std::int64_t> &rows) {
  const auto m = static_cast<std::int64_t>(rows.size());
  std::vector<Out> out(static_cast<std::size_t>(m * (m - 1) / 2));
  for_each_pair_distance(x, rows, [&out](std::int64_t pos, double dist) {
    out[pos] = static_cast<Out>(dist);
  });
  return out;
}

} // namespace nebench
