#include "metrics/silhouette.h"

#include "engine/core/errors.h"
#include "engine/core/rng.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <string>

namespace nebench {

double silhouette_score(const MatrixD &y,
                        const std::vector<std::int32_t> &labels,
                        const std::vector<std::int64_t> &rows) {
  if (static_cast<std::int64_t>(labels.size()) != y.rows)
    throw NebenchError("silhouette: " + std::to_string(labels.size()) +
                       " labels for " + std::to_string(y.rows) + " points");
  const auto m = static_cast<std::int64_t>(rows.size());
  if (m < 2)
    throw NebenchError("silhouette: needs at least 2 points, got " +
                       std::to_string(m));
  std::vector<char> seen(static_cast<std::size_t>(y.rows), 0);
  for (auto r : rows) {
    if (r < 0 || r >= y.rows)
      throw NebenchError("silhouette: row " + std::to_string(r) +
                         " out of range [0, " + std::to_string(y.rows) + ")");
    if (seen[r]++)
      throw NebenchError("silhouette: row " + std::to_string(r) +
                         " appears twice");
  }

  // Compact cluster ids 0..K-1 of the sample, in ascending label order.
  std::map<std::int32_t, int> cluster_of;
  for (auto r : rows)
    cluster_of.emplace(labels[r], 0);
  const int clusters = static_cast<int>(cluster_of.size());
  if (clusters < 2)
    return std::numeric_limits<double>::quiet_NaN();
  {
    int next = 0;
    for (auto &[label, id] : cluster_of)
      id = next++;
  }
  std::vector<int> cl(static_cast<std::size_t>(m));
  std::vector<std::int64_t> size(clusters, 0);
  for (std::int64_t i = 0; i < m; ++i) {
    cl[i] = cluster_of.at(labels[rows[i]]);
    ++size[cl[i]];
  }

  const std::int64_t d = y.cols;
  std::vector<double> s(static_cast<std::size_t>(m), 0.0);
#pragma omp parallel
  {
    std::vector<double> sum(clusters); // distance sums of point i per cluster
#pragma omp for schedule(dynamic, 16)
    for (std::int64_t i = 0; i < m; ++i) {
      const int own = cl[i];
      if (size[own] < 2)
        continue; // s(i) = 0 for a singleton cluster
      std::fill(sum.begin(), sum.end(), 0.0);
      const double *a = y.row(rows[i]);
      for (std::int64_t j = 0; j < m; ++j) {
        if (j == i)
          continue;
        const double *b = y.row(rows[j]);
        double sq = 0.0;
        for (std::int64_t c = 0; c < d; ++c) {
          const double diff = a[c] - b[c];
          sq += diff * diff;
        }
        sum[cl[j]] += std::sqrt(sq);
      }
      const double ai = sum[own] / static_cast<double>(size[own] - 1);
      double bi = std::numeric_limits<double>::infinity();
      for (int k = 0; k < clusters; ++k)
        if (k != own) // every cluster of the sample has >= 1 point
          bi = std::min(bi, sum[k] / static_cast<double>(size[k]));
      const double den = std::max(ai, bi);
      s[i] = den > 0.0 ? (bi - ai) / den : 0.0;
    }
  }
  double total = 0.0;
  for (double v : s)
    total += v;
  return total / static_cast<double>(m);
}

double silhouette(const MatrixD &y, const std::vector<std::int32_t> &labels,
                  std::int64_t points, std::uint64_t seed) {
  const std::int64_t m = std::min(points, y.rows);
  return silhouette_score(y, labels, Rng(seed).sample(y.rows, m));
}

} // namespace nebench
