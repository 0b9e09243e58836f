#include "metrics/distance_correlation.h"

#include "engine/core/errors.h"
#include "engine/core/rng.h"

#include <gtest/gtest.h>

#include <cmath>

namespace nebench {
namespace {

/// Independent reference: full m x m double matrices, U-centred exactly as
/// written in Szekely & Rizzo (2014), eq. (3.1) and the inner product below.
template <class A, class B>
double naive_u_dcor_sqr(const DenseMatrix<A> &x, const DenseMatrix<B> &y) {
  const std::int64_t n = x.rows;
  auto dist = [n](const auto &m) {
    std::vector<std::vector<double>> d(n, std::vector<double>(n, 0.0));
    for (std::int64_t i = 0; i < n; ++i)
      for (std::int64_t j = 0; j < n; ++j) {
        double s = 0;
        for (std::int64_t c = 0; c < m.cols; ++c) {
          const double t = double(m(i, c)) - double(m(j, c));
          s += t * t;
        }
        d[i][j] = std::sqrt(s);
      }
    return d;
  };
  auto ucentre = [n](std::vector<std::vector<double>> a) {
    std::vector<double> row(n, 0.0), col(n, 0.0);
    double total = 0;
    for (std::int64_t i = 0; i < n; ++i)
      for (std::int64_t j = 0; j < n; ++j) {
        row[i] += a[i][j];
        col[j] += a[i][j];
        total += a[i][j];
      }
    for (std::int64_t i = 0; i < n; ++i)
      for (std::int64_t j = 0; j < n; ++j)
        a[i][j] = i == j ? 0.0
                         : a[i][j] - row[i] / (n - 2) - col[j] / (n - 2) +
                               total / ((n - 1.0) * (n - 2.0));
    return a;
  };
  const auto a = ucentre(dist(x));
  const auto b = ucentre(dist(y));
  auto prod = [n](const auto &p, const auto &q) {
    double s = 0;
    for (std::int64_t i = 0; i < n; ++i)
      for (std::int64_t j = 0; j < n; ++j)
        s += p[i][j] * q[i][j];
    return s / (double(n) * (n - 3.0));
  };
  const double den = std::sqrt(prod(a, a) * prod(b, b));
  return den == 0 ? 0 : prod(a, b) / den;
}

MatrixD random_points(std::int64_t n, std::int64_t d, std::uint64_t seed) {
  Rng rng(seed);
  MatrixD m(n, d);
  for (auto &v : m.data)
    v = rng.normal();
  return m;
}

/// A nonlinear 2-D function of x plus noise: dependent, but not perfectly.
MatrixD dependent(const MatrixD &x, double noise, std::uint64_t seed) {
  Rng rng(seed);
  MatrixD y(x.rows, 2);
  for (std::int64_t i = 0; i < x.rows; ++i) {
    y(i, 0) = x(i, 0) * x(i, 1) + noise * rng.normal();
    y(i, 1) = std::sin(x(i, 2)) + noise * rng.normal();
  }
  return y;
}

TEST(DistanceCorrelation, DcorPackageDocExample) {
  // dcor.u_distance_correlation_sqr docstring: (a, a) = 1, (a, b) = -0.5.
  MatrixD a(4, 4), b(4, 1);
  for (int i = 0; i < 16; ++i)
    a.data[i] = i + 1;
  b.data = {1, 0, 0, 1};
  EXPECT_NEAR(u_distance_correlation_sqr(a, a), 1.0, 1e-12);
  EXPECT_NEAR(u_distance_correlation_sqr(b, b), 1.0, 1e-12);
  EXPECT_NEAR(u_distance_correlation_sqr(a, b), -0.5, 1e-7);
  // Reported as sqrt(max(0, .)).
  EXPECT_EQ(distance_correlation(a, b, 4, 0), 0.0);
}

TEST(DistanceCorrelation, MatchesNaiveDoubleImplementation) {
  const MatrixD x = random_points(30, 5, 1);
  const MatrixD y = dependent(x, 0.3, 2);
  const double want = naive_u_dcor_sqr(x, y);
  EXPECT_NEAR(u_distance_correlation_sqr(x, y), want, 1e-6);
  EXPECT_NEAR(distance_correlation(x, y, 30, 0), std::sqrt(std::max(0.0, want)),
              1e-6);
  EXPECT_GT(want, 0.1);
  // Mixed precision: float input against double embedding.
  const Matrix xf = convert<float>(x);
  EXPECT_NEAR(u_distance_correlation_sqr(xf, y), naive_u_dcor_sqr(xf, y), 1e-6);
  EXPECT_NEAR(u_distance_correlation_sqr(y, xf), naive_u_dcor_sqr(xf, y), 1e-6);
}

TEST(DistanceCorrelation, IdenticalSetsGiveOne) {
  const MatrixD x = random_points(200, 3, 3);
  EXPECT_NEAR(distance_correlation(x, x, 5000, 0), 1.0, 1e-12);
  const Matrix xf = convert<float>(x);
  EXPECT_NEAR(distance_correlation(xf, xf, 5000, 0), 1.0, 1e-12);
}

TEST(DistanceCorrelation, IndependentNoiseIsNearZero) {
  const MatrixD x = random_points(2000, 3, 4);
  const MatrixD y = random_points(2000, 2, 5);
  const double d = distance_correlation(x, y, 5000, 0);
  EXPECT_GE(d, 0.0);
  EXPECT_LT(d, 0.05);
}

TEST(DistanceCorrelation, InvariantToScaleRotationAndTranslation) {
  const MatrixD x = random_points(150, 4, 6);
  const MatrixD y = dependent(x, 0.5, 7);
  const double base = distance_correlation(x, y, 5000, 0);
  MatrixD xs = x, yr(y.rows, 2);
  for (auto &v : xs.data)
    v = 3.5 * v + 2.0;
  const double c = std::cos(1.1), s = std::sin(1.1);
  for (std::int64_t i = 0; i < y.rows; ++i) {
    yr(i, 0) = 0.01 * (c * y(i, 0) - s * y(i, 1)) - 40.0;
    yr(i, 1) = 0.01 * (s * y(i, 0) + c * y(i, 1)) + 7.0;
  }
  EXPECT_NEAR(distance_correlation(xs, yr, 5000, 0), base, 1e-6);
}

TEST(DistanceCorrelation, UsesASeededSampleOfRows) {
  const MatrixD x = random_points(300, 3, 8);
  const MatrixD y = dependent(x, 1.0, 9);
  const auto rows = Rng(17).sample(300, 25);
  const double want = std::sqrt(std::max(
      0.0, naive_u_dcor_sqr(select_rows(x, rows), select_rows(y, rows))));
  EXPECT_NEAR(distance_correlation(x, y, 25, 17), want, 1e-6);
  EXPECT_NE(distance_correlation(x, y, 25, 17),
            distance_correlation(x, y, 25, 18));
}

TEST(DistanceCorrelation, RejectsBadInput) {
  const MatrixD x = random_points(10, 2, 1);
  EXPECT_THROW(distance_correlation(x, random_points(9, 2, 1), 100, 0),
               NebenchError);
  EXPECT_THROW(distance_correlation(x, x, 3, 0), NebenchError);
}

} // namespace
} // namespace nebench
