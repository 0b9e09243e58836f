#include "engine/core/errors.h"
#include "engine/core/rng.h"
#include "engine/knn/pca.h"

#include <Eigen/Dense>
#include <gtest/gtest.h>

#include <cmath>

namespace nebench {
namespace {

// Correlated data with distinct variances: x = A z + offset.
Matrix correlated(std::int64_t n, int d, std::uint64_t seed) {
  Rng rng(seed);
  Eigen::MatrixXd A(d, d);
  for (int r = 0; r < d; ++r)
    for (int c = 0; c < d; ++c)
      A(r, c) = rng.normal() * (c + 1);
  Matrix X(n, d);
  for (std::int64_t i = 0; i < n; ++i) {
    Eigen::VectorXd z(d);
    for (int c = 0; c < d; ++c)
      z(c) = rng.normal();
    const Eigen::VectorXd x = A * z;
    for (int c = 0; c < d; ++c)
      X(i, c) = static_cast<float>(x(c) + 3.0 * c);
  }
  return X;
}

TEST(Pca, MatchesEigenDecompositionOfTheCovariance) {
  const std::int64_t n = 300;
  const int d = 6, dim = 3;
  const Matrix X = correlated(n, d, 7);
  const PcaResult r = pca(X, dim);

  Eigen::MatrixXd M(n, d);
  for (std::int64_t i = 0; i < n; ++i)
    for (int c = 0; c < d; ++c)
      M(i, c) = X(i, c);
  const Eigen::RowVectorXd mean = M.colwise().mean();
  const Eigen::MatrixXd C = M.rowwise() - mean;
  const Eigen::MatrixXd cov = C.transpose() * C / double(n - 1);
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(cov);
  // Eigen sorts ascending: component c is column d - 1 - c.
  for (int c = 0; c < dim; ++c) {
    const Eigen::VectorXd v = eig.eigenvectors().col(d - 1 - c);
    double dot = 0;
    for (int j = 0; j < d; ++j)
      dot += v(j) * r.components(c, j);
    EXPECT_NEAR(std::fabs(dot), 1.0, 1e-4) << "component " << c;
    const double s = dot > 0 ? 1.0 : -1.0;
    EXPECT_NEAR(r.explained_variance[c], eig.eigenvalues()(d - 1 - c),
                1e-4 * eig.eigenvalues()(d - 1));
    // Projections agree up to that sign.
    const Eigen::VectorXd proj = C * v;
    const double scale = std::sqrt(eig.eigenvalues()(d - 1));
    for (std::int64_t i = 0; i < n; ++i)
      ASSERT_NEAR(r.projected(i, c), s * proj(i), 1e-3 * scale);
  }
  for (int j = 0; j < d; ++j)
    EXPECT_NEAR(r.mean[j], mean(j), 1e-4 * (1 + std::fabs(mean(j))));
}

TEST(Pca, SignConventionMakesLargestLoadingPositive) {
  const Matrix X = correlated(200, 5, 11);
  const PcaResult r = pca(X, 4);
  for (int c = 0; c < 4; ++c) {
    int best = 0;
    for (int j = 1; j < 5; ++j)
      if (std::fabs(r.components(c, j)) > std::fabs(r.components(c, best)))
        best = j;
    EXPECT_GT(r.components(c, best), 0.0f);
  }
  // Flipping the data's sign flips the data, not the reported axes.
  Matrix neg = X;
  for (auto &v : neg.data)
    v = -v;
  const PcaResult rn = pca(neg, 4);
  for (int c = 0; c < 4; ++c)
    for (int j = 0; j < 5; ++j)
      EXPECT_NEAR(rn.components(c, j), r.components(c, j), 1e-4);
}

TEST(Pca, UsesAllPointsBeyondFaissSubsamplingCap) {
  // n > 1000 * d: FAISS would train on a subsample; the result must be the
  // PCA of all rows, so projections are exactly centered.
  const Matrix X = correlated(2500, 2, 5);
  const Matrix P = pca_transform(X, 2);
  for (int c = 0; c < 2; ++c) {
    double mean = 0;
    for (std::int64_t i = 0; i < P.rows; ++i)
      mean += P(i, c);
    EXPECT_NEAR(mean / P.rows, 0.0, 1e-3);
  }
}

TEST(Pca, RejectsBadDimensions) {
  const Matrix X = correlated(20, 3, 1);
  EXPECT_THROW(pca(X, 0), NebenchError);
  EXPECT_THROW(pca(X, 4), NebenchError);
  EXPECT_THROW(pca(Matrix(1, 3), 1), NebenchError);
}

} // namespace
} // namespace nebench
