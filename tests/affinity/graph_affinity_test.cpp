// Graph t-SNE affinities (engine/affinity/graph_affinity.h): the golden
// values of papers/graph.md sec. 7 P1, P_ij = (1/d_i + 1/d_j) / 2N and
// sum P = 1.
#include "engine/affinity/graph_affinity.h"

#include "engine/core/errors.h"
#include "engine/core/undirected_graph.h"

#include <gtest/gtest.h>

namespace nebench {
namespace {

TEST(GraphTsneAffinity, IsTheDegreeFormulaAndSumsToOne) {
  // A star 0-{1,2,3} plus the edge 2-3: degrees 3, 1, 2, 2; N = 4.
  const Csr a =
      undirected_graph_from_edges(4, {{0, 1}, {0, 2}, {0, 3}, {2, 3}});
  const Csr p = graph_tsne_affinity(a);
  EXPECT_DOUBLE_EQ(p.at(0, 1), (1.0 / 3 + 1.0 / 1) / 8);
  EXPECT_DOUBLE_EQ(p.at(1, 0), p.at(0, 1));
  EXPECT_DOUBLE_EQ(p.at(0, 2), (1.0 / 3 + 1.0 / 2) / 8);
  EXPECT_DOUBLE_EQ(p.at(2, 3), (1.0 / 2 + 1.0 / 2) / 8);
  EXPECT_DOUBLE_EQ(p.at(1, 2), 0.0);
  double sum = 0;
  for (const double v : p.values)
    sum += v;
  EXPECT_NEAR(sum, 1.0, 1e-15);
  EXPECT_EQ(p.indices, a.indices); // the pattern is the graph's
}

TEST(GraphTsneAffinity, RefusesIsolatedNodesSelfLoopsAndAsymmetry) {
  Csr isolated = undirected_graph_from_edges(3, {{0, 1}});
  EXPECT_THROW(graph_tsne_affinity(isolated), NebenchError);
  Csr loop;
  loop.n = 2;
  loop.indptr = {0, 2, 3};
  loop.indices = {0, 1, 0};
  loop.values = {1, 1, 1};
  EXPECT_THROW(graph_tsne_affinity(loop), NebenchError);
  Csr one_way;
  one_way.n = 2;
  one_way.indptr = {0, 1, 2};
  one_way.indices = {1, 1};
  one_way.values = {1, 1};
  EXPECT_THROW(graph_tsne_affinity(one_way), NebenchError);
}

} // namespace
} // namespace nebench
