#include "metrics/silhouette.h"

#include "engine/core/errors.h"
#include "engine/core/rng.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <numeric>

namespace nebench {
namespace {

/// Points on the x axis.
MatrixD on_line(const std::vector<double> &xs) {
  MatrixD y(static_cast<std::int64_t>(xs.size()), 2);
  for (std::size_t i = 0; i < xs.size(); ++i)
    y(static_cast<std::int64_t>(i), 0) = xs[i];
  return y;
}

std::vector<std::int64_t> all_rows(std::int64_t n) {
  std::vector<std::int64_t> rows(static_cast<std::size_t>(n));
  std::iota(rows.begin(), rows.end(), 0);
  return rows;
}

/// Rousseeuw's definition written out literally: for every point, the mean
/// distance to each other cluster by a separate pass over all points.
double brute_force(const MatrixD &y, const std::vector<std::int32_t> &labels,
                   const std::vector<std::int64_t> &rows) {
  auto dist = [&](std::int64_t i, std::int64_t j) {
    double s = 0;
    for (std::int64_t c = 0; c < y.cols; ++c)
      s += (y(i, c) - y(j, c)) * (y(i, c) - y(j, c));
    return std::sqrt(s);
  };
  std::map<std::int32_t, int> sizes;
  for (auto r : rows)
    ++sizes[labels[r]];
  double total = 0;
  for (auto i : rows) {
    const std::int32_t own = labels[i];
    if (sizes[own] == 1)
      continue; // s = 0
    double a = 0;
    for (auto j : rows)
      if (j != i && labels[j] == own)
        a += dist(i, j);
    a /= sizes[own] - 1;
    double b = INFINITY;
    for (const auto &[label, size] : sizes) {
      if (label == own)
        continue;
      double sum = 0;
      for (auto j : rows)
        if (labels[j] == label)
          sum += dist(i, j);
      b = std::min(b, sum / size);
    }
    total += (b - a) / std::max(a, b);
  }
  return total / static_cast<double>(rows.size());
}

TEST(Silhouette, HandComputedTinyCase) {
  // A = {0, 1}, B = {4, 6}, C = {20} (a singleton):
  //   x=0: a = 1, b = (4 + 6) / 2 = 5   -> s = 4 / 5
  //   x=1: a = 1, b = (3 + 5) / 2 = 4   -> s = 3 / 4
  //   x=4: a = 2, b = (4 + 3) / 2 = 3.5 -> s = 1.5 / 3.5 = 3 / 7
  //   x=6: a = 2, b = (6 + 5) / 2 = 5.5 -> s = 3.5 / 5.5 = 7 / 11
  //   x=20: singleton                   -> s = 0
  // (C is farther than the other cluster for every point of A and B.)
  const MatrixD y = on_line({0, 1, 4, 6, 20});
  const std::vector<std::int32_t> labels = {3, 3, -1, -1, 9};
  const double expected = (0.8 + 0.75 + 3.0 / 7 + 7.0 / 11 + 0.0) / 5;
  EXPECT_NEAR(silhouette_score(y, labels, all_rows(5)), expected, 1e-15);
  // Without C: the four points only.
  EXPECT_NEAR(silhouette_score(y, labels, {0, 1, 2, 3}),
              (0.8 + 0.75 + 3.0 / 7 + 7.0 / 11) / 4, 1e-15);
}

TEST(Silhouette, EuclideanInTwoDimensionsAndNegativeValues) {
  // A = {(0,0), (3,4)}, B = {(0,1)}: for (0,0), a = 5, b = 1 -> s = -4/5;
  // for (3,4), a = 5, b = sqrt(9 + 9) -> s = (sqrt(18) - 5) / 5; B is a
  // singleton.
  MatrixD y(3, 2);
  y(1, 0) = 3;
  y(1, 1) = 4;
  y(2, 1) = 1;
  const double expected = (-0.8 + (std::sqrt(18.0) - 5) / 5 + 0) / 3;
  EXPECT_NEAR(silhouette_score(y, {0, 0, 1}, all_rows(3)), expected, 1e-15);
}

TEST(Silhouette, MatchesTheBruteForceDoubleLoop) {
  Rng rng(5);
  const std::int64_t n = 300;
  MatrixD y(n, 3);
  std::vector<std::int32_t> labels(n);
  for (std::int64_t i = 0; i < n; ++i) {
    labels[i] = static_cast<std::int32_t>(rng.below(5)) * 10 - 7;
    for (std::int64_t c = 0; c < 3; ++c)
      y(i, c) = rng.normal() + (c == 0 ? 0.8 * labels[i] : 0.0);
  }
  labels[17] = 1000; // a singleton cluster
  const double full = silhouette_score(y, labels, all_rows(n));
  EXPECT_NEAR(full, brute_force(y, labels, all_rows(n)), 1e-12);
  EXPECT_GT(full, 0.0);
  // silhouette(): the seeded sample of spearman's convention, and all rows
  // when points >= n.
  const auto rows = Rng(8).sample(n, 80);
  EXPECT_NEAR(silhouette(y, labels, 80, 8), brute_force(y, labels, rows),
              1e-12);
  EXPECT_EQ(silhouette(y, labels, 80, 8), silhouette(y, labels, 80, 8));
  EXPECT_NE(silhouette(y, labels, 80, 8), silhouette(y, labels, 80, 9));
  EXPECT_EQ(silhouette(y, labels, n + 5, 1), full);
}

TEST(Silhouette, SeparatedAndMixedClusters) {
  // Far-apart tight blobs score near 1; labels unrelated to the geometry
  // score near 0.
  Rng rng(2);
  MatrixD y(200, 2);
  std::vector<std::int32_t> blob(200), random(200);
  for (std::int64_t i = 0; i < 200; ++i) {
    blob[i] = static_cast<std::int32_t>(i % 4);
    random[i] = static_cast<std::int32_t>(rng.below(4));
    y(i, 0) = 1000.0 * blob[i] + rng.normal();
    y(i, 1) = rng.normal();
  }
  EXPECT_GT(silhouette(y, blob, 200, 0), 0.99);
  EXPECT_LT(std::fabs(silhouette(y, random, 200, 0)), 0.1);
}

TEST(Silhouette, UndefinedAndInvalidInputs) {
  const MatrixD y = on_line({0, 1, 2, 3});
  // One cluster: undefined.
  EXPECT_TRUE(std::isnan(silhouette_score(y, {1, 1, 1, 1}, all_rows(4))));
  EXPECT_TRUE(std::isnan(silhouette_score(y, {1, 1, 2, 2}, {0, 1})));
  // Coincident clusters: a = b = 0 gives s = 0, not NaN.
  EXPECT_EQ(silhouette_score(on_line({5, 5, 5, 5}), {0, 0, 1, 1}, all_rows(4)),
            0.0);
  EXPECT_THROW(silhouette_score(y, {0, 1, 0}, all_rows(4)), NebenchError);
  EXPECT_THROW(silhouette_score(y, {0, 1, 0, 1}, {0}), NebenchError);
  EXPECT_THROW(silhouette_score(y, {0, 1, 0, 1}, {0, 0, 1}), NebenchError);
  EXPECT_THROW(silhouette_score(y, {0, 1, 0, 1}, {0, 4}), NebenchError);
}

} // namespace
} // namespace nebench
