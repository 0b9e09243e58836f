#include "metrics/knn_recall.h"

#include "engine/core/errors.h"

#include <gtest/gtest.h>

#include <cmath>

namespace nebench {
namespace {

KnnGraph graph(std::int64_t n, int k, std::vector<std::int64_t> idx) {
  KnnGraph g;
  g.n = n;
  g.k = k;
  g.indices = std::move(idx);
  g.distances.assign(g.indices.size(), 0.0f);
  return g;
}

// Row 0: 3 of 4 shared, row 1: all 4 (other order), row 2: none.
const KnnGraph kRef = graph(3, 4, {1, 2, 3, 4, 0, 2, 3, 4, 0, 1, 3, 4});
const KnnGraph kEmb = graph(3, 4, {4, 3, 2, 9, 4, 0, 3, 2, 5, 6, 7, 8});

TEST(KnnRecall, ExactFractions) {
  EXPECT_DOUBLE_EQ(knn_recall(kRef, kEmb, 4), (0.75 + 1.0 + 0.0) / 3.0);
}

TEST(KnnRecall, UsesOnlyTheFirstKColumns) {
  // k = 2: row 0 {1,2} vs {4,3}: 0; row 1 {0,2} vs {4,0}: 1 of 2; row 2: 0.
  EXPECT_DOUBLE_EQ(knn_recall(kRef, kEmb, 2), 0.5 / 3.0);
}

TEST(KnnRecall, AveragesOverTheGivenPointsOnly) {
  EXPECT_DOUBLE_EQ(knn_recall(kRef, kEmb, 4, {0, 1}), 0.875);
  EXPECT_DOUBLE_EQ(knn_recall(kRef, kEmb, 4, {2}), 0.0);
}

TEST(KnnRecall, PaddingIsNeverAHitButCountsInTheDenominator) {
  const KnnGraph ref = graph(1, 2, {3, -1});
  const KnnGraph emb = graph(1, 2, {-1, 3});
  EXPECT_DOUBLE_EQ(knn_recall(ref, emb, 2), 0.5);
  const KnnGraph empty_ref = graph(1, 2, {-1, -1});
  EXPECT_DOUBLE_EQ(knn_recall(empty_ref, emb, 2), 0.0);
}

TEST(KnnRecall, RejectsBadArguments) {
  EXPECT_THROW(knn_recall(kRef, kEmb, 5), NebenchError);
  EXPECT_THROW(knn_recall(kRef, kEmb, 0), NebenchError);
  EXPECT_THROW(knn_recall(kRef, graph(2, 4, {0, 1, 2, 3, 0, 1, 2, 3}), 4),
               NebenchError);
  EXPECT_THROW(knn_recall(kRef, kEmb, 4, {3}), NebenchError);
}

Csr make_csr(std::int64_t n,
             const std::vector<std::vector<std::pair<int, double>>> &rows) {
  Csr p;
  p.n = n;
  p.indptr.push_back(0);
  for (const auto &r : rows) {
    for (const auto &[j, v] : r) {
      p.indices.push_back(j);
      p.values.push_back(v);
    }
    p.indptr.push_back(static_cast<std::int64_t>(p.indices.size()));
  }
  return p;
}

TEST(TopKAffinity, TiesByIndexShortRowsPaddedDiagonalAndZerosIgnored) {
  const Csr p = make_csr(4, {
                                // diagonal 0.9 ignored; 0.5 tie -> 1 before 3
                                {{3, 0.5}, {0, 0.9}, {2, 0.2}, {1, 0.5}},
                                {{0, 0.3}},                     // short row
                                {{3, 0.1}, {0, 0.0}, {1, 0.4}}, // stored zero
                                {},                             // empty row
                            });
  const KnnGraph g = top_k_affinity_neighbors(p, 2);
  ASSERT_EQ(g.n, 4);
  ASSERT_EQ(g.k, 2);
  const std::vector<std::int64_t> expected = {1, 3, 0, -1, 1, 3, -1, -1};
  EXPECT_EQ(g.indices, expected);
  for (float d : g.distances)
    EXPECT_TRUE(std::isnan(d));

  const KnnGraph g3 = top_k_affinity_neighbors(p, 3);
  const std::vector<std::int64_t> expected3 = {1, 3, 2,  0,  -1, -1,
                                               1, 3, -1, -1, -1, -1};
  EXPECT_EQ(g3.indices, expected3);

  // Recall against it: hits 1, 1, 1, 0 of 2 each.
  const KnnGraph emb = graph(4, 2, {3, 2, 0, 2, 3, 0, 0, 1});
  EXPECT_DOUBLE_EQ(knn_recall(g, emb, 2), 1.5 / 4.0);
}

TEST(TopKAffinity, RejectsBadK) {
  EXPECT_THROW(top_k_affinity_neighbors(make_csr(1, {{}}), 0), NebenchError);
}

} // namespace
} // namespace nebench
