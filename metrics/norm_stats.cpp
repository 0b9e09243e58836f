#include "metrics/norm_stats.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace nebench {

namespace {
/// Linear-interpolated quantile of sorted values (numpy's default).
double quantile(const std::vector<double> &sorted, double q) {
  const double pos = q * static_cast<double>(sorted.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(pos));
  const auto hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] +
         (pos - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}
} // namespace

NormStats norm_stats(const MatrixD &y) {
  NormStats s;
  if (y.rows == 0)
    return s;
  std::vector<double> norms(static_cast<std::size_t>(y.rows));
  double sum = 0;
  for (std::int64_t i = 0; i < y.rows; ++i) {
    double sq = 0;
    for (std::int64_t j = 0; j < y.cols; ++j)
      sq += y(i, j) * y(i, j);
    norms[i] = std::sqrt(sq);
    sum += norms[i];
  }
  s.mean = sum / static_cast<double>(y.rows);
  double var = 0;
  for (double v : norms)
    var += (v - s.mean) * (v - s.mean);
  s.std = std::sqrt(var / static_cast<double>(y.rows));
  std::sort(norms.begin(), norms.end());
  s.min = norms.front();
  s.max = norms.back();
  s.q05 = quantile(norms, 0.05);
  s.q25 = quantile(norms, 0.25);
  s.median = quantile(norms, 0.5);
  s.q75 = quantile(norms, 0.75);
  s.q95 = quantile(norms, 0.95);
  return s;
}

} // namespace nebench
