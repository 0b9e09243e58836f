#include "engine/core/errors.h"
#include "engine/core/rng.h"
#include "engine/core/threads.h"
#include "engine/knn/knn_graph_builder.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>

namespace nebench {
namespace {

Matrix gaussian(std::int64_t n, std::int64_t d, std::uint64_t seed) {
  Matrix X(n, d);
  Rng rng(seed);
  for (auto &v : X.data)
    v = static_cast<float>(rng.normal());
  return X;
}

// Brute force in double: neighbours of i sorted by distance, self excluded.
std::vector<std::int64_t> brute_force(const Matrix &X, std::int64_t i, int k,
                                      std::vector<double> &dist) {
  std::vector<double> d2(X.rows);
  for (std::int64_t j = 0; j < X.rows; ++j) {
    double s = 0;
    for (std::int64_t c = 0; c < X.cols; ++c) {
      const double t = static_cast<double>(X(i, c)) - X(j, c);
      s += t * t;
    }
    d2[j] = s;
  }
  std::vector<std::int64_t> idx;
  for (std::int64_t j = 0; j < X.rows; ++j)
    if (j != i)
      idx.push_back(j);
  std::partial_sort(idx.begin(), idx.begin() + k, idx.end(),
                    [&](auto a, auto b) { return d2[a] < d2[b]; });
  idx.resize(k);
  dist.clear();
  for (auto j : idx)
    dist.push_back(std::sqrt(d2[j]));
  return idx;
}

TEST(KnnGraphBuilder, FlatMatchesBruteForce) {
  const Matrix X = gaussian(500, 10, 1);
  const int k = 15;
  const KnnGraph g = build_knn_graph(X, k);
  ASSERT_EQ(g.n, 500);
  ASSERT_EQ(g.k, k);
  std::vector<double> dist;
  for (std::int64_t i = 0; i < g.n; ++i) {
    const auto expect = brute_force(X, i, k, dist);
    for (int j = 0; j < k; ++j) {
      EXPECT_EQ(g.neighbors(i)[j], expect[j]) << "point " << i << " rank " << j;
      EXPECT_NEAR(g.dists(i)[j], dist[j], 1e-4 * (1 + dist[j]));
    }
  }
}

// Sizes that are not multiples of the kernel's query group (4), tile (64),
// width (32) or database block (2048), an odd dimension, and two thread
// counts that must give the identical graph.
TEST(KnnGraphBuilder, FlatIsExactAcrossBlockEdgesAndThreadCounts) {
  const Matrix X = gaussian(4133, 3, 5);
  const int k = 7;
  const int threads_before = current_threads();
  set_threads(1);
  const KnnGraph one = build_knn_graph(X, k);
  set_threads(2);
  const KnnGraph two = build_knn_graph(X, k);
  set_threads(threads_before);
  EXPECT_EQ(one.indices, two.indices);
  EXPECT_EQ(one.distances, two.distances);
  std::vector<double> dist;
  for (std::int64_t i = 0; i < X.rows; i += 7) {
    const auto expect = brute_force(X, i, k, dist);
    for (int j = 0; j < k; ++j) {
      EXPECT_EQ(one.neighbors(i)[j], expect[j])
          << "point " << i << " rank " << j;
      EXPECT_NEAR(one.dists(i)[j], dist[j], 1e-5 * (1 + dist[j]));
    }
  }
}

TEST(KnnGraphBuilder, DuplicatesNeverListThemselves) {
  // 60 points, each present 3 times: self may not be first among equals.
  Matrix base = gaussian(20, 4, 2), X(60, 4);
  for (std::int64_t i = 0; i < 60; ++i)
    for (int c = 0; c < 4; ++c)
      X(i, c) = base(i % 20, c);
  const KnnGraph g = build_knn_graph(X, 5);
  for (std::int64_t i = 0; i < 60; ++i) {
    std::set<std::int64_t> seen;
    for (int j = 0; j < 5; ++j) {
      EXPECT_NE(g.neighbors(i)[j], i);
      EXPECT_TRUE(seen.insert(g.neighbors(i)[j]).second);
      EXPECT_GE(g.dists(i)[j], 0.0f);
    }
    // The two copies of i are its nearest neighbours at distance 0.
    EXPECT_EQ(g.neighbors(i)[0] % 20, i % 20);
    EXPECT_EQ(g.neighbors(i)[1] % 20, i % 20);
    EXPECT_NEAR(g.dists(i)[1], 0.0f, 1e-3);
  }
}

TEST(KnnGraphBuilder, FactoryStringIndex) {
  const Matrix X = gaussian(500, 8, 3);
  const KnnGraph exact = build_knn_graph(X, 10);
  const KnnGraph hnsw = build_knn_graph(X, 10, "HNSW32");
  std::int64_t hits = 0;
  for (std::int64_t i = 0; i < X.rows; ++i) {
    std::set<std::int64_t> truth(exact.neighbors(i), exact.neighbors(i) + 10);
    for (int j = 0; j < 10; ++j) {
      EXPECT_NE(hnsw.neighbors(i)[j], i);
      hits += truth.count(hnsw.neighbors(i)[j]);
    }
  }
  EXPECT_GT(static_cast<double>(hits) / (10.0 * X.rows), 0.9);
}

TEST(KnnGraphBuilder, RejectsBadArguments) {
  const Matrix X = gaussian(10, 3, 4);
  EXPECT_THROW(build_knn_graph(X, 10), NebenchError);
  EXPECT_THROW(build_knn_graph(X, 0), NebenchError);
  EXPECT_THROW(build_knn_graph(X, 3, "NoSuchIndex"), NebenchError);
  try {
    build_knn_graph(X, 12);
    FAIL();
  } catch (const NebenchError &e) {
    EXPECT_NE(std::string(e.what()).find("n = 10"), std::string::npos);
  }
}

} // namespace
} // namespace nebench
