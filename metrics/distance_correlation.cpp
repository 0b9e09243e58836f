#include "metrics/distance_correlation.h"

#include "engine/core/errors.h"
#include "engine/core/rng.h"
#include "metrics/pairwise_distances.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>
#include <vector>

namespace nebench {

namespace {

struct Centring {
  std::vector<double> row; ///< a_i. / (m - 2)
  double grand = 0;        ///< a.. / ((m - 1)(m - 2))
};

/// Row sums of the symmetric zero-diagonal matrix held in condensed form.
/// Serial on purpose: a fixed summation order makes the result independent
/// of the thread count, and it is a single cheap pass.
Centring centring(const std::vector<float> &d, std::int64_t m) {
  Centring c;
  c.row.assign(static_cast<std::size_t>(m), 0.0);
  std::int64_t pos = 0;
  for (std::int64_t i = 0; i < m; ++i)
    for (std::int64_t j = i + 1; j < m; ++j, ++pos) {
      c.row[i] += d[pos];
      c.row[j] += d[pos];
    }
  double total = 0;
  for (auto &r : c.row) {
    total += r;
    r /= static_cast<double>(m - 2);
  }
  c.grand = total / (static_cast<double>(m - 1) * static_cast<double>(m - 2));
  return c;
}

template <class A, class B>
double u_dcor_sqr_rows(const DenseMatrix<A> &x, const DenseMatrix<B> &y,
                       const std::vector<std::int64_t> &rows) {
  const auto m = static_cast<std::int64_t>(rows.size());
  if (m < 4)
    throw NebenchError("distance correlation: needs at least 4 points, got " +
                       std::to_string(m));
  const auto da = condensed_distances<float>(x, rows);
  const auto db = condensed_distances<float>(y, rows);
  const Centring ca = centring(da, m);
  const Centring cb = centring(db, m);

  // Sums over pairs i < j (half of the symmetric sums over i != j; the factor
  // 2 / (m(m-3)) cancels in the ratio). Per-row partials, added in order.
  std::vector<double> pab(m, 0.0), paa(m, 0.0), pbb(m, 0.0);
#pragma omp parallel for schedule(dynamic, 16)
  for (std::int64_t i = 0; i < m; ++i) {
    double ab = 0, aa = 0, bb = 0;
    std::int64_t pos = condensed_index(i, i + 1, m);
    for (std::int64_t j = i + 1; j < m; ++j, ++pos) {
      const double ua = da[pos] - ca.row[i] - ca.row[j] + ca.grand;
      const double ub = db[pos] - cb.row[i] - cb.row[j] + cb.grand;
      ab += ua * ub;
      aa += ua * ua;
      bb += ub * ub;
    }
    pab[i] = ab;
    paa[i] = aa;
    pbb[i] = bb;
  }
  const double ab = std::accumulate(pab.begin(), pab.end(), 0.0);
  const double aa = std::accumulate(paa.begin(), paa.end(), 0.0);
  const double bb = std::accumulate(pbb.begin(), pbb.end(), 0.0);
  const double denom = std::sqrt(std::fabs(aa * bb));
  return denom == 0.0 ? 0.0 : ab / denom;
}

template <class A, class B>
void check_rows(const DenseMatrix<A> &x, const DenseMatrix<B> &y) {
  if (x.rows != y.rows)
    throw NebenchError("distance correlation: point sets differ in size (" +
                       std::to_string(x.rows) + " vs " +
                       std::to_string(y.rows) + " rows)");
}

} // namespace

template <class A, class B>
double u_distance_correlation_sqr(const DenseMatrix<A> &x,
                                  const DenseMatrix<B> &y) {
  check_rows(x, y);
  std::vector<std::int64_t> rows(static_cast<std::size_t>(x.rows));
  std::iota(rows.begin(), rows.end(), std::int64_t{0});
  return u_dcor_sqr_rows(x, y, rows);
}

template <class A, class B>
double distance_correlation(const DenseMatrix<A> &x, const DenseMatrix<B> &y,
                            std::int64_t points, std::uint64_t seed) {
  check_rows(x, y);
  const auto rows = Rng(seed).sample(x.rows, std::min(points, x.rows));
  return std::sqrt(std::max(0.0, u_dcor_sqr_rows(x, y, rows)));
}

#define NEBENCH_DCOR_INSTANTIATE(A, B)                                         \
  template double u_distance_correlation_sqr<A, B>(const DenseMatrix<A> &,     \
                                                   const DenseMatrix<B> &);    \
  template double distance_correlation<A, B>(const DenseMatrix<A> &,           \
                                             const DenseMatrix<B> &,           \
                                             std::int64_t, std::uint64_t);
NEBENCH_DCOR_INSTANTIATE(float, float)
NEBENCH_DCOR_INSTANTIATE(float, double)
NEBENCH_DCOR_INSTANTIATE(double, float)
NEBENCH_DCOR_INSTANTIATE(double, double)
#undef NEBENCH_DCOR_INSTANTIATE

} // namespace nebench
