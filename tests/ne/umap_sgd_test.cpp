#include "engine/core/errors.h"
#include "engine/core/threads.h"
#include "engine/ne/edge_sampling_sgd.h"
#include "engine/ne/negative_sampler.h"
#include "engine/ne/umap_gradient.h"
#include "tests/ne/ne_test_util.h"

#include <gtest/gtest.h>

#include <cmath>

namespace nebench {
namespace {

/// Restores the default thread count when a test ends.
struct ThreadGuard {
  int saved = current_threads();
  ~ThreadGuard() { set_threads(saved); }
};

Csr two_point_graph() {
  Csr W;
  W.n = 2;
  W.indptr = {0, 1, 2};
  W.indices = {1, 0};
  W.values = {1.0, 1.0};
  return W;
}

UmapGradientParams cauchy(double gamma) {
  UmapGradientParams gp;
  gp.a = 1.0;
  gp.b = 1.0;
  gp.gamma = gamma;
  return gp;
}

TEST(UmapSgd, BatchStepHandComputed) {
  // Two points at distance 1, one edge each way, no repulsion (gamma = 0).
  // Epoch 0 samples nothing; in epoch 1 (alpha = lr = 0.1) each node gets
  // 2 clip(c (y_i - y_j)) with c = -2ab / (1 + a d2) = -1 for a = b = 1.
  Matrix Y(2, 2);
  Y(1, 0) = 1.0f;
  EdgeSgdParams p;
  p.epochs = 2;
  p.learning_rate = 0.1;
  p.batch = true;
  EdgeSamplingSgd sgd(two_point_graph(), UmapGradient<true>(cauchy(0.0)),
                      UniformNegatives{2}, p);
  sgd.optimize(Y, RunContext{});
  EXPECT_FLOAT_EQ(Y(0, 0), 0.2f);
  EXPECT_FLOAT_EQ(Y(1, 0), 0.8f);
  EXPECT_EQ(Y(0, 1), 0.0f);
}

TEST(UmapSgd, BatchIsJacobiAcrossNodesAndSequentialWithinANode) {
  // Path 0 - 1 - 2 at x = 0, 1, 3; a = b = 1, gamma = 0, alpha = 0.1.
  // Node 1 walks (1, 0) then (1, 2), moving its private copy after each:
  //   (1, 0): c = -2 / 2, step 2 clip(-1 (1 - 0)) = -2     -> y1 = 0.8
  //   (1, 2): y2 read from the snapshot (3), d2 = 2.2^2, c = -2 / 5.84,
  //           step 2 clip(c (0.8 - 3)) = 8.8 / 5.84          -> y1 += 0.1 x
  // Nodes 0 and 2 see y1 = 1 (the snapshot): y0 = 0.2, y2 = 3 - 0.1 x 1.6.
  Csr W;
  W.n = 3;
  W.indptr = {0, 1, 3, 4};
  W.indices = {1, 0, 2, 1};
  W.values = {1.0, 1.0, 1.0, 1.0};
  Matrix Y(3, 2);
  Y(1, 0) = 1.0f;
  Y(2, 0) = 3.0f;
  EdgeSgdParams p;
  p.epochs = 2;
  p.learning_rate = 0.1;
  EdgeSamplingSgd sgd(W, UmapGradient<true>(cauchy(0.0)), UniformNegatives{3},
                      p);
  sgd.optimize(Y, RunContext{});
  EXPECT_NEAR(Y(0, 0), 0.2, 1e-6);
  EXPECT_NEAR(Y(1, 0), 0.8 + 0.1 * 8.8 / 5.84, 1e-6);
  EXPECT_NEAR(Y(2, 0), 3.0 - 0.16, 1e-6);
}

TEST(UmapSgd, InPlaceStepHandComputed) {
  // umap-learn's order: edge (0, 1) moves both points by 0.1 towards each
  // other (y0 = 0.1, y1 = 0.9); edge (1, 0) then sees d2 = 0.64, c =
  // -2 / 1.64, g = c (0.9 - 0.1) and moves y1 by 0.1 g and y0 by -0.1 g.
  Matrix Y(2, 2);
  Y(1, 0) = 1.0f;
  EdgeSgdParams p;
  p.epochs = 2;
  p.learning_rate = 0.1;
  p.batch = false;
  EdgeSamplingSgd sgd(two_point_graph(), UmapGradient<true>(cauchy(0.0)),
                      UniformNegatives{2}, p);
  sgd.optimize(Y, RunContext{});
  const double g = -2.0 / 1.64 * 0.8;
  EXPECT_NEAR(Y(0, 0), 0.1 - 0.1 * g, 1e-6);
  EXPECT_NEAR(Y(1, 0), 0.9 + 0.1 * g, 1e-6);
}

TEST(UmapSgd, ClipsEveryCoordinateAtFour) {
  // a = 100, b = 0.5 at distance 0.01: the attraction step per direction,
  // -c (y_j - y_i) = 2ab d2^(b-1) d / (1 + a d2^b) = 100 / 2 = 50, is
  // clipped to 4; both directions of the edge add it (2 x 4 x alpha).
  Matrix Y(2, 2);
  Y(1, 0) = 0.01f;
  UmapGradientParams gp = cauchy(0.0);
  gp.a = 100.0;
  gp.b = 0.5;
  EdgeSgdParams p;
  p.epochs = 2;
  p.learning_rate = 0.01;
  EdgeSamplingSgd sgd(two_point_graph(), UmapGradient<false>(gp),
                      UniformNegatives{2}, p);
  sgd.optimize(Y, RunContext{});
  EXPECT_NEAR(Y(0, 0), 0.08, 1e-7);
  EXPECT_NEAR(Y(1, 0), 0.01 - 0.08, 1e-7);
}

/// A run on a random symmetric graph.
Matrix run(bool batch, int threads, std::uint64_t seed, int epochs = 30) {
  ThreadGuard guard;
  set_threads(threads);
  Csr W = testing::random_affinities(600, 8, 5);
  for (double &v : W.values)
    v = std::min(1.0, v * 600 * 4); // memberships-like scale
  const MatrixD init = testing::random_layout(600, 2, 3.0, 11);
  Matrix Y = convert<float>(init);
  UmapGradientParams gp;
  gp.a = 1.577;
  gp.b = 0.895;
  EdgeSgdParams p;
  p.epochs = epochs;
  p.batch = batch;
  p.seed = seed;
  EdgeSamplingSgd sgd(W, UmapGradient<false>(gp), UniformNegatives{600}, p);
  sgd.optimize(Y, RunContext{});
  return Y;
}

TEST(UmapSgd, SameSeedSameThreadsIsBitwiseIdentical) {
  EXPECT_EQ(run(true, 2, 7).data, run(true, 2, 7).data);
  EXPECT_EQ(run(false, 1, 7).data, run(false, 1, 7).data);
  EXPECT_NE(run(true, 2, 7).data, run(true, 2, 8).data);
}

TEST(UmapSgd, BatchModeDoesNotDependOnTheThreadCount) {
  const Matrix one = run(true, 1, 3);
  EXPECT_EQ(one.data, run(true, 2, 3).data);
  EXPECT_EQ(one.data, run(true, 3, 3).data);
}

TEST(UmapSgd, TraceRowsAndLossDecrease) {
  // Two well separated groups joined internally: the sampled objective
  // falls as the layout forms.
  const std::int64_t n = 200;
  Csr W = testing::random_affinities(n, 6, 2);
  for (double &v : W.values)
    v = 1.0;
  const MatrixD init = testing::random_layout(n, 2, 10.0, 4);
  Matrix Y = convert<float>(init);
  EdgeSgdParams p;
  p.epochs = 120;
  p.log_every = 50;
  EdgeSamplingSgd sgd(W, UmapGradient<true>(cauchy(1.0)), UniformNegatives{n},
                      p);
  const Trace t = sgd.optimize(Y, RunContext{});
  EXPECT_EQ(t.columns.at("epoch"), (std::vector<double>{0, 50, 100, 120}));
  ASSERT_EQ(t.columns.at("loss").size(), 4u);
  ASSERT_EQ(t.columns.at("norm_mean").size(), 4u);
  ASSERT_EQ(t.columns.at("seconds").size(), 4u);
  EXPECT_LT(t.columns.at("loss").back(), 0.8 * t.columns.at("loss").front());
}

TEST(UmapSgd, NanEmbeddingIsANumericalError) {
  Matrix Y(2, 2);
  Y(0, 0) = std::nanf("");
  EdgeSgdParams p;
  p.epochs = 3;
  EdgeSamplingSgd sgd(two_point_graph(), UmapGradient<true>(cauchy(1.0)),
                      UniformNegatives{2}, p);
  EXPECT_THROW(sgd.optimize(Y, RunContext{}), NumericalError);
}

TEST(UmapSgd, StopsWhenInterrupted) {
  std::atomic<bool> stop{true};
  RunContext ctx;
  ctx.stop = &stop;
  Matrix Y(2, 2);
  Y(1, 0) = 1.0f;
  EdgeSgdParams p;
  EdgeSamplingSgd sgd(two_point_graph(), UmapGradient<true>(cauchy(1.0)),
                      UniformNegatives{2}, p);
  EXPECT_THROW(sgd.optimize(Y, ctx), Interrupted);
}

} // namespace
} // namespace nebench
