#include "metrics/pearson_correlation.h"

#include "engine/core/errors.h"

#include <cmath>
#include <limits>
#include <string>

namespace nebench {

double pearson_correlation(const std::vector<double> &a,
                           const std::vector<double> &b) {
  if (a.size() != b.size())
    throw NebenchError("pearson correlation: samples of " +
                       std::to_string(a.size()) + " and " +
                       std::to_string(b.size()) + " values");
  if (a.size() < 2)
    throw NebenchError("pearson correlation: needs at least 2 values, got " +
                       std::to_string(a.size()));
  double mean_a = 0.0, mean_b = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (!std::isfinite(a[i]) || !std::isfinite(b[i]))
      throw NebenchError("pearson correlation: value " + std::to_string(i) +
                         " is not finite");
    mean_a += a[i];
    mean_b += b[i];
  }
  // Constant samples are detected exactly: their computed mean need not
  // equal the value, which would leave a tiny spurious variance.
  const auto constant = [](const std::vector<double> &v) {
    for (const double x : v)
      if (x != v[0])
        return false;
    return true;
  };
  if (constant(a) || constant(b))
    return std::numeric_limits<double>::quiet_NaN();
  mean_a /= static_cast<double>(a.size());
  mean_b /= static_cast<double>(b.size());
  double ab = 0.0, aa = 0.0, bb = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const double da = a[i] - mean_a, db = b[i] - mean_b;
    ab += da * db;
    aa += da * da;
    bb += db * db;
  }
  // Clamp: rounding can push a perfect correlation a few ulps past +-1.
  return std::fmax(-1.0, std::fmin(1.0, ab / std::sqrt(aa * bb)));
}

} // namespace nebench
