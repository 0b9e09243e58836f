// Stochastic block model (datasets/stochastic_block_model.h): structure,
// determinism, edge counts against their binomial expectation (papers/
// graph.md sec. 4 defaults and sec. 7 P2 (b)), and per-pair edge frequencies
// that would expose an off-by-one in the geometric skipping.
#include "datasets/stochastic_block_model.h"

#include "engine/core/errors.h"
#include "engine/core/undirected_graph.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

namespace nebench {
namespace {

struct EdgeCounts {
  std::int64_t within = 0, between = 0; ///< undirected edges
};

EdgeCounts count_edges(const LabeledGraph &g) {
  EdgeCounts c;
  for (std::int64_t i = 0; i < g.graph.n; ++i)
    for (auto p = g.graph.row_begin(i); p < g.graph.row_end(i); ++p) {
      const std::int32_t j = g.graph.indices[p];
      if (j > i)
        (g.labels[i] == g.labels[j] ? c.within : c.between) += 1;
    }
  return c;
}

/// |count - N p| in binomial standard deviations.
double z_score(std::int64_t count, double n_pairs, double p) {
  return std::abs(static_cast<double>(count) - n_pairs * p) /
         std::sqrt(n_pairs * p * (1 - p));
}

TEST(StochasticBlockModel, StructureLabelsAndDeterminism) {
  SbmOptions o; // sec. 4 defaults: 10 x 101, p_in 0.1, p_out 0.01
  o.seed = 3;
  const LabeledGraph g = stochastic_block_model(o);
  ASSERT_EQ(g.graph.n, 1010);
  EXPECT_NO_THROW(check_undirected_graph(g.graph, "sbm")); // symmetric, no
                                                           // self-loops
  for (std::int64_t i = 0; i < g.graph.n; ++i) {
    EXPECT_EQ(g.labels[i], i / 101);
    EXPECT_EQ(g.original_ids[i], i);
  }
  const LabeledGraph again = stochastic_block_model(o);
  EXPECT_EQ(again.graph.indptr, g.graph.indptr);
  EXPECT_EQ(again.graph.indices, g.graph.indices);
  o.seed = 4;
  EXPECT_NE(stochastic_block_model(o).graph.indices, g.graph.indices);
}

TEST(StochasticBlockModel, EdgeCountsMatchExpectationDefaults) {
  for (std::uint64_t seed : {0, 1, 2}) {
    SbmOptions o;
    o.seed = seed;
    const EdgeCounts c = count_edges(stochastic_block_model(o));
    EXPECT_LT(z_score(c.within, 10 * 101 * 100 / 2.0, 0.1), 5.0) << c.within;
    EXPECT_LT(z_score(c.between, 45 * 101.0 * 101.0, 0.01), 5.0) << c.between;
  }
}

TEST(StochasticBlockModel, SparseTenThousandNodes) {
  // sec. 7 P2 (b): degrees about 20 within and 0.36 across blocks.
  SbmOptions o;
  o.n_blocks = 10;
  o.n_per_block = 1000;
  o.p_in = 0.02;
  o.p_out = 4e-5;
  o.seed = 11;
  const LabeledGraph g = stochastic_block_model(o);
  ASSERT_EQ(g.graph.n, 10000);
  EXPECT_NO_THROW(check_undirected_graph(g.graph, "sbm"));
  const EdgeCounts c = count_edges(g);
  EXPECT_LT(z_score(c.within, 10 * 1000 * 999 / 2.0, 0.02), 5.0) << c.within;
  EXPECT_LT(z_score(c.between, 45 * 1e6, 4e-5), 5.0) << c.between;
}

TEST(StochasticBlockModel, EveryPairHasProbabilityP) {
  // 2 blocks of 3 nodes: 3 + 3 pairs within (p_in), 9 across (p_out). Over
  // 3000 seeds each pair's frequency is within 5 sd (~0.042) of p; a skip
  // that never picks the first or last pair of a block pair would fail.
  const int runs = 3000;
  SbmOptions o;
  o.n_blocks = 2;
  o.n_per_block = 3;
  o.p_in = 0.3;
  o.p_out = 0.6;
  std::vector<int> hits(36, 0);
  for (int s = 0; s < runs; ++s) {
    o.seed = static_cast<std::uint64_t>(s);
    const LabeledGraph g = stochastic_block_model(o);
    for (int i = 0; i < 6; ++i)
      for (int j = 0; j < 6; ++j)
        hits[i * 6 + j] += has_edge(g.graph, i, j);
  }
  for (int i = 0; i < 6; ++i)
    for (int j = 0; j < 6; ++j) {
      if (i == j) {
        EXPECT_EQ(hits[i * 6 + j], 0);
        continue;
      }
      const double p = i / 3 == j / 3 ? 0.3 : 0.6;
      EXPECT_NEAR(hits[i * 6 + j] / double(runs), p,
                  5 * std::sqrt(p * (1 - p) / runs))
          << i << "-" << j;
    }
}

TEST(StochasticBlockModel, ExtremeProbabilities) {
  SbmOptions o;
  o.n_blocks = 3;
  o.n_per_block = 4;
  o.p_in = 1.0;
  o.p_out = 0.0;
  EdgeCounts c = count_edges(stochastic_block_model(o));
  EXPECT_EQ(c.within, 3 * 6);
  EXPECT_EQ(c.between, 0);
  o.p_in = 0.0;
  o.p_out = 1.0;
  c = count_edges(stochastic_block_model(o));
  EXPECT_EQ(c.within, 0);
  EXPECT_EQ(c.between, 3 * 16);
}

TEST(StochasticBlockModel, RejectsBadOptions) {
  const auto error = [](SbmOptions o) -> std::string {
    try {
      stochastic_block_model(o);
    } catch (const NebenchError &e) {
      return e.what();
    }
    return "(no error)";
  };
  SbmOptions o;
  o.p_in = 1.5;
  EXPECT_EQ(error(o), "sbm: edge probability 1.500000 outside [0, 1]");
  o = SbmOptions();
  o.p_out = std::nan("");
  EXPECT_EQ(error(o), "sbm: edge probability nan outside [0, 1]");
  o = SbmOptions();
  o.n_blocks = 0;
  EXPECT_EQ(error(o), "sbm: n_blocks and n_per_block must be >= 1, got 0 and "
                      "101");
  o = SbmOptions();
  o.n_blocks = 65536;
  o.n_per_block = 65536;
  EXPECT_EQ(error(o), "sbm: 65536 x 65536 nodes exceed 2^31 - 1");
}

} // namespace
} // namespace nebench
