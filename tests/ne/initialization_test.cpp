#include "engine/core/errors.h"
#include "engine/core/rng.h"
#include "engine/init/initialization.h"
#include "engine/knn/pca.h"

#include <gtest/gtest.h>

#include <cmath>

namespace nebench {
namespace {

double column_std(const MatrixD &Y, int c) {
  double m = 0, s = 0;
  for (std::int64_t i = 0; i < Y.rows; ++i)
    m += Y(i, c);
  m /= Y.rows;
  for (std::int64_t i = 0; i < Y.rows; ++i)
    s += (Y(i, c) - m) * (Y(i, c) - m);
  return std::sqrt(s / Y.rows);
}

TEST(Initialization, PcaInitIsRescaledPca) {
  Matrix X(200, 5);
  Rng rng(3);
  for (std::int64_t i = 0; i < 200; ++i)
    for (int c = 0; c < 5; ++c)
      X(i, c) = static_cast<float>(rng.normal() * (5 - c));
  const MatrixD Y = pca_init(X, 2, 1e-4);
  EXPECT_NEAR(column_std(Y, 0), 1e-4, 1e-12);
  // Same directions as the PCA, scaled by one common factor.
  const Matrix P = pca_transform(X, 2);
  const double f = Y(0, 0) / P(0, 0);
  EXPECT_GT(f, 0);
  for (std::int64_t i = 0; i < 200; ++i)
    for (int c = 0; c < 2; ++c)
      ASSERT_NEAR(Y(i, c), f * P(i, c), 1e-9);
  EXPECT_LT(column_std(Y, 1), column_std(Y, 0));
}

TEST(Initialization, RandomInitIsSeededGaussian) {
  const MatrixD a = random_init(5000, 2, 1e-4, 7);
  const MatrixD b = random_init(5000, 2, 1e-4, 7);
  const MatrixD c = random_init(5000, 2, 1e-4, 8);
  EXPECT_EQ(a.data, b.data);
  EXPECT_NE(a.data, c.data);
  EXPECT_NEAR(column_std(a, 0), 1e-4, 5e-6);
  EXPECT_NEAR(column_std(a, 1), 1e-4, 5e-6);
}

TEST(Initialization, RescaleAndJitter) {
  MatrixD Y(4, 2);
  Y.data = {1, 10, -1, 20, 3, 30, -3, 40}; // first column std = sqrt(5)
  rescale(Y, 2.0);
  EXPECT_NEAR(Y(0, 0), 2.0 / std::sqrt(5.0), 1e-15);
  EXPECT_NEAR(Y(3, 1), 80.0 / std::sqrt(5.0), 1e-12);
  MatrixD J = Y;
  jitter(J, 0.01, 1);
  double max_shift = 0;
  for (std::size_t e = 0; e < J.data.size(); ++e)
    max_shift = std::max(max_shift, std::fabs(J.data[e] - Y.data[e]));
  EXPECT_GT(max_shift, 0.0);
  EXPECT_LT(max_shift, 6 * 0.01 * 2.0); // 6 sigma of the jitter
  MatrixD flat(3, 2, 1.0);
  EXPECT_THROW(rescale(flat, 1.0), NumericalError);
}

} // namespace
} // namespace nebench
