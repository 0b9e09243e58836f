// Undirected graphs as symmetric Csr (engine/core/undirected_graph.h): edge
// lists to Csr, validation, induced subgraphs, the largest component with
// its node order (papers/graph.md sec. 8) and BFS hop distances, on graphs
// small enough to check by hand.
#include "engine/core/undirected_graph.h"

#include "engine/core/errors.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace nebench {
namespace {

std::string error_of(const Csr &graph) {
  try {
    check_undirected_graph(graph, "test graph");
  } catch (const NebenchError &e) {
    return e.what();
  }
  return "(valid)";
}

TEST(UndirectedGraph, FromEdgesMergesDuplicatesAndDropsSelfLoops) {
  // (0,1) three times in both orientations, a self-loop at 2, node 3 alone.
  const Csr g =
      undirected_graph_from_edges(4, {{0, 1}, {1, 0}, {2, 2}, {2, 1}, {0, 1}});
  EXPECT_EQ(g.n, 4);
  EXPECT_EQ(g.indptr, (std::vector<std::int64_t>{0, 1, 3, 4, 4}));
  EXPECT_EQ(g.indices, (std::vector<std::int32_t>{1, 0, 2, 1}));
  EXPECT_EQ(g.values, (std::vector<double>(4, 1.0)));
  EXPECT_EQ(error_of(g), "(valid)");
  EXPECT_EQ(node_degrees(g), (std::vector<std::int64_t>{1, 2, 1, 0}));
  EXPECT_TRUE(has_edge(g, 1, 2));
  EXPECT_TRUE(has_edge(g, 2, 1));
  EXPECT_FALSE(has_edge(g, 0, 2));
  EXPECT_FALSE(has_edge(g, 2, 2));
}

TEST(UndirectedGraph, FromEdgesRejectsOutOfRangeNodes) {
  try {
    undirected_graph_from_edges(3, {{0, 1}, {1, 3}});
    FAIL() << "no throw";
  } catch (const NebenchError &e) {
    EXPECT_STREQ(e.what(),
                 "undirected graph: edge (1, 3) has a node outside [0, 3)");
  }
  EXPECT_THROW(undirected_graph_from_edges(-1, {}), NebenchError);
  const Csr empty = undirected_graph_from_edges(0, {});
  EXPECT_EQ(empty.indptr, (std::vector<std::int64_t>{0}));
  EXPECT_EQ(error_of(empty), "(valid)");
}

TEST(UndirectedGraph, CheckNamesEachDefect) {
  Csr g = undirected_graph_from_edges(3, {{0, 1}, {1, 2}});
  Csr asymmetric;
  asymmetric.n = 3;
  asymmetric.indptr = {0, 1, 2, 3};
  asymmetric.indices = {1, 0, 0}; // (2, 0) without (0, 2)
  asymmetric.values = {1, 1, 1};
  EXPECT_EQ(error_of(asymmetric),
            "test graph: not symmetric: (2, 0) is stored but not (0, 2)");
  Csr loop = g;
  loop.indices[0] = 0;
  EXPECT_EQ(error_of(loop), "test graph: self-loop at node 0");
  Csr unsorted = g;
  std::swap(unsorted.indices[1], unsorted.indices[2]);
  EXPECT_EQ(error_of(unsorted),
            "test graph: columns of row 1 are not strictly increasing");
  Csr outside = g;
  outside.indices[0] = 5;
  EXPECT_EQ(error_of(outside), "test graph: row 0 has column 5 outside [0, 3)");
  Csr short_indptr = g;
  short_indptr.indptr.pop_back();
  EXPECT_EQ(error_of(short_indptr),
            "test graph: indptr does not match 3 rows and 4 entries");
}

TEST(UndirectedGraph, InducedSubgraphRenumbersInTheGivenOrder) {
  // Path 0-1-2-3 plus chord 0-2; keep nodes 2, 0, 3 in that order.
  const Csr g =
      undirected_graph_from_edges(4, {{0, 1}, {1, 2}, {2, 3}, {0, 2}});
  const Csr s = induced_subgraph(g, {2, 0, 3});
  // New ids: 2 -> 0, 0 -> 1, 3 -> 2; kept edges 2-3 and 0-2.
  EXPECT_EQ(s.n, 3);
  EXPECT_EQ(s.indptr, (std::vector<std::int64_t>{0, 2, 3, 4}));
  EXPECT_EQ(s.indices, (std::vector<std::int32_t>{1, 2, 0, 0}));
  EXPECT_EQ(error_of(s), "(valid)");
  EXPECT_THROW(induced_subgraph(g, {1, 1}), NebenchError);
  EXPECT_THROW(induced_subgraph(g, {4}), NebenchError);
}

TEST(UndirectedGraph, LargestComponentKeepsOldIdsInIncreasingOrder) {
  // Components {1, 3, 6, 7} (largest), {0, 5}, {2}, {4}.
  const Csr g =
      undirected_graph_from_edges(8, {{7, 3}, {3, 1}, {6, 7}, {5, 0}});
  const ComponentSubgraph lcc = largest_connected_component(g);
  EXPECT_EQ(lcc.nodes, (std::vector<std::int64_t>{1, 3, 6, 7}));
  // Old edges 1-3, 3-7, 6-7 -> new 0-1, 1-3, 2-3.
  EXPECT_EQ(lcc.graph.indptr, (std::vector<std::int64_t>{0, 1, 3, 4, 6}));
  EXPECT_EQ(lcc.graph.indices, (std::vector<std::int32_t>{1, 0, 3, 3, 1, 2}));
  EXPECT_EQ(error_of(lcc.graph), "(valid)");
}

TEST(UndirectedGraph, LargestComponentTieGoesToTheSmallestNode) {
  // {2, 4, 5} and {0, 1, 3}: equal size, the one holding node 0 wins.
  const Csr g =
      undirected_graph_from_edges(6, {{2, 4}, {4, 5}, {3, 1}, {1, 0}});
  const ComponentSubgraph lcc = largest_connected_component(g);
  EXPECT_EQ(lcc.nodes, (std::vector<std::int64_t>{0, 1, 3}));
  const ComponentSubgraph none =
      largest_connected_component(undirected_graph_from_edges(0, {}));
  EXPECT_TRUE(none.nodes.empty());
  EXPECT_EQ(none.graph.n, 0);
}

TEST(UndirectedGraph, BfsHops) {
  // 0-1-2-3 path, 1-4 branch, 5 unreachable.
  const Csr g =
      undirected_graph_from_edges(6, {{0, 1}, {1, 2}, {2, 3}, {1, 4}});
  EXPECT_EQ(bfs_hops(g, 0), (std::vector<std::int32_t>{0, 1, 2, 3, 2, -1}));
  EXPECT_EQ(bfs_hops(g, 3), (std::vector<std::int32_t>{3, 2, 1, 0, 3, -1}));
  EXPECT_EQ(bfs_hops(g, 5), (std::vector<std::int32_t>{-1, -1, -1, -1, -1, 0}));
  EXPECT_THROW(bfs_hops(g, 6), NebenchError);
}

} // namespace
} // namespace nebench
