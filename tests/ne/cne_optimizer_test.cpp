// The CNE optimizer (engine/ne/cne_optimizer.h): clip after summing,
// learning-rate schedule, phases, log Z and reproducibility.

#include "engine/affinity/binary_knn_affinity.h"
#include "engine/init/initialization.h"
#include "engine/ne/cne_method.h"
#include "engine/ne/cne_optimizer.h"
#include "tests/affinity/test_graphs.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

namespace nebench {
namespace {

/// Attraction only, dl/d(d2) = 1 for the positive pair: the gradient of an
/// edge (i, j) is 2 (y_i - y_j) at i and -2 (y_i - y_j) at j.
struct PullOnly {
  void prepare(int) {}
  template <bool kLoss>
  double rows(const double *, const double *, int rows, int negatives,
              double *coef_pos, double *coef_neg, double &) const {
    std::fill_n(coef_pos, rows, 1.0);
    std::fill_n(coef_neg, rows * negatives, 0.0);
    return 0.0;
  }
};

/// Star: centre 0, leaves 1..6, both directions stored.
Csr star() {
  Csr A;
  A.n = 7;
  A.indptr = {0, 6};
  A.indices = {1, 2, 3, 4, 5, 6};
  for (std::int32_t l = 1; l <= 6; ++l) {
    A.indices.push_back(0);
    A.indptr.push_back(A.indptr.back() + 1);
  }
  A.values.assign(A.indices.size(), 1.0);
  return A;
}

TEST(CneOptimizer, ClipsEachValueAfterSummingAPointsRows) {
  // Centre at x = 0, leaves at x = 1.5; all 12 directed edges in one batch.
  // Every row's gradient is +-2 * 1.5 = +-3 (< 4), but the centre's sum is
  // 12 * (-3) = -36 and each leaf's 2 * 3 = 6: clipped to -4 and 4. One
  // epoch at lr 0.1: centre -> 0.4, leaves -> 1.1 (clipping each row
  // instead would move the centre by 3.6).
  CneOptimizerParams p;
  p.batch_size = 12;
  p.negatives = 1;
  p.learning_rate = 0.1;
  CneOptimizer opt(star(), p);
  MatrixD Y(7, 2);
  for (int l = 1; l <= 6; ++l)
    Y(l, 0) = 1.5;
  PullOnly pull;
  opt.run_epoch(pull, 1, 0, 0.1, Y);
  EXPECT_DOUBLE_EQ(Y(0, 0), 0.4);
  for (int l = 1; l <= 6; ++l) {
    EXPECT_DOUBLE_EQ(Y(l, 0), 1.1) << l;
    EXPECT_EQ(Y(l, 1), 0.0);
  }
  EXPECT_EQ(Y(0, 1), 0.0);
  // Below the clip nothing is cut: leaves at 0.5 get 2 * 1 = 2 each, the
  // centre -12 -> clipped; a second epoch sees the updated layout.
  MatrixD Z(7, 2);
  for (int l = 1; l <= 6; ++l)
    Z(l, 0) = 0.5;
  opt.run_epoch(pull, 1, 1, 0.1, Z);
  EXPECT_DOUBLE_EQ(Z(0, 0), 0.4);
  for (int l = 1; l <= 6; ++l)
    EXPECT_DOUBLE_EQ(Z(l, 0), 0.5 - 0.1 * 2.0) << l;
}

TEST(CneOptimizer, SmallBatchesStepSequentially) {
  // Batches of one edge: each step sees the layout after the previous one,
  // and the total movement of the centre is not clipped as a whole.
  CneOptimizerParams p;
  p.batch_size = 1;
  p.negatives = 1;
  CneOptimizer opt(star(), p);
  MatrixD Y(7, 2);
  for (int l = 1; l <= 6; ++l)
    Y(l, 0) = 1.5;
  PullOnly pull;
  opt.run_epoch(pull, 1, 0, 0.1, Y);
  EXPECT_GT(Y(0, 0), 0.4);
}

struct Fixture {
  Matrix X;
  KnnGraph knn;
  Csr A;
};

const Fixture &fixture() {
  static const Fixture f = [] {
    Fixture out;
    out.X = testing::gaussian_data(120, 5, 21);
    out.knn = testing::brute_force_graph(out.X, 10);
    out.A = binary_knn_graph(out.knn, 10);
    return out;
  }();
  return f;
}

TEST(CneOptimizer, LearningRateRestartsPerPhaseAndIsTraced) {
  CneOptimizerParams p;
  p.batch_size = 256;
  p.log_every = 1;
  CneOptimizer opt(fixture().A, p);
  EXPECT_DOUBLE_EQ(opt.learning_rate(0, 4), 1.0);
  EXPECT_DOUBLE_EQ(opt.learning_rate(3, 4), 0.25);
  MatrixD Y = pca_init(fixture().X, 2, 1.0);
  Trace trace;
  NegLoss early;
  opt.run_phase(early, CnePhaseInfo{0, 2, 0, 5}, Y, trace, RunContext{});
  InfoNceLoss info;
  opt.run_phase(info, CnePhaseInfo{1, 3, 2, 5}, Y, trace, RunContext{});
  const auto &c = trace.columns;
  EXPECT_EQ(c.at("epoch"), (std::vector<double>{1, 2, 3, 4, 5}));
  EXPECT_EQ(c.at("phase"), (std::vector<double>{0, 0, 1, 1, 1}));
  EXPECT_EQ(c.at("lr"),
            (std::vector<double>{1.0, 0.5, 1.0, 1.0 - 1.0 / 3, 1.0 - 2.0 / 3}));
  for (double l : c.at("loss"))
    EXPECT_TRUE(std::isfinite(l) && l > 0);
  EXPECT_EQ(c.count("log_z"), 0u);
  // c of the NEG estimator: 1 in the early phase, none (NaN) for InfoNCE,
  // the column as long as the others.
  const auto &cc = c.at("c");
  ASSERT_EQ(cc.size(), 5u);
  EXPECT_EQ(cc[0], 1.0);
  EXPECT_EQ(cc[1], 1.0);
  for (std::size_t r = 2; r < 5; ++r)
    EXPECT_TRUE(std::isnan(cc[r])) << r;
}

TEST(CneOptimizer, TracesTheNegEstimatorsC) {
  CneOptimizerParams p;
  p.batch_size = 256;
  p.log_every = 1;
  CneOptimizer opt(fixture().A, p);
  MatrixD Y = pca_init(fixture().X, 2, 1.0);
  Trace trace;
  // InfoNCE and UMAP alone have no c column.
  InfoNceLoss info;
  opt.run_phase(info, CnePhaseInfo{0, 1, 0, 6}, Y, trace, RunContext{});
  UmapLoss umap;
  opt.run_phase(umap, CnePhaseInfo{0, 1, 1, 6}, Y, trace, RunContext{});
  EXPECT_EQ(trace.columns.count("c"), 0u);
  EXPECT_FALSE(opt.neg_c(info).has_value());
  // A NEG phase after them pads the earlier rows with NaN.
  NegLoss neg;
  neg.c = 0.02;
  opt.run_phase(neg, CnePhaseInfo{1, 2, 2, 6}, Y, trace, RunContext{});
  const auto &c = trace.columns.at("c");
  ASSERT_EQ(c.size(), trace.columns.at("epoch").size());
  EXPECT_TRUE(std::isnan(c[0]) && std::isnan(c[1]));
  EXPECT_EQ(c[2], 0.02);
  EXPECT_EQ(c[3], 0.02);
  // NCE: c = m exp(log Z) with the code's m = min(m, 2b - 1) of a full
  // batch, i.e. c = m Z-bar / n^2 (zbar = exp(log Z) n^2).
  NceLoss nce;
  nce.negatives = 5;
  opt.run_phase(nce, CnePhaseInfo{1, 2, 4, 6}, Y, trace, RunContext{});
  ASSERT_EQ(c.size(), 6u);
  const auto &lz = trace.columns.at("log_z");
  EXPECT_DOUBLE_EQ(c[5], 5.0 * std::exp(nce.log_z));
  EXPECT_NE(nce.log_z, 0.0);
  EXPECT_DOUBLE_EQ(c[5], cne_c_from_zbar(trace.columns.at("zbar").back(), 5,
                                         fixture().X.rows));
  EXPECT_EQ(lz.back(), nce.log_z);
}

TEST(CneOptimizer, NceWithFrozenZIsNegWithCEqualM) {
  // sigma = 1 / (1 + q m exp(log Z)): with log Z = 0 and lr_Z = 0 NCE is
  // NEG at c = m, bit for bit (every batch has >= 3 edges, so the code's
  // min(m, 2b - 1) is m).
  const Csr &A = fixture().A;
  CneOptimizerParams p;
  p.batch_size = 200;
  ASSERT_GE(cne_directed_edges(A).size() % 200, 3);
  p.log_z_learning_rate = 0.0;
  const MatrixD Y0 = pca_init(fixture().X, 2, 1.0);
  MatrixD Y1 = Y0, Y2 = Y0;
  Trace t1, t2;
  {
    CneOptimizer opt(A, p);
    NceLoss nce;
    opt.run_phase(nce, CnePhaseInfo{1, 3, 0, 3}, Y1, t1, RunContext{});
    EXPECT_EQ(nce.log_z, 0.0);
  }
  {
    CneOptimizer opt(A, p);
    NegLoss neg;
    neg.c = 5.0;
    opt.run_phase(neg, CnePhaseInfo{1, 3, 0, 3}, Y2, t2, RunContext{});
  }
  EXPECT_EQ(Y1.data, Y2.data);
  EXPECT_EQ(t1.columns.at("loss"), t2.columns.at("loss"));
  EXPECT_EQ(t1.columns.at("zbar").back(), 120.0 * 120.0);
}

TEST(CneOptimizer, NceLearnsLogZAndTracesZbar) {
  const Csr &A = fixture().A;
  CneOptimizerParams p;
  p.batch_size = 64;
  p.log_every = 1;
  CneOptimizer opt(A, p);
  MatrixD Y = pca_init(fixture().X, 2, 1.0);
  Trace trace;
  NceLoss nce;
  opt.run_phase(nce, CnePhaseInfo{1, 4, 0, 4}, Y, trace, RunContext{});
  const auto &lz = trace.columns.at("log_z");
  const auto &zb = trace.columns.at("zbar");
  ASSERT_EQ(lz.size(), 4u);
  EXPECT_EQ(lz.back(), nce.log_z);
  EXPECT_NE(nce.log_z, 0.0);
  // Each batch moves log Z by at most lr_Z * 4.
  const double batches = std::ceil(cne_directed_edges(A).size() / 64.0);
  EXPECT_LE(std::fabs(nce.log_z), 4 * 1e-3 * 4 * batches + 1e-12);
  for (std::size_t r = 0; r < lz.size(); ++r)
    EXPECT_DOUBLE_EQ(zb[r], std::exp(lz[r]) * 120.0 * 120.0);
}

TEST(CneOptimizer, SeedDeterminesTheResult) {
  const Csr &A = fixture().A;
  auto run = [&](std::uint64_t seed) {
    CneOptimizerParams p;
    p.batch_size = 128;
    p.seed = seed;
    CneOptimizer opt(A, p);
    MatrixD Y = pca_init(fixture().X, 2, 1.0);
    InfoNceLoss info;
    Trace trace;
    opt.run_phase(info, CnePhaseInfo{1, 5, 0, 5}, Y, trace, RunContext{});
    return Y;
  };
  const MatrixD a = run(3), b = run(3), c = run(4);
  EXPECT_EQ(a.data, b.data);
  EXPECT_NE(a.data, c.data);
}

TEST(CneOptimizer, ThreadsShareABatchReproducibly) {
  // b = 256 (4 blocks of 64 head rows) on 120 points: every point occurs
  // in several rows of a batch, so rows owned by different threads meet.
  // NCE also sums dl/d(log Z) over the threads. For a fixed thread count
  // the result is bitwise reproducible; other counts only change the order
  // of summation (rounding).
  const Csr &A = fixture().A;
  struct Result {
    MatrixD Y;
    double log_z, loss;
  };
  auto run = [&](int threads) {
    CneOptimizerParams p;
    p.batch_size = 256;
    p.seed = 9;
    p.threads = threads;
    CneOptimizer opt(A, p);
    Result r{pca_init(fixture().X, 2, 1.0), 0.0, 0.0};
    NceLoss nce;
    nce.negatives = 5;
    for (int e = 0; e < 2; ++e)
      r.loss = opt.run_epoch(nce, 1, e, 1.0, r.Y);
    r.log_z = nce.log_z;
    return r;
  };
  const Result one = run(1), two = run(2), again = run(2), three = run(3);
  EXPECT_EQ(two.Y.data, again.Y.data);
  EXPECT_EQ(two.log_z, again.log_z);
  EXPECT_EQ(two.loss, again.loss);
  for (const Result *r : {&two, &three}) {
    EXPECT_NEAR(r->log_z, one.log_z, 1e-12);
    EXPECT_NEAR(r->loss, one.loss, 1e-9 * std::abs(one.loss));
    for (std::size_t i = 0; i < one.Y.data.size(); ++i)
      ASSERT_NEAR(r->Y.data[i], one.Y.data[i], 1e-9) << i;
  }
  EXPECT_NE(one.log_z, 0.0) << "log Z was learned";
}

TEST(CneOptimizer, RejectsBadInput) {
  CneOptimizerParams p;
  p.batch_size = 0;
  EXPECT_THROW(CneOptimizer(fixture().A, p), NebenchError);
  p = CneOptimizerParams{};
  p.threads = -1;
  EXPECT_THROW(CneOptimizer(fixture().A, p), NebenchError);
  p = CneOptimizerParams{};
  CneOptimizer opt(fixture().A, p);
  MatrixD wrong(5, 2);
  NegLoss neg;
  EXPECT_THROW(opt.run_epoch(neg, 1, 0, 1.0, wrong), NebenchError);
}

} // namespace
} // namespace nebench
