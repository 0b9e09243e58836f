#include "engine/affinity/binary_knn_affinity.h"
#include "engine/core/errors.h"

#include <gtest/gtest.h>

namespace nebench {
namespace {

// 4 points, 2 neighbours each (hand-made):
//   0 -> 1, 2    1 -> 0, 3    2 -> 3, 0    3 -> 2, 1
KnnGraph hand_graph() {
  KnnGraph g;
  g.n = 4;
  g.k = 2;
  g.indices = {1, 2, 0, 3, 3, 0, 2, 1};
  g.distances = {1, 2, 1, 2, 1, 2, 1, 2};
  return g;
}

TEST(BinaryKnnAffinity, MaxSymmetrizedFirstNeighbours) {
  // k = 1: 0->1, 1->0, 2->3, 3->2: two mutual pairs.
  const Csr A1 = binary_knn_graph(hand_graph(), 1);
  EXPECT_EQ(A1.nnz(), 4);
  EXPECT_EQ(A1.at(0, 1), 1.0);
  EXPECT_EQ(A1.at(2, 3), 1.0);
  EXPECT_EQ(A1.at(0, 2), 0.0);
  // k = 2 adds 0->2 (mutual with 2->0) and 1->3 (mutual with 3->1).
  const Csr A2 = binary_knn_graph(hand_graph(), 2);
  const std::vector<std::int64_t> indptr = {0, 2, 4, 6, 8};
  const std::vector<std::int32_t> indices = {1, 2, 0, 3, 0, 3, 1, 2};
  EXPECT_EQ(A2.indptr, indptr);
  EXPECT_EQ(A2.indices, indices);
  for (double v : A2.values)
    EXPECT_EQ(v, 1.0);
}

TEST(BinaryKnnAffinity, OneSidedEdgesAreSymmetrized) {
  KnnGraph g;
  g.n = 3;
  g.k = 1;
  g.indices = {1, 0, 1}; // 2 -> 1 is not returned by 1
  g.distances = {1, 1, 1};
  const Csr A = binary_knn_graph(g, 1);
  EXPECT_EQ(A.at(1, 2), 1.0);
  EXPECT_EQ(A.at(2, 1), 1.0);
  EXPECT_EQ(A.nnz(), 4);
  const Csr P = normalize_to_sum_one(A);
  for (double v : P.values)
    EXPECT_DOUBLE_EQ(v, 0.25);
}

TEST(BinaryKnnAffinity, RejectsBadK) {
  EXPECT_THROW(binary_knn_graph(hand_graph(), 3), NebenchError);
  EXPECT_THROW(binary_knn_graph(hand_graph(), 0), NebenchError);
  EXPECT_THROW(normalize_to_sum_one(Csr{}), NebenchError);
}

} // namespace
} // namespace nebench
