#include "engine/core/errors.h"
#include "engine/ne/edge_sampling_sgd.h"
#include "engine/ne/edge_schedule.h"

#include <gtest/gtest.h>

namespace nebench {
namespace {

TEST(UmapEdgeSchedule, EpochsPerSampleHandCase) {
  // max w = 0.8: n_samples = 10 w / 0.8 = {10, 5, 2.5, 0.125, 0}, so
  // epochs_per_sample = 10 / n_samples = {1, 2, 4, 80, -1 (never)}.
  const auto eps = make_epochs_per_sample({0.8, 0.4, 0.2, 0.01, 0.0}, 10);
  ASSERT_EQ(eps.size(), 5u);
  EXPECT_DOUBLE_EQ(eps[0], 1.0);
  EXPECT_DOUBLE_EQ(eps[1], 2.0);
  EXPECT_DOUBLE_EQ(eps[2], 4.0);
  EXPECT_DOUBLE_EQ(eps[3], 80.0);
  EXPECT_EQ(eps[4], -1.0);
  EXPECT_THROW(make_epochs_per_sample({0.5, -1.0}, 10), NebenchError);
  EXPECT_THROW(make_epochs_per_sample({0.5}, 0), NebenchError);
}

TEST(UmapEdgeSchedule, SamplesEdgesAtTheirRateWithMNegativesEach) {
  const int N = 40, m = 5;
  UmapEdgeSchedule s({1.0, 2.0, 4.0, 2.5}, m);
  std::vector<int> samples(4, 0), negatives(4, 0);
  std::vector<std::vector<int>> when(4);
  for (int epoch = 0; epoch < N; ++epoch)
    for (std::int64_t e = 0; e < 4; ++e)
      if (s.due(e, epoch)) {
        const int k = s.negatives(e, epoch);
        ASSERT_GE(k, 0);
        negatives[e] += k;
        ++samples[e];
        when[e].push_back(epoch);
        s.advance(e, k);
      }
  // Nothing in epoch 0; edge e is due at multiples of its period.
  EXPECT_EQ(samples[0], N - 1);
  EXPECT_EQ(samples[1], 19); // epochs 2, 4, ..., 38
  EXPECT_EQ(samples[2], 9);  // 4, ..., 36
  EXPECT_EQ(when[3], (std::vector<int>{3, 5, 8, 10, 13, 15, 18, 20, 23, 25, 28,
                                       30, 33, 35, 38}));
  // m negatives per sample on average: the counter starts one negative
  // period in, so the first sample draws m - 1 (umap-learn's behaviour);
  // floating point may move one negative to the next sample.
  for (int e = 0; e < 4; ++e) {
    EXPECT_GE(negatives[e], m * samples[e] - 2) << e;
    EXPECT_LE(negatives[e], m * samples[e]) << e;
  }
  EXPECT_THROW(UmapEdgeSchedule({1.0, -1.0}, 5), NebenchError);
  EXPECT_THROW(UmapEdgeSchedule({1.0}, 0), NebenchError);
}

TEST(UmapEdgeSchedule, PrunesEdgesSampledLessThanOnce) {
  Csr W;
  W.n = 3;
  W.indptr = {0, 2, 4, 6};
  W.indices = {1, 2, 0, 2, 0, 1};
  W.values = {1.0, 0.009, 1.0, 0.5, 0.009, 0.5};
  const Csr P = prune_weak_edges(W, 100); // threshold 1 / 100
  EXPECT_EQ(P.nnz(), 4);
  EXPECT_EQ(P.at(0, 2), 0.0);
  EXPECT_EQ(P.at(1, 2), 0.5);
  const EdgeSgdGraph g = make_edge_sgd_graph(W, 100, true);
  EXPECT_EQ(g.edges(), 4);
  EXPECT_EQ(g.heads, (std::vector<std::int32_t>{0, 1, 1, 2}));
  EXPECT_EQ(g.tails, (std::vector<std::int32_t>{1, 0, 2, 1}));
  EXPECT_DOUBLE_EQ(g.weight_sum, 3.0);
}

TEST(UmapEdgeSchedule, LearningRateDecaysAfterEachEpoch) {
  EXPECT_DOUBLE_EQ(sgd_learning_rate(2.0, 0, 10), 2.0);
  EXPECT_DOUBLE_EQ(sgd_learning_rate(2.0, 1, 10), 2.0);
  EXPECT_DOUBLE_EQ(sgd_learning_rate(2.0, 2, 10), 1.8);
  EXPECT_DOUBLE_EQ(sgd_learning_rate(2.0, 9, 10), 2.0 * 0.2);
}

TEST(UmapEdgeSchedule, SymmetryCheck) {
  Csr W;
  W.n = 3;
  W.indptr = {0, 2, 3, 4};
  W.indices = {2, 1, 0, 0}; // row 0 unsorted on purpose
  W.values = {0.5, 0.25, 0.25, 0.5};
  EXPECT_TRUE(is_symmetric(W));
  W.values[3] = 0.4;
  EXPECT_FALSE(is_symmetric(W));
  EXPECT_THROW(make_edge_sgd_graph(W, 10, true), NebenchError);
  EXPECT_NO_THROW(make_edge_sgd_graph(W, 10, false));
}

} // namespace
} // namespace nebench
