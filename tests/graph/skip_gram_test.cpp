// Skip-gram with negative sampling (engine/graph/skip_gram.h): the pairs of
// each reference style, the loss by hand, its gradient against central
// finite differences, SparseAdam's steps by hand, and training on two
// disjoint cliques (papers/graph.md sec. 5.2, 5.3).
#include "engine/graph/skip_gram.h"

#include "engine/core/errors.h"
#include "engine/core/undirected_graph.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace nebench {
namespace {

using Ids = std::vector<std::int32_t>;

double softplus(double x) { return std::log1p(std::exp(x)); }

MatrixD random_table(std::int64_t n, std::int64_t d, double scale,
                     std::uint64_t seed) {
  MatrixD m(n, d);
  Rng rng(seed);
  for (double &x : m.data)
    x = scale * rng.normal();
  return m;
}

/// Checks d loss / d table against central differences, entry by entry.
void expect_gradient_matches(MatrixD center, MatrixD context,
                             const SkipGramPairs &pairs, bool shared) {
  MatrixD gc(center.rows, center.cols), gx(context.rows, context.cols);
  if (shared)
    skip_gram_loss(center, center, pairs, &gc, &gc);
  else
    skip_gram_loss(center, context, pairs, &gc, &gx);
  auto loss = [&] {
    return skip_gram_loss(center, shared ? center : context, pairs, nullptr,
                          nullptr);
  };
  const double h = 1e-5;
  for (int t = 0; t < (shared ? 1 : 2); ++t) {
    MatrixD &table = t == 0 ? center : context;
    const MatrixD &grad = t == 0 ? gc : gx;
    for (std::size_t k = 0; k < table.data.size(); ++k) {
      const double x = table.data[k];
      table.data[k] = x + h;
      const double up = loss();
      table.data[k] = x - h;
      const double down = loss();
      table.data[k] = x;
      EXPECT_NEAR(grad.data[k], (up - down) / (2 * h), 1e-8)
          << (t == 0 ? "center" : "context") << " entry " << k;
    }
  }
}

Csr two_triangles() {
  return undirected_graph_from_edges(
      6, {{0, 1}, {1, 2}, {0, 2}, {3, 4}, {4, 5}, {3, 5}, {2, 3}});
}

TEST(SkipGram, DeepWalkPairsFollowDglWindows) {
  SkipGramParams params = SkipGramParams::deepwalk();
  params.window = 1;
  params.negatives = 2;
  params.negative_weight = 0.5;
  const Walks walks{3, {7, 8, 9}};
  Rng rng(0);
  const SkipGramPairs pairs = skip_gram_pairs(walks, 10, params, rng);
  // (w[j] center, w[i] context) for |i - j| = 1, i in order.
  EXPECT_EQ(pairs.pos_center, (Ids{8, 7, 9, 8}));
  EXPECT_EQ(pairs.pos_context, (Ids{7, 8, 8, 9}));
  // Two negatives per positive, centred on w[i], contexts from the batch.
  EXPECT_EQ(pairs.neg_center, (Ids{7, 7, 8, 8, 8, 8, 9, 9}));
  for (const std::int32_t x : pairs.neg_context)
    EXPECT_TRUE(x >= 7 && x <= 9);
  EXPECT_DOUBLE_EQ(pairs.negative_scale, 1.0); // m * neg_weight
  EXPECT_DOUBLE_EQ(pairs.score_clamp, 6.0);
  params.window = 3; // DGL asserts walk_length >= window + 1
  EXPECT_THROW(skip_gram_pairs(walks, 10, params, rng), NebenchError);
}

TEST(SkipGram, Node2vecPairsFollowPygSubWalks) {
  SkipGramParams params = SkipGramParams::node2vec();
  params.window = 3; // context_size
  const Walks walks{4, {5, 6, 7, 8, 1, -1, -1, -1}};
  Rng rng(0);
  const SkipGramPairs pairs = skip_gram_pairs(walks, 10, params, rng);
  // Sub-walks [5 6 7] and [6 7 8]; the padded walk gives none.
  EXPECT_EQ(pairs.pos_center, (Ids{5, 5, 6, 6}));
  EXPECT_EQ(pairs.pos_context, (Ids{6, 7, 7, 8}));
  // One negative walk per walk: [start, u, u, u] cut the same way (the
  // padded walk's negative walk is complete, as PyG's).
  ASSERT_EQ(pairs.neg_center.size(), 8u);
  EXPECT_EQ(pairs.neg_center[0], 5);
  EXPECT_EQ(pairs.neg_center[1], 5);
  EXPECT_EQ(pairs.neg_center[4], 1);
  EXPECT_DOUBLE_EQ(pairs.negative_scale, 1.0);
  EXPECT_DOUBLE_EQ(pairs.score_clamp, 0.0);
}

TEST(SkipGram, LossByHand) {
  // Shared table z0 = (1, 0), z1 = (0, 1), z2 = (1, 1).
  MatrixD z(3, 2);
  z.data = {1, 0, 0, 1, 1, 1};
  SkipGramPairs pairs;
  pairs.pos_center = {0};
  pairs.pos_context = {2}; // s = 1
  pairs.neg_center = {0, 1};
  pairs.neg_context = {1, 2}; // s = 0, 1
  pairs.negative_scale = 3.0;
  const double expected =
      softplus(-1) + 3.0 * (std::log(2.0) + softplus(1)) / 2;
  EXPECT_NEAR(skip_gram_loss(z, z, pairs, nullptr, nullptr), expected, 1e-14);
}

TEST(SkipGram, ClampStopsScoreAndGradient) {
  MatrixD z(2, 2);
  z.data = {3, 0, 3, 0}; // s = 9 > 6
  SkipGramPairs pairs;
  pairs.pos_center = {0};
  pairs.pos_context = {1};
  pairs.neg_center = {0};
  pairs.neg_context = {1};
  pairs.score_clamp = 6.0;
  MatrixD g(2, 2);
  EXPECT_NEAR(skip_gram_loss(z, z, pairs, &g, &g), softplus(-6) + softplus(6),
              1e-14);
  for (double x : g.data)
    EXPECT_EQ(x, 0.0);
}

TEST(SkipGram, DeepWalkGradientMatchesFiniteDifferences) {
  const Csr g = two_triangles();
  SkipGramParams params = SkipGramParams::deepwalk();
  params.window = 2;
  params.negatives = 3;
  Rng rng(5);
  const Walks walks = uniform_walks(g, Ids{0, 3, 5}, 5, rng);
  const SkipGramPairs pairs = skip_gram_pairs(walks, g.n, params, rng);
  // Scores stay well inside the +-6 clamp.
  expect_gradient_matches(random_table(g.n, 4, 0.5, 1),
                          random_table(g.n, 4, 0.5, 2), pairs, false);
}

TEST(SkipGram, Node2vecGradientMatchesFiniteDifferences) {
  const Csr g = two_triangles();
  SkipGramParams params = SkipGramParams::node2vec();
  params.window = 3;
  params.negatives = 2;
  Rng rng(6);
  const Walks walks = node2vec_walks(g, Ids{0, 1, 4, 4}, 5, 0.5, 2.0, rng);
  const SkipGramPairs pairs = skip_gram_pairs(walks, g.n, params, rng);
  expect_gradient_matches(random_table(g.n, 4, 1.0, 3), MatrixD(), pairs, true);
}

TEST(SkipGram, SparseAdamStepsByHand) {
  const double lr = 0.01;
  SparseAdam adam(3, 2, lr);
  MatrixD param(3, 2), grad(3, 2);
  grad(1, 0) = 2.0;
  grad(1, 1) = -0.5;
  // Steps 1 and 2 with the same gradient move by lr * sign(g) each
  // (bias correction makes m / sqrt(v) = sign(g) exactly, up to eps).
  adam.step(param, grad, Ids{1});
  EXPECT_NEAR(param(1, 0), -lr, 1e-8);
  EXPECT_NEAR(param(1, 1), lr, 1e-8);
  adam.step(param, grad, Ids{1});
  EXPECT_NEAR(param(1, 0), -2 * lr, 1e-8);
  for (std::int64_t j = 0; j < 2; ++j) { // untouched rows stay
    EXPECT_EQ(param(0, j), 0.0);
    EXPECT_EQ(param(2, j), 0.0);
  }
  // Step 3 touches row 1 with a zero gradient: it still moves on its moment,
  // m = 0.171 g, v = 0.999 * 0.001999 g^2, with global bias corrections.
  const MatrixD zero(3, 2);
  adam.step(param, zero, Ids{1});
  const double step = lr * std::sqrt(1 - std::pow(0.999, 3)) /
                      (1 - std::pow(0.9, 3)) * 0.171 /
                      std::sqrt(0.999 * 0.001999);
  // (eps = 1e-8 in the denominators shifts the three steps by ~1e-8.)
  EXPECT_NEAR(param(1, 0), -2 * lr - step, 5e-8);
  EXPECT_NEAR(param(1, 1), 2 * lr + step, 5e-8);
}

/// Mean cosine similarity within and across the two cliques.
std::pair<double, double> clique_cosines(const MatrixD &z, std::int64_t half) {
  double within = 0, across = 0;
  std::int64_t nw = 0, na = 0;
  for (std::int64_t i = 0; i < z.rows; ++i)
    for (std::int64_t j = i + 1; j < z.rows; ++j) {
      double dot = 0, ni = 0, nj = 0;
      for (std::int64_t k = 0; k < z.cols; ++k) {
        dot += z(i, k) * z(j, k);
        ni += z(i, k) * z(i, k);
        nj += z(j, k) * z(j, k);
      }
      const double c = dot / std::sqrt(ni * nj);
      if ((i < half) == (j < half)) {
        within += c;
        ++nw;
      } else {
        across += c;
        ++na;
      }
    }
  return {within / nw, across / na};
}

Csr two_cliques(std::int32_t size) {
  std::vector<GraphEdge> edges;
  for (std::int32_t c = 0; c < 2; ++c)
    for (std::int32_t i = 0; i < size; ++i)
      for (std::int32_t j = i + 1; j < size; ++j)
        edges.emplace_back(c * size + i, c * size + j);
  return undirected_graph_from_edges(2 * size, edges);
}

class SkipGramCliques : public ::testing::TestWithParam<SkipGramStyle> {};

TEST_P(SkipGramCliques, SeparatesTwoCliques) {
  const Csr g = two_cliques(10);
  SkipGramParams params = GetParam() == SkipGramStyle::dgl_deepwalk
                              ? SkipGramParams::deepwalk()
                              : SkipGramParams::node2vec();
  params.dim = 16;
  params.window = 4;
  params.epochs = 40;
  params.batch_walks = 4;
  params.learning_rate = 0.05;
  params.seed = 3;
  const WalkGenerator walker = [&](const Ids &starts, Rng &rng) {
    return GetParam() == SkipGramStyle::dgl_deepwalk
               ? uniform_walks(g, starts, 10, rng)
               : node2vec_walks(g, starts, 10, 1.0, 1.0, rng);
  };
  std::vector<double> losses;
  const MatrixD z = train_skip_gram(
      g, walker, params, [&](std::int64_t, double loss, const MatrixD &) {
        losses.push_back(loss);
      });
  ASSERT_EQ(losses.size(), 40u);
  EXPECT_LT(losses.back(), losses.front());
  const auto [within, across] = clique_cosines(z, 10);
  EXPECT_GT(within, across + 0.5)
      << "within " << within << " across " << across;
  // Deterministic for the seed.
  EXPECT_EQ(train_skip_gram(g, walker, params).data, z.data);
}

INSTANTIATE_TEST_SUITE_P(Styles, SkipGramCliques,
                         ::testing::Values(SkipGramStyle::dgl_deepwalk,
                                           SkipGramStyle::pyg_node2vec));

TEST(SkipGram, RejectsBadParameters) {
  const Csr g = two_triangles();
  const WalkGenerator walker = [&](const Ids &starts, Rng &rng) {
    return uniform_walks(g, starts, 8, rng);
  };
  SkipGramParams params;
  params.dim = 0;
  EXPECT_THROW(train_skip_gram(g, walker, params), NebenchError);
  params = SkipGramParams::node2vec();
  params.window = 1;
  EXPECT_THROW(train_skip_gram(g, walker, params), NebenchError);
}

} // namespace
} // namespace nebench
