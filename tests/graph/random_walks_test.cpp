// Uniform and node2vec random walks (engine/graph/random_walks.h): every
// step is an edge, walks are reproducible for a seed, and the empirical
// transition frequencies match the exact (normalised) node2vec weights
// (papers/graph.md sec. 5.2, 5.3; Grover & Leskovec 2016).
#include "engine/graph/random_walks.h"

#include "engine/core/errors.h"
#include "engine/core/undirected_graph.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <vector>

namespace nebench {
namespace {

// 0-1, 0-2, 1-2, 1-3, 1-4, 3-4; node 5 isolated.
Csr small_graph() {
  return undirected_graph_from_edges(
      6, {{0, 1}, {0, 2}, {1, 2}, {1, 3}, {1, 4}, {3, 4}});
}

void expect_valid_walks(const Csr &g, const Walks &walks,
                        std::int64_t walks_per_node) {
  ASSERT_EQ(walks.count(), walks_per_node * g.n);
  for (std::int64_t w = 0; w < walks.count(); ++w) {
    const std::int32_t *walk = walks.walk(w);
    EXPECT_EQ(walk[0], w % g.n); // round r, node i is walk r * n + i
    for (std::int64_t k = 1; k < walks.walk_length; ++k) {
      if (walk[k - 1] < 0) {
        EXPECT_EQ(walk[k], -1); // padding continues
      } else if (walk[k] >= 0) {
        EXPECT_TRUE(has_edge(g, walk[k - 1], walk[k]))
            << walk[k - 1] << " -> " << walk[k];
      } else {
        EXPECT_EQ(node_degrees(g)[walk[k - 1]], 0); // only dead ends stop
      }
    }
  }
}

/// Pearson's chi-square of `counts` against probabilities `expected`.
double chi_square(const std::vector<double> &counts,
                  const std::vector<double> &expected) {
  double total = 0, chi = 0;
  for (double c : counts)
    total += c;
  for (std::size_t i = 0; i < counts.size(); ++i) {
    const double e = total * expected[i];
    chi += (counts[i] - e) * (counts[i] - e) / e;
  }
  return chi;
}

TEST(RandomWalks, UniformStepsAreEdgesAndIsolatedNodeStays) {
  const Csr g = small_graph();
  const Walks walks = uniform_walks(g, 3, 8, 42);
  EXPECT_EQ(walks.walk_length, 8);
  expect_valid_walks(g, walks, 3);
  const std::int32_t *isolated = walks.walk(5);
  EXPECT_EQ(isolated[0], 5);
  for (int k = 1; k < 8; ++k)
    EXPECT_EQ(isolated[k], -1);
}

TEST(RandomWalks, UniformDeterministicForSeed) {
  const Csr g = small_graph();
  EXPECT_EQ(uniform_walks(g, 4, 10, 7).nodes, uniform_walks(g, 4, 10, 7).nodes);
  EXPECT_NE(uniform_walks(g, 4, 10, 7).nodes, uniform_walks(g, 4, 10, 8).nodes);
}

TEST(RandomWalks, UniformStepFrequencies) {
  // From node 1 (neighbours 0, 2, 3, 4) each next node has probability 1/4.
  const Csr g = small_graph();
  Rng rng(3);
  const Walks walks =
      uniform_walks(g, std::vector<std::int32_t>(40000, 1), 2, rng);
  std::map<std::int32_t, double> count;
  for (std::int64_t w = 0; w < walks.count(); ++w)
    count[walks.walk(w)[1]] += 1;
  ASSERT_EQ(count.size(), 4u);
  // 3 degrees of freedom: P(chi2 > 16.27) = 0.001.
  EXPECT_LT(chi_square({count[0], count[2], count[3], count[4]},
                       {0.25, 0.25, 0.25, 0.25}),
            16.27);
}

TEST(RandomWalks, Node2vecStepsAreEdgesAndDeterministic) {
  const Csr g = small_graph();
  const Walks walks = node2vec_walks(g, 3, 8, 0.25, 4.0, 42);
  expect_valid_walks(g, walks, 3);
  EXPECT_EQ(walks.nodes, node2vec_walks(g, 3, 8, 0.25, 4.0, 42).nodes);
  EXPECT_NE(walks.nodes, node2vec_walks(g, 3, 8, 0.25, 4.0, 43).nodes);
  EXPECT_EQ(walks.walk(5)[0], 5);
  EXPECT_EQ(walks.walk(5)[1], -1);
}

TEST(RandomWalks, Node2vecSortsUnsortedRows) {
  // The same graph with every row reversed walks exactly as the sorted one.
  const Csr g = small_graph();
  Csr reversed = g;
  for (std::int64_t i = 0; i < g.n; ++i)
    std::reverse(reversed.indices.begin() + g.indptr[i],
                 reversed.indices.begin() + g.indptr[i + 1]);
  EXPECT_EQ(node2vec_walks(reversed, 5, 12, 0.5, 2.0, 1).nodes,
            node2vec_walks(g, 5, 12, 0.5, 2.0, 1).nodes);
}

// Second-order transitions from t = 0 through v = 1: neighbours of 1 are 0
// (= t, weight 1/p), 2 (a neighbour of t, weight 1) and 3, 4 (weight 1/q);
// through v = 2: 0 (= t, 1/p) and 1 (neighbour of t, 1).
class Node2vecTransitions
    : public ::testing::TestWithParam<std::pair<double, double>> {};

TEST_P(Node2vecTransitions, MatchNormalisedWeights) {
  const auto [p, q] = GetParam();
  const Csr g = small_graph();
  Rng rng(11);
  const Walks walks =
      node2vec_walks(g, std::vector<std::int32_t>(80000, 0), 3, p, q, rng);
  std::map<std::int32_t, double> via1, via2;
  double first_to_1 = 0;
  for (std::int64_t w = 0; w < walks.count(); ++w) {
    const std::int32_t *walk = walks.walk(w);
    if (walk[1] == 1) {
      first_to_1 += 1;
      via1[walk[2]] += 1;
    } else {
      ASSERT_EQ(walk[1], 2);
      via2[walk[2]] += 1;
    }
  }
  // First step uniform over {1, 2}: 1 degree of freedom, 10.83 at 0.001.
  EXPECT_LT(chi_square({first_to_1, walks.count() - first_to_1}, {0.5, 0.5}),
            10.83);
  const double z1 = 1 / p + 1 + 2 / q;
  EXPECT_LT(chi_square({via1[0], via1[2], via1[3], via1[4]},
                       {1 / p / z1, 1 / z1, 1 / q / z1, 1 / q / z1}),
            16.27); // 3 dof
  const double z2 = 1 / p + 1;
  EXPECT_LT(chi_square({via2[0], via2[1]}, {1 / p / z2, 1 / z2}), 10.83);
  EXPECT_EQ(via1.size(), 4u);
  EXPECT_EQ(via2.size(), 2u);
}

INSTANTIATE_TEST_SUITE_P(PQGrid, Node2vecTransitions,
                         ::testing::Values(std::make_pair(0.25, 0.25),
                                           std::make_pair(0.25, 4.0),
                                           std::make_pair(4.0, 0.25),
                                           std::make_pair(4.0, 4.0)));

TEST(RandomWalks, RejectsBadArguments) {
  const Csr g = small_graph();
  Rng rng(0);
  EXPECT_THROW(uniform_walks(g, 1, 0, 0), NebenchError);
  EXPECT_THROW(uniform_walks(g, std::vector<std::int32_t>{6}, 3, rng),
               NebenchError);
  EXPECT_THROW(node2vec_walks(g, 1, 5, 0.0, 1.0, 0), NebenchError);
  EXPECT_THROW(node2vec_walks(g, 1, 5, 1.0, -2.0, 0), NebenchError);
}

} // namespace
} // namespace nebench
