#include "metrics/rank_correlation.h"

#include "engine/core/errors.h"
#include "engine/core/rng.h"

#include <gtest/gtest.h>

#include <cmath>

namespace nebench {
namespace {

TEST(AverageRanks, TiesShareTheirMeanRank) {
  EXPECT_EQ(average_ranks({10, 20, 20, 5, 20}),
            (std::vector<double>{2, 4, 4, 1, 4}));
  EXPECT_EQ(average_ranks({3, 3}), (std::vector<double>{1.5, 1.5}));
  EXPECT_THROW(average_ranks({1, std::nan("")}), NebenchError);
}

TEST(SpearmanCorrelation, HandComputedWithoutTies) {
  // rho = 1 - 6 sum d^2 / (n (n^2 - 1)) = 1 - 12 / 60.
  EXPECT_NEAR(spearman_correlation({1, 2, 3, 4}, {1, 3, 2, 4}), 0.8, 1e-15);
  EXPECT_NEAR(spearman_correlation({1, 2, 3}, {3, 2, 1}), -1.0, 1e-15);
}

TEST(SpearmanCorrelation, HandComputedWithTies) {
  // ranks b = 1, 2, 3.5, 5, 3.5; centred products 8, sums of squares 10, 9.5.
  EXPECT_NEAR(spearman_correlation({1, 2, 3, 4, 5}, {5, 6, 7, 8, 7}),
              8.0 / std::sqrt(95.0), 1e-15);
}

TEST(SpearmanCorrelation, InvariantUnderMonotoneTransforms) {
  Rng rng(2);
  std::vector<double> a(500), b(500);
  for (std::size_t i = 0; i < a.size(); ++i) {
    a[i] = rng.uniform();
    b[i] = a[i] + 0.5 * rng.uniform();
  }
  b[7] = b[8]; // a tie
  const double rho = spearman_correlation(a, b);
  std::vector<double> e(b.size()), c(b.size()), neg(b.size());
  for (std::size_t i = 0; i < b.size(); ++i) {
    e[i] = std::exp(3.0 * b[i]);
    c[i] = b[i] * b[i] * b[i] + 2.0;
    neg[i] = -b[i];
  }
  EXPECT_DOUBLE_EQ(spearman_correlation(a, e), rho);
  EXPECT_DOUBLE_EQ(spearman_correlation(a, c), rho);
  EXPECT_DOUBLE_EQ(spearman_correlation(a, neg), -rho);
  EXPECT_GT(rho, 0.5);
}

TEST(SpearmanCorrelation, ConstantInputGivesNaNAndSizesMustAgree) {
  EXPECT_TRUE(std::isnan(spearman_correlation({1, 2, 3}, {4, 4, 4})));
  EXPECT_THROW(spearman_correlation({1, 2}, {1, 2, 3}), NebenchError);
  EXPECT_THROW(spearman_correlation({1}, {1}), NebenchError);
}

TEST(DistanceRankCorrelation, HandComputedFourPoints) {
  // X on a line at 0, 1, 3, 7: pair distances 1, 3, 7, 2, 6, 4 (ranks 1, 3,
  // 6, 2, 5, 4). Y at 0, 2, 3, 5: 2, 3, 5, 1, 3, 2 (ranks 2.5, 4.5, 6, 1,
  // 4.5, 2.5). Centred rank products sum to 13, squares to 17.5 and 16.5.
  Matrix x(4, 1);
  MatrixD y(4, 1);
  const double xs[] = {0, 1, 3, 7}, ys[] = {0, 2, 3, 5};
  for (int i = 0; i < 4; ++i) {
    x(i, 0) = static_cast<float>(xs[i]);
    y(i, 0) = ys[i];
  }
  const double want = 13.0 / std::sqrt(17.5 * 16.5);
  EXPECT_NEAR(distance_rank_correlation(x, y, 100, 0), want, 1e-15);
  EXPECT_NEAR(spearman_correlation({1, 3, 7, 2, 6, 4}, {2, 3, 5, 1, 3, 2}),
              want, 1e-15);
}

Matrix random_input(std::int64_t n, std::int64_t d, std::uint64_t seed) {
  Rng rng(seed);
  Matrix x(n, d);
  for (auto &v : x.data)
    v = static_cast<float>(rng.normal());
  return x;
}

MatrixD embed(const Matrix &x, double noise, std::uint64_t seed) {
  Rng rng(seed);
  MatrixD y(x.rows, 2);
  for (std::int64_t i = 0; i < x.rows; ++i) {
    y(i, 0) = x(i, 0) + noise * rng.normal();
    y(i, 1) = x(i, 1) + noise * rng.normal();
  }
  return y;
}

TEST(DistanceRankCorrelation, InvariantToScaleRotationAndTranslation) {
  const Matrix x = random_input(120, 5, 1);
  const MatrixD y = embed(x, 0.3, 2);
  const double rho = distance_rank_correlation(x, y, 1000, 0);
  MatrixD t(y.rows, 2);
  const double c = std::cos(0.7), s = std::sin(0.7);
  for (std::int64_t i = 0; i < y.rows; ++i) {
    t(i, 0) = 4.0 * (c * y(i, 0) - s * y(i, 1)) + 17.0;
    t(i, 1) = 4.0 * (s * y(i, 0) + c * y(i, 1)) - 3.0;
  }
  EXPECT_NEAR(distance_rank_correlation(x, t, 1000, 0), rho, 1e-12);
  EXPECT_GT(rho, 0.2);
  EXPECT_LT(rho, 1.0);
}

TEST(DistanceRankCorrelation, SamplesPointsWithoutReplacementBySeed) {
  const Matrix x = random_input(300, 4, 5);
  const MatrixD y = embed(x, 1.0, 6);
  const auto rows = Rng(21).sample(300, 40);
  std::vector<double> dx, dy;
  for (std::size_t a = 0; a < rows.size(); ++a)
    for (std::size_t b = a + 1; b < rows.size(); ++b) {
      double sx = 0, sy = 0;
      for (std::int64_t c = 0; c < x.cols; ++c) {
        const double d = double(x(rows[a], c)) - double(x(rows[b], c));
        sx += d * d;
      }
      for (std::int64_t c = 0; c < y.cols; ++c) {
        const double d = y(rows[a], c) - y(rows[b], c);
        sy += d * d;
      }
      dx.push_back(std::sqrt(sx));
      dy.push_back(std::sqrt(sy));
    }
  EXPECT_NEAR(distance_rank_correlation(x, y, 40, 21),
              spearman_correlation(dx, dy), 1e-14);
  EXPECT_EQ(distance_rank_correlation(x, y, 40, 21),
            distance_rank_correlation(x, y, 40, 21));
  EXPECT_NE(distance_rank_correlation(x, y, 40, 21),
            distance_rank_correlation(x, y, 40, 22));
}

TEST(DistanceRankCorrelation, RejectsBadInput) {
  const Matrix x = random_input(10, 2, 1);
  EXPECT_THROW(distance_rank_correlation(x, MatrixD(9, 2), 100, 0),
               NebenchError);
  EXPECT_THROW(distance_rank_correlation(x, embed(x, 0.1, 1), 2, 0),
               NebenchError);
}

} // namespace
} // namespace nebench
