#include "metrics/knn_accuracy.h"

#include "engine/core/errors.h"
#include "engine/core/rng.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>

namespace nebench {
namespace {

std::map<std::int32_t, int>
count_classes(const std::vector<std::int32_t> &labels,
              const std::vector<std::int64_t> &idx) {
  std::map<std::int32_t, int> c;
  for (auto i : idx)
    ++c[labels[i]];
  return c;
}

TEST(StratifiedSplit, ExactClassProportions) {
  std::vector<std::int32_t> labels;
  for (int c = 0; c < 3; ++c)
    for (int i = 0; i < (c == 0 ? 500 : c == 1 ? 300 : 200); ++i)
      labels.push_back(c);
  Rng(5).shuffle(labels);
  const Split s = stratified_split(labels, 0.2, 42);
  auto test = count_classes(labels, s.test);
  auto train = count_classes(labels, s.train);
  EXPECT_EQ(test[0], 100);
  EXPECT_EQ(test[1], 60);
  EXPECT_EQ(test[2], 40);
  EXPECT_EQ(train[0], 400);
  EXPECT_EQ(train[1], 240);
  EXPECT_EQ(train[2], 160);
  // A partition, each part sorted.
  std::vector<std::int64_t> all = s.train;
  all.insert(all.end(), s.test.begin(), s.test.end());
  std::sort(all.begin(), all.end());
  for (std::size_t i = 0; i < all.size(); ++i)
    ASSERT_EQ(all[i], static_cast<std::int64_t>(i));
  EXPECT_TRUE(std::is_sorted(s.train.begin(), s.train.end()));
  EXPECT_TRUE(std::is_sorted(s.test.begin(), s.test.end()));
}

TEST(StratifiedSplit, RoundsAndKeepsOneTrainingPointPerClass) {
  // Class sizes 10, 5, 1, 2, 3 with f = 0.2: round(2) = 2, round(1) = 1,
  // singleton 0, round(0.4) = 0, round(0.6) = 1.
  std::vector<std::int32_t> labels;
  const int sizes[] = {10, 5, 1, 2, 3};
  for (int c = 0; c < 5; ++c)
    for (int i = 0; i < sizes[c]; ++i)
      labels.push_back(c);
  auto test = count_classes(labels, stratified_split(labels, 0.2, 1).test);
  EXPECT_EQ(test[0], 2);
  EXPECT_EQ(test[1], 1);
  EXPECT_EQ(test[2], 0);
  EXPECT_EQ(test[3], 0);
  EXPECT_EQ(test[4], 1);
  // f = 0.9: round(1.8) = 2 of 2 is capped at 1; a singleton stays in train.
  const std::vector<std::int32_t> two = {7, 7, -1};
  const Split s = stratified_split(two, 0.9, 3);
  EXPECT_EQ(s.test.size(), 1u);
  EXPECT_EQ(s.train.size(), 2u);
  EXPECT_EQ(count_classes(two, s.train)[-1], 1);
}

TEST(StratifiedSplit, DeterministicPerSeed) {
  std::vector<std::int32_t> labels(200);
  for (std::size_t i = 0; i < labels.size(); ++i)
    labels[i] = static_cast<std::int32_t>(i % 4);
  const Split a = stratified_split(labels, 0.3, 9);
  const Split b = stratified_split(labels, 0.3, 9);
  const Split c = stratified_split(labels, 0.3, 10);
  EXPECT_EQ(a.test, b.test);
  EXPECT_EQ(a.train, b.train);
  EXPECT_NE(a.test, c.test);
}

TEST(StratifiedSplit, RejectsFractionOutsideOpenUnitInterval) {
  EXPECT_THROW(stratified_split({0, 1}, 0.0, 0), NebenchError);
  EXPECT_THROW(stratified_split({0, 1}, 1.0, 0), NebenchError);
}

// Hand-made 1-D case. Train: 0.0 A, 1.0 A, 2.0 B, 10.0 B, 11.0 B.
// Test: 1.4 (A), 10.6 (A), 1.6 (B). Labels A = 0, B = 1.
struct OneD {
  MatrixD y{8, 1};
  std::vector<std::int32_t> labels = {0, 0, 1, 1, 1, 0, 0, 1};
  Split split{{0, 1, 2, 3, 4}, {5, 6, 7}};
  OneD() {
    const double x[] = {0.0, 1.0, 2.0, 10.0, 11.0, 1.4, 10.6, 1.6};
    for (int i = 0; i < 8; ++i)
      y(i, 0) = x[i];
  }
};

TEST(KnnPredict, MajorityVoteOnHandMadeCase) {
  const OneD d;
  // k = 3: 1.4 -> A,B,A = A; 10.6 -> B,B,B = B; 1.6 -> B,A,A = A.
  EXPECT_EQ(knn_predict(d.y, d.labels, d.split, 3),
            (std::vector<std::int32_t>{0, 1, 0}));
  EXPECT_DOUBLE_EQ(knn_accuracy_on_split(d.y, d.labels, d.split, 3), 1.0 / 3.0);
}

TEST(KnnPredict, TiesGoToTheNearestTiedClass) {
  const OneD d;
  // k = 2: 1.4 -> A (0.4), B (0.6): tie, A nearer; 1.6 -> B (0.4), A (0.6).
  EXPECT_EQ(knn_predict(d.y, d.labels, d.split, 2),
            (std::vector<std::int32_t>{0, 1, 1}));
  EXPECT_DOUBLE_EQ(knn_accuracy_on_split(d.y, d.labels, d.split, 2), 2.0 / 3.0);
}

TEST(KnnPredict, KLargerThanTrainingSetUsesAllTrainingPoints) {
  const OneD d;
  // All 5 training points vote: A 2, B 3 -> B everywhere.
  EXPECT_EQ(knn_predict(d.y, d.labels, d.split, 50),
            (std::vector<std::int32_t>{1, 1, 1}));
  EXPECT_DOUBLE_EQ(knn_accuracy_on_split(d.y, d.labels, d.split, 50),
                   1.0 / 3.0);
}

TEST(KnnAccuracy, SeparableClustersAreClassifiedPerfectly) {
  Rng rng(4);
  MatrixD y(90, 2);
  std::vector<std::int32_t> labels(90);
  for (std::int64_t i = 0; i < 90; ++i) {
    labels[i] = static_cast<std::int32_t>(i % 3);
    y(i, 0) = 100.0 * labels[i] + rng.normal();
    y(i, 1) = rng.normal();
  }
  for (std::uint64_t seed = 0; seed < 3; ++seed)
    EXPECT_DOUBLE_EQ(knn_accuracy(y, labels, 5, 0.25, seed), 1.0);
}

TEST(KnnAccuracy, EqualsTheVoteOnItsStratifiedSplit) {
  Rng rng(8);
  MatrixD y(120, 2);
  std::vector<std::int32_t> labels(120);
  for (std::int64_t i = 0; i < 120; ++i) {
    labels[i] = static_cast<std::int32_t>(rng.below(3));
    y(i, 0) = rng.normal() + labels[i];
    y(i, 1) = rng.normal();
  }
  const double acc = knn_accuracy(y, labels, 7, 0.2, 13);
  EXPECT_DOUBLE_EQ(acc, knn_accuracy_on_split(
                            y, labels, stratified_split(labels, 0.2, 13), 7));
  EXPECT_GT(acc, 0.0);
  EXPECT_LT(acc, 1.0);
}

TEST(KnnAccuracy, RejectsBadInput) {
  const OneD d;
  EXPECT_THROW(knn_accuracy(d.y, {0, 1}, 3, 0.2, 0), NebenchError);
  // Only singletons: everything stays in train, the test split is empty.
  EXPECT_THROW(knn_accuracy(d.y, {0, 1, 2, 3, 4, 5, 6, 7}, 3, 0.2, 0),
               NebenchError);
  EXPECT_THROW(knn_predict(d.y, d.labels, d.split, 0), NebenchError);
}

} // namespace
} // namespace nebench
