#include "engine/affinity/perplexity_affinity.h"
#include "engine/core/errors.h"
#include "engine/core/rng.h"
#include "engine/knn/knn_graph_builder.h"
#include "engine/ne/exact_repulsion.h"
#include "engine/ne/method_registry.h"
#include "engine/ne/tsne_method.h"
#include "engine/ne/tsne_objective.h"
#include "engine/ne/tsne_optimizer.h"
#include "tests/ne/ne_test_util.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <omp.h>

namespace nebench {
namespace {

using testing::random_affinities;
using testing::random_layout;

// Three well-separated Gaussian blobs in 10-D, 100 points each.
struct Blobs {
  Matrix X;
  std::vector<std::int32_t> labels;
  KnnGraph graph;
};

Blobs make_blobs() {
  Blobs b;
  b.X = Matrix(300, 10);
  Rng rng(42);
  for (std::int64_t i = 0; i < 300; ++i) {
    const int c = static_cast<int>(i % 3);
    b.labels.push_back(c);
    for (int d = 0; d < 10; ++d)
      b.X(i, d) = static_cast<float>(rng.normal() + (d == c ? 12.0 : 0.0));
  }
  b.graph = build_knn_graph(b.X, 90);
  return b;
}

const Blobs &blobs() {
  static const Blobs b = make_blobs();
  return b;
}

// Leave-one-out 5-NN classification accuracy in the embedding.
double knn_accuracy(const MatrixD &Y, const std::vector<std::int32_t> &lab) {
  std::int64_t correct = 0;
  for (std::int64_t i = 0; i < Y.rows; ++i) {
    std::vector<std::pair<double, std::int32_t>> d;
    for (std::int64_t j = 0; j < Y.rows; ++j)
      if (j != i)
        d.push_back({std::hypot(Y(i, 0) - Y(j, 0), Y(i, 1) - Y(j, 1)), lab[j]});
    std::partial_sort(d.begin(), d.begin() + 5, d.end());
    int votes[3] = {0, 0, 0};
    for (int k = 0; k < 5; ++k)
      ++votes[d[k].second];
    const int best = int(std::max_element(votes, votes + 3) - votes);
    correct += best == lab[i];
  }
  return static_cast<double>(correct) / Y.rows;
}

TsneParams short_schedule(const std::string &repulsion) {
  TsneParams p;
  p.repulsion = repulsion;
  p.log_every = 25;
  p.phases = {{100, 12.0, 0.5, std::nullopt}, {150, 1.0, 0.8, std::nullopt}};
  return p;
}

MethodOutput run_tsne(const TsneParams &params, std::uint64_t seed = 0) {
  Problem problem;
  problem.X = &blobs().X;
  problem.graph = &blobs().graph;
  problem.labels = &blobs().labels;
  RunContext ctx;
  ctx.seed = seed;
  TsneMethod method(params);
  return method.run(problem, ctx);
}

TEST(TsneOptimizer, SeparatesBlobsAndLowersKl) {
  for (const std::string rep : {"exact", "bh"}) {
    const MethodOutput out = run_tsne(short_schedule(rep));
    ASSERT_EQ(out.embedding.rows, 300);
    ASSERT_EQ(out.embedding.cols, 2);
    const auto &loss = out.trace.columns.at("loss");
    const auto &iter = out.trace.columns.at("iteration");
    ASSERT_EQ(iter.front(), 0.0);
    ASSERT_EQ(iter.back(), 250.0);
    ASSERT_EQ(iter.size(), 11u); // 0, 25, ..., 250
    EXPECT_LT(loss.back(), loss.front()) << rep;
    // The main phase keeps lowering KL after early exaggeration (row 4 is
    // iteration 100).
    EXPECT_LT(loss.back(), loss[4]) << rep;
    EXPECT_GT(knn_accuracy(out.embedding, blobs().labels), 0.98) << rep;
    EXPECT_EQ(out.trace.columns.at("exaggeration")[1], 12.0);
    EXPECT_EQ(out.trace.columns.at("exaggeration").back(), 1.0);
    for (const char *col : {"grad_norm", "Z", "norm_mean", "seconds"})
      EXPECT_EQ(out.trace.columns.at(col).size(), 11u) << col;
    ASSERT_TRUE(out.affinities.has_value());
    EXPECT_EQ(out.affinities->n, 300);
  }
}

TEST(TsneOptimizer, TracedLossIsTheExactKlOfTheFinalEmbedding) {
  const MethodOutput out = run_tsne(short_schedule("exact"));
  const Csr &P = *out.affinities;
  // KL(P||Q) = sum p log p + L_1(Y) since sum p = 1.
  double plogp = 0;
  for (double v : P.values)
    plogp += v * std::log(v);
  const double kl = plogp + tsne_loss(P, out.embedding, 1.0, 1.0);
  EXPECT_NEAR(out.trace.columns.at("loss").back(), kl, 1e-9 * std::fabs(kl));
}

TEST(TsneOptimizer, MatchesOpenTsneUpdateRule) {
  // Reference: openTSNE's gradient_descent written out with numpy semantics
  // (sign(0) = 0), over two phases with carried-over update and gains.
  const std::int64_t n = 40;
  const Csr P = random_affinities(n, 3, 1);
  const MatrixD Y0 = random_layout(n, 2, 1e-2, 2);
  const std::vector<TsnePhase> phases = {{3, 4.0, 0.5, 20.0},
                                         {4, 1.0, 0.8, 10.0}};
  TsneOptimizerParams op;
  op.max_step_norm = 0.05; // small enough to clip some steps
  op.min_gain = 0.01;

  MatrixD ref = Y0, update(n, 2, 0.0), gains(n, 2, 1.0), grad;
  ExactRepulsion exact(1.0);
  auto sgn = [](double v) { return (v > 0) - (v < 0); };
  bool clipped = false;
  for (const auto &ph : phases)
    for (int it = 0; it < ph.iters; ++it) {
      tsne_gradient(P, ref, ph.exaggeration, 1.0, exact, grad);
      for (std::size_t e = 0; e < grad.data.size(); ++e) {
        if (sgn(update.data[e]) != sgn(grad.data[e]))
          gains.data[e] += 0.2;
        else
          gains.data[e] = gains.data[e] * 0.8 + op.min_gain;
        update.data[e] = ph.momentum * update.data[e] -
                         ph.learning_rate * gains.data[e] * grad.data[e];
      }
      for (std::int64_t i = 0; i < n; ++i) {
        const double norm = std::hypot(update(i, 0), update(i, 1));
        if (norm > op.max_step_norm) {
          clipped = true;
          update(i, 0) = update(i, 0) / norm * op.max_step_norm;
          update(i, 1) = update(i, 1) / norm * op.max_step_norm;
        }
      }
      for (std::size_t e = 0; e < ref.data.size(); ++e)
        ref.data[e] += update.data[e];
      for (int d = 0; d < 2; ++d) {
        double m = 0;
        for (std::int64_t i = 0; i < n; ++i)
          m += ref(i, d);
        for (std::int64_t i = 0; i < n; ++i)
          ref(i, d) -= m / n;
      }
    }
  ASSERT_TRUE(clipped);

  MatrixD Y = Y0;
  TsneOptimizer opt(P, exact, op);
  opt.optimize(Y, phases, RunContext{});
  for (std::size_t e = 0; e < Y.data.size(); ++e)
    ASSERT_NEAR(Y.data[e], ref.data[e], 1e-12 * (1 + std::fabs(ref.data[e])));
}

TEST(TsneOptimizer, DeterministicForSeedAndThreads) {
  TsneParams p = short_schedule("bh");
  p.phases = {{30, 12.0, 0.5, std::nullopt}, {30, 1.0, 0.8, std::nullopt}};
  const int saved = omp_get_max_threads();
  omp_set_num_threads(2);
  const MatrixD a = run_tsne(p, 3).embedding;
  const MatrixD b = run_tsne(p, 3).embedding;
  omp_set_num_threads(1);
  const MatrixD c = run_tsne(p, 3).embedding;
  omp_set_num_threads(saved);
  EXPECT_EQ(a.data, b.data);
  EXPECT_EQ(a.data, c.data); // independent of the thread count too
  // The seed matters (jitter of the PCA init).
  EXPECT_NE(a.data, run_tsne(p, 4).embedding.data);
}

// Exact repulsion that turns the forces into NaN from its 7th call on.
class PoisonedRepulsion : public RepulsionEstimator {
public:
  std::string name() const override { return "poisoned"; }
  double compute(const MatrixD &Y, MatrixD &forces) override {
    const double z = exact_.compute(Y, forces);
    if (++calls_ >= 7)
      forces.data[5] = std::nan("");
    return z;
  }

private:
  ExactRepulsion exact_;
  int calls_ = 0;
};

TEST(TsneOptimizer, NanNamesTheIteration) {
  const Csr P = random_affinities(30, 3, 4);
  MatrixD Y = random_layout(30, 2, 1e-2, 5);
  PoisonedRepulsion poisoned;
  TsneOptimizer opt(P, poisoned, {});
  try {
    opt.optimize(Y, {{20, 1.0, 0.5, 5.0}}, RunContext{});
    FAIL() << "no NumericalError";
  } catch (const NumericalError &e) {
    // The 7th evaluation is the gradient of iteration 7.
    EXPECT_EQ(
        std::string(e.what()).rfind("iteration 7: embedding contains NaN", 0),
        0u)
        << e.what();
  }
}

TEST(TsneOptimizer, StopsWhenInterruptedAndReportsProgress) {
  const Csr P = random_affinities(30, 3, 4);
  MatrixD Y = random_layout(30, 2, 1e-2, 5);
  ExactRepulsion exact;
  TsneOptimizer opt(P, exact, {});
  std::atomic<bool> stop{false};
  RunContext ctx;
  ctx.stop = &stop;
  std::int64_t last = -1, total = -1;
  ctx.progress = [&](std::int64_t done, std::int64_t all, const std::string &) {
    last = done;
    total = all;
    if (done == 5)
      stop = true;
  };
  EXPECT_THROW(opt.optimize(Y, {{10, 1.0, 0.5, 5.0}, {10, 1.0, 0.8, 5.0}}, ctx),
               Interrupted);
  EXPECT_EQ(last, 5);
  EXPECT_EQ(total, 20);
}

TEST(TsneMethod, BinaryKnnAffinitiesAndRandomInit) {
  TsneParams p = short_schedule("auto");
  p.affinity.type = "binary_knn";
  p.affinity.k = 15;
  p.init.type = "random";
  const MethodOutput out = run_tsne(p, 1);
  double sum = 0;
  for (double v : out.affinities->values) {
    sum += v;
    EXPECT_EQ(v, out.affinities->values.front()); // all equal: A / sum A
  }
  EXPECT_NEAR(sum, 1.0, 1e-12);
  EXPECT_GT(knn_accuracy(out.embedding, blobs().labels), 0.95);
}

TEST(TsneMethod, LearningRateAutoIsNOverMaxExaggeration) {
  TsneParams p;
  p.phases = {{250, 12.0, 0.5, std::nullopt}, {500, 30.0, 0.8, std::nullopt}};
  TsneMethod m(p);
  const auto ph = m.resolved_phases(6000);
  EXPECT_DOUBLE_EQ(ph[0].learning_rate, 200.0);
  EXPECT_DOUBLE_EQ(ph[1].learning_rate, 200.0);
  p.learning_rate = 7.0;
  p.phases[1].learning_rate = 3.0;
  const auto ph2 = TsneMethod(p).resolved_phases(6000);
  EXPECT_DOUBLE_EQ(ph2[0].learning_rate, 7.0);
  EXPECT_DOUBLE_EQ(ph2[1].learning_rate, 3.0);
  EXPECT_EQ(m.neighbors_needed(), 90);
  EXPECT_GT(m.estimated_bytes(70000), 70000.0 * 90 * 24);
}

TEST(TsneMethod, RefusesGraphWithTooFewNeighbours) {
  TsneParams p = short_schedule("exact");
  p.affinity.perplexity = 50;
  p.affinity.k = 150;
  EXPECT_THROW(run_tsne(p), NebenchError);
}

} // namespace
} // namespace nebench
