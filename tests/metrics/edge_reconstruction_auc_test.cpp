// Edge-reconstruction AUC (metrics/edge_reconstruction_auc.h, papers/
// graph.md sec. 3.5) on graphs small enough that every edge and non-edge is
// used (n_pairs above both counts), so the AUC is exact: a perfect and a
// reversed scorer, ties counted 1/2, cosine vs Euclidean scores; and the
// sampled case on a larger graph.
#include "metrics/edge_reconstruction_auc.h"

#include "engine/core/errors.h"
#include "engine/core/rng.h"
#include "tests/metrics/graph_test_util.h"

#include <gtest/gtest.h>

namespace nebench {
namespace {

using testing::on_line;
using testing::path_graph;
using testing::rows;

constexpr auto kEuclidean = EmbeddingMetric::euclidean;
constexpr auto kCosine = EmbeddingMetric::cosine;

TEST(EdgeReconstructionAuc, PerfectAndReversedScorers) {
  // Path on a line: edges at distance 1, non-edges at >= 2.
  EXPECT_DOUBLE_EQ(edge_reconstruction_auc(on_line({0, 1, 2, 3, 4, 5}),
                                           path_graph(6), kEuclidean),
                   1.0);
  // K_{2,2} between the clusters {0, 1} at x = 0, 1 and {2, 3} at 10, 11:
  // edges span the gap (d >= 9), the non-edges 0-1 and 2-3 are at d 1.
  const Csr bipartite =
      undirected_graph_from_edges(4, {{0, 2}, {0, 3}, {1, 2}, {1, 3}});
  EXPECT_DOUBLE_EQ(
      edge_reconstruction_auc(on_line({0, 1, 10, 11}), bipartite, kEuclidean),
      0.0);
}

TEST(EdgeReconstructionAuc, TiesCountHalf) {
  // Path 0-1-2-3 at x = 0, 1, 2, 4. Edge scores -1, -1, -2; non-edges 0-2
  // (-2), 0-3 (-4), 1-3 (-3). Each -1 edge beats all 3 non-edges (6); the
  // -2 edge ties 0-2 (1/2) and beats the other two (2). AUC 8.5 / 9.
  EXPECT_DOUBLE_EQ(
      edge_reconstruction_auc(on_line({0, 1, 2, 4}), path_graph(4), kEuclidean),
      8.5 / 9.0);
  // All points equal: every pair ties.
  EXPECT_DOUBLE_EQ(
      edge_reconstruction_auc(on_line({3, 3, 3, 3}), path_graph(4), kEuclidean),
      0.5);
}

TEST(EdgeReconstructionAuc, CosineScoresDirections) {
  // Path 0-1-2. Cosine: edges 0-1 and 1-2 at 45 degrees (0.707), non-edge
  // 0-2 at 90 degrees (0) -> 1. Euclidean: the short vectors 0 and 2 are
  // 1.005 apart, the edges 6.4 and 7.0 -> 0.
  const MatrixD y = rows({{1, 0}, {5, 5}, {0, 0.1}});
  EXPECT_DOUBLE_EQ(edge_reconstruction_auc(y, path_graph(3), kCosine), 1.0);
  EXPECT_DOUBLE_EQ(edge_reconstruction_auc(y, path_graph(3), kEuclidean), 0.0);
}

TEST(EdgeReconstructionAuc, SampledPairsOnTwoBlocks) {
  // Two blocks of 200 nodes, each within-block pair an edge with
  // probability 0.05, no edges across; each block collapsed to one point.
  // Every edge scores 0; a non-edge scores 0 inside a block (tie) and -1
  // across (loss). P(across | non-edge) = 40000 / (40000 + 39800 * 0.95)
  // = 0.514, so AUC = 0.514 + 0.486 / 2 = 0.757, up to the sampling of 300
  // pairs of each kind (sd ~0.015). Reproducible by seed.
  Rng rng(5);
  std::vector<GraphEdge> edges;
  for (int i = 0; i < 400; ++i)
    for (int j = i + 1; j < 400; ++j)
      if (i / 200 == j / 200 && rng.uniform() < 0.05)
        edges.emplace_back(i, j);
  const Csr g = undirected_graph_from_edges(400, edges);
  MatrixD y(400, 1);
  for (std::int64_t i = 0; i < 400; ++i)
    y(i, 0) = static_cast<double>(i / 200);
  const double auc = edge_reconstruction_auc(y, g, kEuclidean, 300, 9);
  EXPECT_NEAR(auc, 0.757, 0.05);
  EXPECT_EQ(auc, edge_reconstruction_auc(y, g, kEuclidean, 300, 9));
  EXPECT_NE(auc, edge_reconstruction_auc(y, g, kEuclidean, 300, 10));
}

TEST(EdgeReconstructionAuc, RejectionSamplingDrawsOnlyNonEdges) {
  // 3000 nodes (4.5 M pairs): non-edges are drawn by rejection. On a path
  // laid out on a line any edge (d 1) or self-pair (d 0) drawn as a
  // "non-edge" would tie or beat a true edge and pull the AUC below 1.
  std::vector<double> x(3000);
  for (int i = 0; i < 3000; ++i)
    x[i] = i;
  EXPECT_DOUBLE_EQ(
      edge_reconstruction_auc(on_line(x), path_graph(3000), kEuclidean), 1.0);
}

TEST(EdgeReconstructionAuc, RejectsGraphsWithoutEdgesOrNonEdges) {
  EXPECT_THROW(edge_reconstruction_auc(on_line({0, 1, 2}),
                                       undirected_graph_from_edges(3, {}),
                                       kEuclidean),
               NebenchError);
  const Csr triangle = undirected_graph_from_edges(3, {{0, 1}, {1, 2}, {0, 2}});
  EXPECT_THROW(
      edge_reconstruction_auc(on_line({0, 1, 2}), triangle, kEuclidean),
      NebenchError);
  EXPECT_THROW(
      edge_reconstruction_auc(on_line({0, 1}), path_graph(3), kEuclidean),
      NebenchError);
}

} // namespace
} // namespace nebench
