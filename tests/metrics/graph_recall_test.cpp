// Graph neighbour recall (metrics/graph_recall.h, papers/graph.md sec. 3.1)
// on hand-computed graphs: perfect and partial recall, self excluded by
// index with duplicate points (sec. 8), ties by smaller index, degree-0
// nodes, cosine vs Euclidean, and the test-node sample.
#include "metrics/graph_recall.h"

#include "engine/core/errors.h"
#include "engine/core/rng.h"
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

TEST(GraphRecall, PathOnALineIsPerfect) {
  EXPECT_DOUBLE_EQ(graph_recall(on_line({0, 1, 2, 3, 4, 5, 6, 7}),
                                path_graph(8), kEuclidean),
                   1.0);
  // Reversed and stretched order changes nothing.
  EXPECT_DOUBLE_EQ(graph_recall(on_line({70, 60, 50, 40, 30, 20, 10, 0}),
                                path_graph(8), kEuclidean),
                   1.0);
}

TEST(GraphRecall, FourCycleOnALine) {
  // Cycle 0-1-2-3-0 at x = 0, 1, 2, 3: node 0 (neighbours 1, 3) gets 1 and
  // 2 -> 1/2; nodes 1 and 2 get both neighbours -> 1; node 3 (neighbours 2,
  // 0) gets 2 and 1 -> 1/2. Mean 3/4.
  const Csr cycle =
      undirected_graph_from_edges(4, {{0, 1}, {1, 2}, {2, 3}, {3, 0}});
  EXPECT_DOUBLE_EQ(graph_recall(on_line({0, 1, 2, 3}), cycle, kEuclidean),
                   0.75);
}

TEST(GraphRecall, SelfExcludedByIndexWithDuplicatePoints) {
  // Nodes 0 and 1 at the same point, node 2 at 5; edges 0-1, 1-2. Node 1
  // (degree 2): nearest others 0 (d 0) and 2 (d 5) -> 1. Node 0 (degree 1):
  // 1 -> 1. Node 2 (degree 1): 0 and 1 tie at 5, the smaller index 0 is
  // taken -> 0. Mean 2/3. Dropping "the first result" as self would make
  // node 1 keep itself (0 comes first by index) and give 1/2 there.
  const Csr g = undirected_graph_from_edges(3, {{0, 1}, {1, 2}});
  EXPECT_DOUBLE_EQ(graph_recall(on_line({0, 0, 5}), g, kEuclidean), 2.0 / 3.0);
}

TEST(GraphRecall, TiesGoToTheSmallerIndex) {
  // x: node 0 at 0, node 1 at 1, node 2 at -1; edges 0-2, 1-2. Node 0
  // (neighbour 2): 1 and 2 tie at distance 1, 1 is taken -> 0. Node 1
  // (neighbour 2): nearest is 0 -> 0. Node 2 (neighbours 0, 1): 0 (d 1), 1
  // (d 2) -> 1. Mean 1/3 (2/3 if ties went to the larger index).
  const Csr g = undirected_graph_from_edges(3, {{0, 2}, {1, 2}});
  EXPECT_DOUBLE_EQ(graph_recall(on_line({0, 1, -1}), g, kEuclidean), 1.0 / 3.0);
}

TEST(GraphRecall, DegreeZeroNodesAreSkipped) {
  // Path 0-1-2 at x = 0, 1, 2 plus isolated node 3 at x = 0, which is
  // skipped as a test node (no 0/0) but stays a candidate neighbour.
  // Node 0 (neighbour 1): nearest is 3 (d 0) -> 0. Node 1 (neighbours 0, 2):
  // 0, 2, 3 all at d 1, the smaller indices 0, 2 are taken -> 1. Node 2
  // (neighbour 1): nearest 1 -> 1. Mean over nodes 0..2: 2/3.
  const Csr g = undirected_graph_from_edges(4, {{0, 1}, {1, 2}});
  EXPECT_DOUBLE_EQ(graph_recall(on_line({0, 1, 2, 0}), g, kEuclidean),
                   2.0 / 3.0);
  const Csr empty = undirected_graph_from_edges(3, {});
  EXPECT_TRUE(std::isnan(graph_recall(on_line({0, 1, 2}), empty, kEuclidean)));
}

TEST(GraphRecall, CosineUsesDirectionsOnly) {
  // Edge 0-1; node 2 has degree 0 (skipped, but a candidate neighbour).
  // Cosine: 0 and 1 point the same way (angle 0), 2 is 27 degrees off -> 1
  // for both. Euclidean: node 0's nearest is 2 (d 0.5, not 9) -> 0; node 1's
  // nearest is 0 (d 9 < 9.01) -> 1. Mean 1/2.
  const MatrixD y = rows({{1, 0}, {10, 0}, {1, 0.5}});
  const Csr g = undirected_graph_from_edges(3, {{0, 1}});
  EXPECT_DOUBLE_EQ(graph_recall(y, g, kCosine), 1.0);
  EXPECT_DOUBLE_EQ(graph_recall(y, g, kEuclidean), 0.5);
}

TEST(GraphRecall, TestNodeSample) {
  // Cycle on a line (per-node recall 1/2, 1, 1, 1/2, see FourCycleOnALine):
  // with n_test = 2 the mean is over Rng(seed).sample(4, 2).
  const Csr cycle =
      undirected_graph_from_edges(4, {{0, 1}, {1, 2}, {2, 3}, {3, 0}});
  const double per_node[] = {0.5, 1.0, 1.0, 0.5};
  for (std::uint64_t seed : {1, 2, 3, 4, 5}) {
    Rng rng(seed);
    const auto sample = rng.sample(4, 2);
    EXPECT_DOUBLE_EQ(
        graph_recall(on_line({0, 1, 2, 3}), cycle, kEuclidean, 2, seed),
        (per_node[sample[0]] + per_node[sample[1]]) / 2);
  }
}

TEST(GraphRecall, RejectsBadInput) {
  EXPECT_THROW(graph_recall(on_line({0, 1}), path_graph(3), kEuclidean),
               NebenchError);
  EXPECT_THROW(graph_recall(on_line({0, 1, 2}), path_graph(3), kEuclidean, 0),
               NebenchError);
  Csr asymmetric = path_graph(3);
  asymmetric.indptr = {0, 1, 1, 1};
  asymmetric.indices = {1};
  asymmetric.values = {1};
  EXPECT_THROW(graph_recall(on_line({0, 1, 2}), asymmetric, kEuclidean),
               NebenchError);
  EXPECT_EQ(parse_embedding_metric("cosine"), kCosine);
  EXPECT_THROW(parse_embedding_metric("manhattan"), NebenchError);
}

} // namespace
} // namespace nebench
