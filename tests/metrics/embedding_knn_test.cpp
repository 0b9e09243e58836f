#include "metrics/embedding_knn.h"

#include "metrics/kd_tree.h"

#include "engine/core/errors.h"
#include "engine/core/rng.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

namespace nebench {
namespace {

/// Brute force in double: neighbours by (distance, index), self excluded.
KnnGraph brute_force(const MatrixD &y, int k) {
  KnnGraph g;
  g.n = y.rows;
  g.k = k;
  for (std::int64_t i = 0; i < y.rows; ++i) {
    std::vector<std::pair<double, std::int64_t>> all;
    for (std::int64_t j = 0; j < y.rows; ++j) {
      if (j == i)
        continue;
      double sq = 0;
      for (std::int64_t c = 0; c < y.cols; ++c)
        sq += (y(i, c) - y(j, c)) * (y(i, c) - y(j, c));
      all.emplace_back(sq, j);
    }
    std::sort(all.begin(), all.end());
    for (int c = 0; c < k; ++c) {
      g.indices.push_back(all[c].second);
      g.distances.push_back(static_cast<float>(std::sqrt(all[c].first)));
    }
  }
  return g;
}

MatrixD gaussian(std::int64_t n, std::int64_t d, double scale, double offset,
                 std::uint64_t seed) {
  Rng rng(seed);
  MatrixD y(n, d);
  for (auto &v : y.data)
    v = offset + scale * rng.normal();
  return y;
}

TEST(EmbeddingKnn, MatchesBruteForce) {
  // d = 2 and 7 take the kd-tree, d = 12 FAISS (with n > 20 queries, its
  // BLAS path). The offset stresses float cancellation in FAISS, which the
  // double re-ranking must undo.
  for (std::int64_t d : {2, 7, 12})
    for (double offset : {0.0, 1000.0}) {
      const MatrixD y = gaussian(400, d, 1.0, offset, 7);
      const KnnGraph got = embedding_knn(y, 10);
      const KnnGraph want = brute_force(y, 10);
      ASSERT_EQ(got.n, 400);
      ASSERT_EQ(got.k, 10);
      EXPECT_EQ(got.indices, want.indices) << "d " << d << " offset " << offset;
      for (std::size_t i = 0; i < want.distances.size(); ++i)
        ASSERT_NEAR(got.distances[i], want.distances[i], 1e-4);
    }
}

TEST(EmbeddingKnn, TiesOnAGridFollowTheIndexOrder) {
  // A 12 x 12 integer grid: many exactly equal distances, shuffled indices.
  std::vector<std::int64_t> order(144);
  for (std::int64_t i = 0; i < 144; ++i)
    order[i] = i;
  Rng(3).shuffle(order);
  for (std::int64_t d : {2, 10}) {
    MatrixD y(144, d);
    for (std::int64_t i = 0; i < 144; ++i) {
      y(order[i], 0) = static_cast<double>(i % 12);
      y(order[i], 1) = static_cast<double>(i / 12);
    }
    EXPECT_EQ(embedding_knn(y, 12).indices, brute_force(y, 12).indices)
        << "d " << d;
  }
}

TEST(EmbeddingKnn, DuplicatesAreNeighboursAndSelfIsExcludedByIndex) {
  for (std::int64_t dim : {2, 9}) {
    MatrixD y(5, dim);
    // 0, 1, 2 coincide at the origin; 3 at (1, 0); 4 at (5, 5).
    y(3, 0) = 1;
    y(4, 0) = 5;
    y(4, 1) = 5;
    const KnnGraph g = embedding_knn(y, 2);
    const std::vector<std::int64_t> expected = {1, 2, 0, 2, 0, 1, 0, 1, 3, 0};
    EXPECT_EQ(g.indices, expected);
    EXPECT_EQ(g.distances[0], 0.0f);
    EXPECT_EQ(g.distances[1], 0.0f);
    EXPECT_FLOAT_EQ(g.distances[6], 1.0f);
    EXPECT_FLOAT_EQ(g.distances[8], static_cast<float>(std::sqrt(41.0)));
  }
}

TEST(EmbeddingKnn, ManyMoreDuplicatesThanCandidates) {
  // 60 identical points: far more than k + 1 + slack ties at distance 0.
  for (std::int64_t d : {2, 10}) {
    MatrixD y(61, d);
    y(60, 0) = 3;
    const KnnGraph g = embedding_knn(y, 5);
    for (std::int64_t i = 0; i < 60; ++i) {
      std::vector<std::int64_t> expected;
      for (std::int64_t j = 0; expected.size() < 5; ++j)
        if (j != i)
          expected.push_back(j);
      const std::vector<std::int64_t> got(g.neighbors(i), g.neighbors(i) + 5);
      EXPECT_EQ(got, expected) << "point " << i;
    }
    EXPECT_EQ(g.neighbors(60)[0], 0);
    EXPECT_FLOAT_EQ(g.dists(60)[4], 3.0f);
  }
}

TEST(EmbeddingKnn, QueriesFillOnlyTheirRows) {
  const MatrixD y = gaussian(100, 2, 1.0, 0.0, 3);
  const KnnGraph full = embedding_knn(y, 4);
  ASSERT_EQ(full.indices, brute_force(y, 4).indices);
  const KnnGraph part = embedding_knn(y, 4, {5, 17, 99});
  ASSERT_EQ(part.n, 100);
  for (std::int64_t i = 0; i < 100; ++i)
    for (int c = 0; c < 4; ++c) {
      if (i == 5 || i == 17 || i == 99) {
        EXPECT_EQ(part.neighbors(i)[c], full.neighbors(i)[c]);
      } else {
        EXPECT_EQ(part.neighbors(i)[c], -1);
        EXPECT_TRUE(std::isnan(part.dists(i)[c]));
      }
    }
}

TEST(EmbeddingKnn, RejectsBadArguments) {
  const MatrixD y = gaussian(5, 2, 1.0, 0.0, 1);
  EXPECT_THROW(embedding_knn(y, 0), NebenchError);
  EXPECT_THROW(embedding_knn(y, 5), NebenchError);
  EXPECT_THROW(embedding_knn(y, 2, {5}), NebenchError);
  MatrixD bad = y;
  bad(2, 1) = std::nan("");
  EXPECT_THROW(embedding_knn(bad, 2), NebenchError);
}

TEST(KdTree, QueryExcludesAndSortsByDistanceThenIndex) {
  MatrixD p(6, 1);
  p.data = {0, 2, 2, 5, -2, 1};
  const KdTree tree(p, 1); // leaf size 1: the deepest tree
  std::vector<std::pair<double, std::int64_t>> out;
  const double q = 0.0;
  tree.query(&q, 4, 0, out);
  const std::vector<std::pair<double, std::int64_t>> want = {
      {1, 5}, {4, 1}, {4, 2}, {4, 4}};
  EXPECT_EQ(out, want);
  tree.query(&q, 10, -1, out);
  EXPECT_EQ(out.size(), 6u);
  EXPECT_EQ(out.front(), (std::pair<double, std::int64_t>{0, 0}));
}

TEST(NearestIn, FindsBaseRowsWithoutExclusion) {
  MatrixD base(4, 1);
  base(0, 0) = 0;
  base(1, 0) = 1;
  base(2, 0) = 2;
  base(3, 0) = 1; // duplicate of 1: tie broken by index
  MatrixD q(2, 1);
  q(0, 0) = 1;
  q(1, 0) = 2.2;
  const KnnGraph g = nearest_in(base, q, 3);
  const std::vector<std::int64_t> expected = {1, 3, 0, 2, 1, 3};
  EXPECT_EQ(g.indices, expected);
  EXPECT_EQ(g.distances[0], 0.0f);
  EXPECT_THROW(nearest_in(base, q, 5), NebenchError);
  EXPECT_THROW(nearest_in(base, MatrixD(1, 2), 1), NebenchError);
}

} // namespace
} // namespace nebench
