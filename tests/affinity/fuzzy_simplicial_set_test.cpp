#include "engine/affinity/fuzzy_simplicial_set.h"
#include "engine/core/errors.h"
#include "tests/affinity/test_graphs.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>

namespace nebench {
namespace {

using testing::brute_force_graph;
using testing::gaussian_data;

/// A graph from explicit rows (neighbours sorted by distance).
KnnGraph make_graph(const std::vector<std::vector<std::int64_t>> &nb,
                    const std::vector<std::vector<float>> &dist) {
  KnnGraph g;
  g.n = static_cast<std::int64_t>(nb.size());
  g.k = static_cast<int>(nb[0].size());
  for (std::size_t i = 0; i < nb.size(); ++i) {
    g.indices.insert(g.indices.end(), nb[i].begin(), nb[i].end());
    g.distances.insert(g.distances.end(), dist[i].begin(), dist[i].end());
  }
  return g;
}

TEST(FuzzySimplicialSet, CalibrationSatisfiesItsDefiningEquation) {
  const Matrix X = gaussian_data(300, 5, 3);
  const KnnGraph g = brute_force_graph(X, 20);
  for (int k : {5, 15}) {
    FuzzySimplicialSetParams p;
    p.n_neighbors = k;
    const SmoothKnnDistances s = smooth_knn_distances(g, p);
    const double target = std::log2(k);
    for (std::int64_t i = 0; i < g.n; ++i) {
      // rho = distance to the nearest neighbour (local_connectivity 1).
      ASSERT_EQ(s.rho[i], static_cast<double>(g.dists(i)[0])) << i;
      double sum = 0;
      for (int j = 0; j < k - 1; ++j)
        sum += std::exp(-std::max(0.0, g.dists(i)[j] - s.rho[i]) / s.sigma[i]);
      ASSERT_LT(std::fabs(sum - target), 1e-3 * target)
          << "point " << i << " k " << k;
    }
  }
}

TEST(FuzzySimplicialSet, HandComputedTwoNeighbours) {
  // n_neighbors = 3: two neighbours per point, target log2(3).
  // Point 0: neighbours 1 (d = 1) and 2 (d = 3): rho = 1 and
  //   1 + exp(-2 / sigma) = log2(3)  =>  sigma = -2 / log(log2(3) - 1).
  // Point 1: neighbours 0 (d = 1), 2 (d = 2); point 2: 1 (d = 2), 0 (d = 3).
  const KnnGraph g =
      make_graph({{1, 2}, {0, 2}, {1, 0}}, {{1, 3}, {1, 2}, {2, 3}});
  FuzzySimplicialSetParams p;
  p.n_neighbors = 3;
  SmoothKnnDistances s;
  const Csr W = fuzzy_simplicial_set(g, p, &s);
  const double t = std::log(std::log2(3.0) - 1.0);
  EXPECT_NEAR(s.sigma[0], -2.0 / t, 1e-4);
  EXPECT_NEAR(s.sigma[1], -1.0 / t, 1e-4);
  EXPECT_NEAR(s.sigma[2], -1.0 / t, 1e-4);
  EXPECT_DOUBLE_EQ(s.rho[2], 2.0);
  // Directed memberships: the nearest neighbour gets 1, the other
  // exp(log(log2 3 - 1)) = log2(3) - 1.
  const double far = std::log2(3.0) - 1.0;
  // w_01 = 1, w_10 = 1 -> 1 + 1 - 1 = 1.
  EXPECT_NEAR(W.at(0, 1), 1.0, 1e-12);
  // w_02 = far, w_20 = far -> 2 far - far^2.
  EXPECT_NEAR(W.at(0, 2), 2 * far - far * far, 1e-4);
  // w_12 = far, w_21 = 1 -> far + 1 - far = 1.
  EXPECT_NEAR(W.at(1, 2), 1.0, 1e-12);
  EXPECT_EQ(W.nnz(), 6);
  EXPECT_EQ(W.at(0, 0), 0.0);
}

TEST(FuzzySimplicialSet, SymmetricUnionWithValuesInUnitInterval) {
  const Matrix X = gaussian_data(250, 4, 9);
  const KnnGraph g = brute_force_graph(X, 15);
  FuzzySimplicialSetParams p;
  p.n_neighbors = 15;
  SmoothKnnDistances s;
  const Csr W = fuzzy_simplicial_set(g, p, &s);
  ASSERT_EQ(W.n, 250);
  // Directed w recomputed densely from sigma and rho, then the union.
  std::map<std::pair<std::int64_t, std::int64_t>, double> w;
  for (std::int64_t i = 0; i < g.n; ++i)
    for (int j = 0; j < 14; ++j)
      w[{i, g.neighbors(i)[j]}] =
          std::exp(-std::max(0.0, g.dists(i)[j] - s.rho[i]) / s.sigma[i]);
  std::int64_t expected_nnz = 0;
  for (std::int64_t i = 0; i < W.n; ++i)
    for (std::int64_t j = 0; j < W.n; ++j) {
      const double a = w.count({i, j}) ? w.at({i, j}) : 0.0;
      const double b = w.count({j, i}) ? w.at({j, i}) : 0.0;
      if (a + b > 0)
        ++expected_nnz;
      ASSERT_NEAR(W.at(i, j), a + b - a * b, 1e-12) << i << "," << j;
    }
  EXPECT_EQ(W.nnz(), expected_nnz);
  for (std::int64_t i = 0; i < W.n; ++i)
    for (auto q = W.row_begin(i); q < W.row_end(i); ++q) {
      ASSERT_NE(W.indices[q], i);
      ASSERT_GT(W.values[q], 0.0);
      ASSERT_LE(W.values[q], 1.0);
      if (q > W.row_begin(i))
        ASSERT_LT(W.indices[q - 1], W.indices[q]);
      // Exactly symmetric (the union is computed in the same order).
      ASSERT_EQ(W.at(W.indices[q], i), W.values[q]);
    }
}

TEST(FuzzySimplicialSet, IntersectionKeepsOnlyMutualEdges) {
  const Matrix X = gaussian_data(120, 3, 4);
  const KnnGraph g = brute_force_graph(X, 6);
  FuzzySimplicialSetParams p;
  p.n_neighbors = 7;
  p.set_op_mix_ratio = 0.0;
  SmoothKnnDistances s;
  const Csr W = fuzzy_simplicial_set(g, p, &s);
  for (std::int64_t i = 0; i < W.n; ++i)
    for (auto q = W.row_begin(i); q < W.row_end(i); ++q) {
      const std::int64_t j = W.indices[q];
      const std::int64_t *nj = g.neighbors(j);
      ASSERT_NE(std::find(nj, nj + 6, i), nj + 6) << "not mutual: " << i;
    }
}

TEST(FuzzySimplicialSet, DuplicatesAndTheSigmaFloor) {
  // Point 0 has a duplicate (distance 0): rho is the first non-zero
  // distance. Point 1's neighbours are all at distance 2: every term is 1,
  // the sum (3) exceeds log2(4) for any sigma, the bisection drives sigma to
  // 0 and the floor 1e-3 * mean distance applies, where the mean counts the
  // zero self-distance: (2 + 2 + 2) / 4.
  const KnnGraph g = make_graph({{3, 1, 2}, {0, 2, 3}, {1, 0, 3}, {0, 1, 2}},
                                {{0, 1, 4}, {2, 2, 2}, {1, 3, 5}, {0, 2, 4}});
  FuzzySimplicialSetParams p;
  p.n_neighbors = 4;
  const SmoothKnnDistances s = smooth_knn_distances(g, p);
  EXPECT_DOUBLE_EQ(s.rho[0], 1.0);
  EXPECT_DOUBLE_EQ(s.rho[1], 2.0);
  EXPECT_DOUBLE_EQ(s.sigma[1], 1e-3 * 6.0 / 4.0);
}

TEST(FuzzySimplicialSet, RejectsBadInput) {
  const Matrix X = gaussian_data(30, 3, 1);
  KnnGraph g = brute_force_graph(X, 5);
  FuzzySimplicialSetParams p;
  p.n_neighbors = 7; // needs 6 neighbours
  EXPECT_THROW(fuzzy_simplicial_set(g, p), NebenchError);
  p.n_neighbors = 1;
  EXPECT_THROW(fuzzy_simplicial_set(g, p), NebenchError);
  p.n_neighbors = 6;
  g.indices[7] = 1; // row 1 lists itself
  EXPECT_THROW(fuzzy_simplicial_set(g, p), NebenchError);
  g.indices[7] = 99; // out of range
  EXPECT_THROW(fuzzy_simplicial_set(g, p), NebenchError);
}

} // namespace
} // namespace nebench
