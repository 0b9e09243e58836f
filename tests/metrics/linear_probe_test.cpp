// The linear probe (metrics/linear_probe.h): the objective's gradient
// against central differences, stationarity of the fit, and accuracies on
// data a linear read-out can and cannot separate.

#include "engine/core/errors.h"
#include "engine/core/rng.h"
#include "metrics/linear_probe.h"

#include <gtest/gtest.h>

#include <cmath>

namespace nebench {
namespace {

/// n points per class around centres[c] (d = centres' width), sd `spread`.
MatrixD blobs(const std::vector<std::vector<double>> &centres, int n,
              double spread, std::vector<std::int32_t> &labels,
              std::uint64_t seed) {
  const auto d = static_cast<std::int64_t>(centres[0].size());
  MatrixD x(static_cast<std::int64_t>(centres.size()) * n, d);
  Rng rng(seed);
  labels.clear();
  for (std::size_t c = 0; c < centres.size(); ++c)
    for (int i = 0; i < n; ++i) {
      const auto row = static_cast<std::int64_t>(labels.size());
      for (std::int64_t j = 0; j < d; ++j)
        x(row, j) =
            centres[c][static_cast<std::size_t>(j)] + spread * rng.normal();
      labels.push_back(static_cast<std::int32_t>(c * 3 + 1)); // labels 1, 4, 7
    }
  return x;
}

TEST(LinearProbe, ObjectiveGradientMatchesCentralDifferences) {
  Rng rng(3);
  const int m = 12, d = 4, K = 3;
  Eigen::MatrixXd x(m, d);
  std::vector<int> y(m);
  for (int i = 0; i < m; ++i) {
    for (int j = 0; j < d; ++j)
      x(i, j) = rng.normal();
    y[static_cast<std::size_t>(i)] = i % K;
  }
  Eigen::VectorXd theta((d + 1) * K), grad, unused;
  for (Eigen::Index i = 0; i < theta.size(); ++i)
    theta[i] = 0.5 * rng.normal();
  softmax_objective(theta, x, y, K, 0.3, grad);
  const double h = 1e-5;
  for (Eigen::Index i = 0; i < theta.size(); ++i) {
    Eigen::VectorXd up = theta, down = theta;
    up[i] += h;
    down[i] -= h;
    const double numeric = (softmax_objective(up, x, y, K, 0.3, unused) -
                            softmax_objective(down, x, y, K, 0.3, unused)) /
                           (2 * h);
    EXPECT_NEAR(grad[i], numeric, 1e-7) << "parameter " << i;
  }
}

TEST(LinearProbe, FitIsStationary) {
  std::vector<std::int32_t> labels;
  const MatrixD x = blobs({{0, 0}, {1, 0}, {0, 1}}, 30, 0.6, labels, 5);
  Eigen::MatrixXd xe(x.rows, x.cols);
  std::vector<int> y;
  for (std::int64_t i = 0; i < x.rows; ++i) {
    xe(i, 0) = x(i, 0);
    xe(i, 1) = x(i, 1);
    y.push_back((labels[static_cast<std::size_t>(i)] - 1) / 3);
  }
  LinearProbeParams p;
  p.l2 = 1e-2;
  const Eigen::VectorXd theta = fit_softmax(xe, y, 3, p);
  Eigen::VectorXd grad;
  const double at = softmax_objective(theta, xe, y, 3, p.l2, grad);
  EXPECT_LT(grad.lpNorm<Eigen::Infinity>(), 1e-6);
  // Lower than at the start (W = 0: log 3) and than a nearby point.
  EXPECT_LT(at, std::log(3.0));
  Eigen::VectorXd moved = theta, unused;
  moved[0] += 1e-2;
  EXPECT_GT(softmax_objective(moved, xe, y, 3, p.l2, unused), at);
}

TEST(LinearProbe, SeparatesLinearlySeparableClasses) {
  // Three well separated blobs in 5-D with labels 1, 4, 7; unequal feature
  // scales are removed by the standardisation.
  std::vector<std::int32_t> labels;
  MatrixD x = blobs({{0, 0, 0, 0, 0}, {6, 0, 0, 0, 0}, {0, 6, 0, 0, 0}}, 60,
                    1.0, labels, 9);
  for (std::int64_t i = 0; i < x.rows; ++i)
    x(i, 1) *= 1000.0;
  EXPECT_EQ(linear_probe_accuracy(x, labels, 0.25, 2), 1.0);
}

TEST(LinearProbe, CannotSeparateXor) {
  // Class = sign(x0) xor sign(x1): no linear read-out beats chance by much,
  // while a kNN classifier on the same split is near perfect.
  Rng rng(11);
  const int n = 400;
  MatrixD x(n, 2);
  std::vector<std::int32_t> labels(n);
  for (int i = 0; i < n; ++i) {
    x(i, 0) = rng.uniform() * 2 - 1;
    x(i, 1) = rng.uniform() * 2 - 1;
    labels[static_cast<std::size_t>(i)] = (x(i, 0) > 0) != (x(i, 1) > 0);
  }
  const Split split = stratified_split(labels, 0.3, 4);
  EXPECT_LT(linear_probe_accuracy_on_split(x, labels, split), 0.65);
  EXPECT_GT(knn_accuracy_on_split(x, labels, split, 15), 0.9);
}

TEST(LinearProbe, UnseenTestClassCountsAsWrongAndBadInputThrows) {
  MatrixD x(4, 1);
  x(0, 0) = -1;
  x(1, 0) = -2;
  x(2, 0) = 1;
  x(3, 0) = 2;
  const std::vector<std::int32_t> labels = {0, 0, 1, 2};
  Split split;
  split.train = {0, 1, 2};
  split.test = {3}; // class 2 is not in train
  EXPECT_EQ(linear_probe_accuracy_on_split(x, labels, split), 0.0);
  Split empty;
  empty.train = {0, 1};
  EXPECT_THROW(linear_probe_accuracy_on_split(x, labels, empty), NebenchError);
  EXPECT_THROW(linear_probe_accuracy_on_split(x, {0, 1}, split), NebenchError);
}

} // namespace
} // namespace nebench
