// Shortest-path correlation (metrics/shortest_path_correlation.h, papers/
// graph.md sec. 3.6) on embeddings where hop distance and embedding distance
// are exactly linear (r = +-1 whatever pairs are drawn), with pairs only
// inside components, cosine on rescaled rows; and Pearson's r itself
// (metrics/pearson_correlation.h) by hand.
#include "metrics/shortest_path_correlation.h"

#include "engine/core/errors.h"
#include "metrics/pearson_correlation.h"
#include "tests/metrics/graph_test_util.h"

#include <gtest/gtest.h>

#include <cmath>

namespace nebench {
namespace {

using testing::on_line;
using testing::path_graph;
using testing::rows;

constexpr auto kEuclidean = EmbeddingMetric::euclidean;
constexpr auto kCosine = EmbeddingMetric::cosine;

TEST(PearsonCorrelation, HandComputed) {
  // a = 1, 2, 3, 4; b = 2, 1, 4, 3: centred -1.5 -0.5 0.5 1.5 and
  // -0.5 -1.5 1.5 0.5: sum of products 0.75 + 0.75 + 0.75 + 0.75 = 3,
  // sums of squares 5 and 5 -> r = 0.6.
  EXPECT_NEAR(pearson_correlation({1, 2, 3, 4}, {2, 1, 4, 3}), 0.6, 1e-15);
  EXPECT_DOUBLE_EQ(pearson_correlation({1, 2, 3}, {10, 20, 30}), 1.0);
  EXPECT_DOUBLE_EQ(pearson_correlation({1, 2, 3}, {5, 3, 1}), -1.0);
  // Constant samples, also ones whose mean is not exactly representable.
  EXPECT_TRUE(std::isnan(pearson_correlation({0.1, 0.1, 0.1}, {1, 2, 3})));
  EXPECT_TRUE(std::isnan(pearson_correlation({1, 2, 3}, {7, 7, 7})));
  EXPECT_THROW(pearson_correlation({1, 2}, {1, 2, 3}), NebenchError);
  EXPECT_THROW(pearson_correlation({1}, {1}), NebenchError);
  EXPECT_THROW(pearson_correlation({1, NAN}, {1, 2}), NebenchError);
}

TEST(ShortestPathCorrelation, PathOnALineIsOne) {
  // Hop distance |i - j| = embedding distance |x_i - x_j|.
  EXPECT_NEAR(shortest_path_correlation(on_line({0, 1, 2, 3, 4, 5, 6, 7, 8}),
                                        path_graph(9), kEuclidean),
              1.0, 1e-12);
  // Any positive scale keeps r = 1.
  EXPECT_NEAR(shortest_path_correlation(on_line({0, -3, -6, -9, -12}),
                                        path_graph(5), kEuclidean, 50, 3),
              1.0, 1e-12);
}

TEST(ShortestPathCorrelation, ReversedIsMinusOne) {
  // Path 0-1-2 with 0 at (0, 0), 2 at (1, 0) and 1 at (0.5, 2): the hop-1
  // pairs are 2.06 apart, the hop-2 pair only 1 -> r = -1.
  const MatrixD y = rows({{0, 0}, {0.5, 2}, {1, 0}});
  EXPECT_NEAR(shortest_path_correlation(y, path_graph(3), kEuclidean), -1.0,
              1e-12);
}

TEST(ShortestPathCorrelation, OnlyPairsInsideAComponent) {
  // Two paths 0..4 at x = 0..4 and 5..9 at x = 100..104. Pairs across the
  // components have no hop distance; if any entered (with any stand-in
  // value) the far-apart points would break r = 1.
  const Csr g = undirected_graph_from_edges(
      10, {{0, 1}, {1, 2}, {2, 3}, {3, 4}, {5, 6}, {6, 7}, {7, 8}, {8, 9}});
  EXPECT_NEAR(
      shortest_path_correlation(
          on_line({0, 1, 2, 3, 4, 100, 101, 102, 103, 104}), g, kEuclidean),
      1.0, 1e-12);
}

TEST(ShortestPathCorrelation, CosineIgnoresRowScale) {
  // Path 0-1-2-3 as directions at angles 0, 30, 60, 90 degrees: normalised
  // distances 2 sin(15 h degrees) for hop h. Scaling rows changes nothing
  // under cosine, and cosine equals Euclidean on the normalised rows.
  const double pi = std::acos(-1.0);
  MatrixD unit(4, 2), scaled(4, 2);
  for (int i = 0; i < 4; ++i) {
    const double a = i * pi / 6;
    unit(i, 0) = std::cos(a);
    unit(i, 1) = std::sin(a);
    scaled(i, 0) = (i + 1) * 7.0 * std::cos(a);
    scaled(i, 1) = (i + 1) * 7.0 * std::sin(a);
  }
  const double r_unit =
      shortest_path_correlation(unit, path_graph(4), kEuclidean, 200, 4);
  EXPECT_NEAR(shortest_path_correlation(scaled, path_graph(4), kCosine, 200, 4),
              r_unit, 1e-12);
  EXPECT_GT(r_unit, 0.99); // chord lengths 0.52, 1, 1.41: nearly linear
  EXPECT_LT(r_unit, 1.0);
}

TEST(ShortestPathCorrelation, ConstantHopsIsNanAndBadInputThrows) {
  // Triangle: every pair is at hop 1.
  const Csr triangle = undirected_graph_from_edges(3, {{0, 1}, {1, 2}, {0, 2}});
  EXPECT_TRUE(std::isnan(
      shortest_path_correlation(on_line({0, 1, 3}), triangle, kEuclidean)));
  EXPECT_THROW(shortest_path_correlation(on_line({0, 1, 2}),
                                         undirected_graph_from_edges(3, {}),
                                         kEuclidean),
               NebenchError);
  EXPECT_THROW(
      shortest_path_correlation(on_line({0, 1}), path_graph(3), kEuclidean),
      NebenchError);
  EXPECT_THROW(shortest_path_correlation(on_line({0, 1, 2}), path_graph(3),
                                         kEuclidean, 1),
               NebenchError);
}

} // namespace
} // namespace nebench
